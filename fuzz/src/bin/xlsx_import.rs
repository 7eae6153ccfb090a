//! The .xlsx reader on arbitrary bytes: as a whole file when they look like a zip, otherwise
//! as a sheet's XML and shared strings (split at the first NUL) wrapped into a workbook; the
//! table read is then parsed both as an enterprise registry and as a data set sheet.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    clusterdesk_fuzz::let_calamine_panics_unwind();
    let bytes = if data.starts_with(b"PK") {
        data.to_vec()
    } else {
        let (sheet, shared) = match data.iter().position(|b| *b == 0) {
            Some(i) => (&data[..i], &data[i + 1..]),
            None => (data, &b""[..]),
        };
        clusterdesk_fuzz::workbook(sheet, shared)
    };
    if let Ok(t) = clusterdesk_office::table::read_table("fuzz.xlsx", &bytes) {
        let _ = clusterdesk_office::enterprises::parse(clusterdesk_fuzz::plan(), &t);
        // The data set sheet layout (keys, headers, percent and rounded cells) on the same table.
        let _ = clusterdesk_office::layout::read(clusterdesk_fuzz::plan(), &t, None);
    }
});
