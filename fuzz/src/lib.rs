//! What the fuzz targets share: the plan and its files, a workbook built around fuzzed XML,
//! and the panic rule of the .xlsx reader.

use std::io::Write;
use std::sync::{Once, OnceLock};

/// calamine indexes some of what a file says without checking it, and `office::table` reads it
/// under `catch_unwind`: such a file is refused as unreadable, not a dead server. libFuzzer's
/// panic hook aborts before any unwinding, so a panic raised in calamine's own code is left to
/// unwind to that catch (one it does not reach still aborts in libfuzzer-sys); any other panic
/// aborts as before.
pub fn let_calamine_panics_unwind() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !info.location().is_some_and(|l| l.file().contains("/calamine-")) {
                abort(info);
            }
        }));
    });
}

/// The embedded plan, loaded once.
pub fn plan() -> &'static clusterdesk_plan::Plan {
    static PLAN: OnceLock<clusterdesk_plan::Plan> = OnceLock::new();
    PLAN.get_or_init(|| clusterdesk_plan::Plan::embedded().expect("the embedded plan loads"))
}

/// The files of the embedded plan folder, read once.
pub fn plan_files() -> &'static [clusterdesk_plan::SourceFile] {
    static FILES: OnceLock<Vec<clusterdesk_plan::SourceFile>> = OnceLock::new();
    FILES.get_or_init(clusterdesk_plan::Plan::embedded_files)
}

/// The shipped incentive policies and their tests (`policies/*.yaml`) as `(path, text)`, the
/// way the server hands them to the policy loader.
pub fn policy_files() -> &'static [(String, String)] {
    static FILES: OnceLock<Vec<(String, String)>> = OnceLock::new();
    FILES.get_or_init(|| {
        plan_files()
            .iter()
            .filter(|f| f.path.starts_with("policies/"))
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect()
    })
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK: &str = r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="集群月报" sheetId="1" r:id="rId1"/></sheets></workbook>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#;

/// An .xlsx whose first sheet and shared strings are the given XML, stored (not deflated) so
/// that the fuzzer's mutations reach the XML readers instead of failing a checksum.
pub fn workbook(sheet: &[u8], shared: &[u8]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, body) in [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", ROOT_RELS.as_bytes()),
        ("xl/workbook.xml", WORKBOOK.as_bytes()),
        ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/sharedStrings.xml", shared),
    ] {
        z.start_file(name, opts).expect("in memory");
        z.write_all(body).expect("in memory");
    }
    z.finish().expect("in memory").into_inner()
}
