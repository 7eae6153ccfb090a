//! The CSV reader (UTF-8 or GB18030) and the enterprise-registry rows on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(t) = clusterdesk_office::table::read_table("fuzz.csv", data) {
        let _ = clusterdesk_office::enterprises::parse(clusterdesk_fuzz::plan(), &t);
    }
});
