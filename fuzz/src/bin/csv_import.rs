//! The CSV reader (UTF-8 or GB18030) and the enterprise-registry rows on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Bytes that begin as a zip are read as an .xlsx whatever the name.
    clusterdesk_fuzz::let_calamine_panics_unwind();
    if let Ok(t) = clusterdesk_office::table::read_table("fuzz.csv", data) {
        let _ = clusterdesk_office::enterprises::parse(clusterdesk_fuzz::plan(), &t);
    }
});
