//! Checks an .xlsx as a zip before calamine opens it: calamine unpacks the shared strings
//! whole when it opens a workbook, and a zip's central directory is read into memory whole,
//! so what they would cost is bounded here from the bytes themselves.

use crate::CellError;
use crate::limits::{MAX_SHARED_STRINGS, MAX_UNPACKED_BYTES, MAX_XML_TOKEN_BYTES, MAX_ZIP_ENTRIES};
use crate::table::whole_file_error;
use std::io::{Cursor, Read};

const MB: u64 = 1024 * 1024;

/// A whole-file refusal that names the zip part to blame in `value`.
fn refuse(file: &str, part: &str, rule: &str, message: String) -> Box<CellError> {
    let mut e = whole_file_error(file, rule, message);
    e.value = part.to_string();
    e
}

fn le(bytes: &[u8], at: usize, n: usize) -> Option<u64> {
    let b = bytes.get(at..at + n)?;
    Some(b.iter().rev().fold(0u64, |a, x| (a << 8) | u64::from(*x)))
}

/// The number of entries the end-of-central-directory record declares (zip64 too), so that a
/// file claiming millions of parts is refused before the zip reader reserves room for them.
fn declared_entries(bytes: &[u8]) -> Option<u64> {
    // The record is 22 bytes plus a comment of at most 65,535.
    let from = bytes.len().saturating_sub(22 + 65_535);
    let at = (from..=bytes.len().saturating_sub(22))
        .rev()
        .find(|&i| bytes[i..].starts_with(b"PK\x05\x06"))?;
    let n = le(bytes, at + 10, 2)?;
    if n != 0xFFFF {
        return Some(n);
    }
    // Zip64: the locator just before the record gives the zip64 record's offset.
    let loc = at.checked_sub(20)?;
    if !bytes[loc..].starts_with(b"PK\x06\x07") {
        return Some(n);
    }
    let rec = usize::try_from(le(bytes, loc + 8, 8)?).ok()?;
    if !bytes.get(rec..)?.starts_with(b"PK\x06\x06") {
        return None;
    }
    le(bytes, rec + 32, 8)
}

/// Counts what an XML part holds while it streams: the longest run between `<` and `>`
/// (what one XML event buffers) and the `<si>` elements of a shared-strings part.
#[derive(Default)]
struct XmlScan {
    run: usize,
    max_run: usize,
    /// Bytes of the element name after a `<`, while it is being read (at most 16 kept).
    name: Vec<u8>,
    in_name: bool,
    si: usize,
}

impl XmlScan {
    fn feed(&mut self, chunk: &[u8]) {
        for &b in chunk {
            if b == b'<' || b == b'>' {
                self.max_run = self.max_run.max(self.run);
                self.run = 0;
                if self.in_name {
                    self.end_name();
                }
                self.in_name = b == b'<';
                continue;
            }
            self.run += 1;
            if self.in_name {
                if b.is_ascii_whitespace() || b == b'/' {
                    self.end_name();
                } else if self.name.len() < 16 {
                    self.name.push(b);
                }
            }
        }
    }

    fn end_name(&mut self) {
        let local = self.name.rsplit(|c| *c == b':').next().unwrap_or(&[]);
        if local == b"si" {
            self.si += 1;
        }
        self.name.clear();
        self.in_name = false;
    }

    fn finish(&mut self) -> usize {
        self.max_run.max(self.run)
    }
}

/// Refuse an .xlsx whose parts would unpack past the bounds of [`crate::limits`]: too many
/// parts, a declared or actual unpacked size over the cap, an over-long XML token, too many
/// shared strings. Every part is read through a fixed buffer and never held whole.
pub fn check(file: &str, bytes: &[u8]) -> Result<(), Box<CellError>> {
    let unreadable = |detail: String| {
        refuse(
            file,
            "",
            "file_unreadable",
            format!("无法读取 Excel 文件“{file}”:{detail}"),
        )
    };
    if let Some(n) = declared_entries(bytes)
        && n > MAX_ZIP_ENTRIES as u64
    {
        return Err(refuse(
            file,
            "",
            "xlsx_too_many_parts",
            format!("文件“{file}”声明含有 {n} 个部件,超过上限 {MAX_ZIP_ENTRIES} 个,不是本系统的模板"),
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(e.to_string()))?;
    if zip.len() > MAX_ZIP_ENTRIES {
        return Err(refuse(
            file,
            "",
            "xlsx_too_many_parts",
            format!(
                "文件“{file}”含有 {} 个部件,超过上限 {MAX_ZIP_ENTRIES} 个,不是本系统的模板",
                zip.len()
            ),
        ));
    }
    let too_large = |part: &str, size: u64| {
        refuse(
            file,
            part,
            "xlsx_too_large",
            format!(
                "文件“{file}”的部件 {part} 解压后达 {} MB,超过上限:整个文件解压后不得超过 {} MB",
                size / MB,
                MAX_UNPACKED_BYTES / MB
            ),
        )
    };
    // Declared sizes first: a bomb that says what it is costs nothing to refuse.
    let mut declared = 0u64;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| unreadable(e.to_string()))?;
        declared = declared.saturating_add(f.size());
        if declared > MAX_UNPACKED_BYTES {
            return Err(too_large(f.name(), f.size()));
        }
    }
    // Then what the XML parts really unpack to, which a forged header can understate.
    let mut total = 0u64;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).map_err(|e| unreadable(e.to_string()))?;
        let name = f.name().to_string();
        let lower = name.to_lowercase();
        if !(lower.ends_with(".xml") || lower.ends_with(".rels")) {
            // calamine reads only the XML parts; pictures and the like are never unpacked.
            continue;
        }
        let mut scan = XmlScan::default();
        let mut part = 0u64;
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(unreadable(format!("部件 {name} 已损坏({e})"))),
            };
            part += n as u64;
            total += n as u64;
            if total > MAX_UNPACKED_BYTES {
                return Err(too_large(&name, part));
            }
            scan.feed(&buf[..n]);
            if scan.max_run > MAX_XML_TOKEN_BYTES {
                break;
            }
        }
        if scan.finish() > MAX_XML_TOKEN_BYTES {
            return Err(refuse(
                file,
                &name,
                "xlsx_token_too_long",
                format!(
                    "文件“{file}”的部件 {name} 中有一段文字或标记超过 {} MB,单元格文字不得超过 {} 个字符",
                    MAX_XML_TOKEN_BYTES as u64 / MB,
                    crate::limits::MAX_CELL_CHARS
                ),
            ));
        }
        if lower.ends_with("sharedstrings.xml") && scan.si > MAX_SHARED_STRINGS {
            return Err(refuse(
                file,
                &name,
                "xlsx_shared_strings",
                format!(
                    "文件“{file}”的共享字符串表 {name} 有 {} 项,超过上限 {MAX_SHARED_STRINGS} 项",
                    scan.si
                ),
            ));
        }
    }
    check_cell_refs(file, &mut zip)
}

/// Refuse what calamine would panic or overflow on: a shared-string number past the table,
/// a reference it cannot read, a used range that ends before it starts; and a formula with
/// no cached value, which calamine would read as an empty cell.
fn check_cell_refs(file: &str, zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Result<(), Box<CellError>> {
    use crate::xlsx_cells::{SHARED_STRINGS, bad_dimension, first_problem, reader, shared_strings_count};
    use std::io::BufReader;
    // Found the way calamine finds it: the same path, whatever its case or slashes.
    let shared = zip
        .file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(SHARED_STRINGS))
        .map(str::to_string);
    let count = match &shared {
        Some(name) => match zip.by_name(name) {
            Ok(f) => shared_strings_count(reader(BufReader::new(f))),
            Err(_) => None,
        },
        None => Some(0),
    };
    // A table calamine cannot read either is refused by calamine itself.
    let Some(count) = count else { return Ok(()) };
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index(i) else { continue };
        let name = f.name().to_string();
        let lower = name.to_lowercase();
        if Some(&name) == shared.as_ref() || !lower.ends_with(".xml") {
            continue;
        }
        drop(f);
        let dimension = match zip.by_index(i) {
            Ok(f) => {
                bad_dimension(reader(BufReader::new(f))).map(|v| (String::new(), v, "dimension_invalid"))
            }
            Err(_) => None,
        };
        let problem = match dimension {
            Some(p) => Some(p),
            None => match zip.by_index(i) {
                Ok(f) => first_problem(reader(BufReader::new(f)), count),
                Err(_) => None,
            },
        };
        if let Some((at, v, rule)) = problem {
            let v: String = v.chars().take(40).collect();
            let message = match rule {
                "shared_string_ref" => format!(
                    "文件“{file}”的部件 {name} 中单元格 {at} 引用的共享字符串“{v}”不存在(共享字符串表只有 {count} 项)"
                ),
                "formula_without_value" => format!(
                    "文件“{file}”单元格 {at} 是公式但没有计算结果;请在 Excel/WPS 中打开并保存后再上传"
                ),
                "dimension_invalid" => format!("文件“{file}”的部件 {name} 中已用范围“{v}”无效"),
                _ => format!("文件“{file}”的部件 {name} 中单元格引用“{v}”无效"),
            };
            let mut e = refuse(file, &name, rule, message);
            // The cell's row and column as the sheet shows them (B7: row 7, column B).
            let letters = at.bytes().take_while(u8::is_ascii_alphabetic).count();
            e.column = at[..letters].to_ascii_uppercase();
            e.row = at[letters..].parse().unwrap_or(0);
            e.cell = at;
            return Err(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scan_counts_shared_strings_and_runs() {
        let mut s = XmlScan::default();
        s.feed(b"<sst count=\"2\"><si><t>a</t></si><x:si><t>bb");
        s.feed(b"bb</t></x:si><sib/></sst>");
        assert_eq!(s.si, 2);
        assert_eq!(s.finish(), "sst count=\"2\"".len());
    }

    #[test]
    fn junk_is_unreadable_not_a_panic() {
        let e = check("x.xlsx", b"PK\x03\x04 and nothing else").unwrap_err();
        assert_eq!(e.rule, "file_unreadable");
    }
}
