//! Which cells of a sheet Excel shows as a percent. calamine reads a cell's number but not its
//! number format, and a cell formatted as percent holds 0.45 where the screen shows 45%.
//!
//! The rule: a cell is a percent cell when its style (`s`, an index into `cellXfs` of
//! `xl/styles.xml`) has the built-in number format 9 (`0%`) or 10 (`0.00%`), or a custom
//! format (`<numFmt>`) with a `%` outside quoted text and not escaped by `\`. The zip has been
//! checked by [`crate::xlsx_guard::check`] already, so every part read here is bounded; a part
//! that cannot be read gives no percent cells (calamine refuses what is really broken).

use crate::xlsx_cells::reader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;
use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Cursor, Read};

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// 0-based (row, column) of the cells of `sheet` whose style is a percent format.
pub(crate) fn percent_cells(bytes: &[u8], sheet: &str) -> HashSet<(u32, u32)> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return HashSet::new();
    };
    let styles = percent_styles(&mut zip);
    if styles.is_empty() {
        return HashSet::new();
    }
    let Some(part) = sheet_part(&mut zip, sheet) else {
        return HashSet::new();
    };
    let Some(f) = open(&mut zip, &part) else {
        return HashSet::new();
    };
    let mut x = reader(BufReader::new(f));
    let mut out = HashSet::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"c" => {
                let at = attr(&e, b"r").and_then(|r| cell_pos(&r));
                let style = attr(&e, b"s").and_then(|s| s.parse::<usize>().ok());
                if let (Some(at), Some(s)) = (at, style)
                    && styles.contains(&s)
                {
                    out.insert(at);
                }
            }
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

fn open<'z, 'a>(zip: &'z mut Zip<'a>, name: &str) -> Option<zip::read::ZipFile<'z, Cursor<&'a [u8]>>> {
    // Found as calamine finds parts: whatever the case or the slashes.
    let want = name.trim_start_matches('/');
    let real = zip
        .file_names()
        .find(|n| n.replace('\\', "/").eq_ignore_ascii_case(want))?
        .to_string();
    zip.by_name(&real).ok()
}

fn attr(e: &BytesStart, key: &[u8]) -> Option<String> {
    e.attributes().flatten().find(|a| a.key == QName(key)).map(|a| {
        let raw = String::from_utf8_lossy(&a.value).into_owned();
        quick_xml::escape::unescape(&raw)
            .map(|v| v.into_owned())
            .unwrap_or(raw)
    })
}

/// `B7` -> (6, 1).
fn cell_pos(r: &str) -> Option<(u32, u32)> {
    let letters = r.bytes().take_while(u8::is_ascii_alphabetic).count();
    if !(1..=3).contains(&letters) {
        return None;
    }
    let col = r[..letters]
        .bytes()
        .fold(0u32, |a, b| a * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1));
    let row: u32 = r[letters..].parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// A custom number format that shows its number as a percent (Excel multiplies by 100 for
/// each `%` outside quotes).
pub(crate) fn format_is_percent(code: &str) -> bool {
    let (mut quoted, mut escaped) = (false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '%' if !quoted => return true,
            _ => {}
        }
    }
    false
}

/// The indices into `cellXfs` whose number format is a percent.
fn percent_styles(zip: &mut Zip) -> HashSet<usize> {
    let Some(f) = open(zip, "xl/styles.xml") else {
        return HashSet::new();
    };
    let mut x = reader(BufReader::new(f));
    let mut custom: HashMap<String, bool> = HashMap::new();
    let mut out = HashSet::new();
    let (mut in_xfs, mut index) = (false, 0usize);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                b"numFmt" => {
                    if let (Some(id), Some(code)) = (attr(&e, b"numFmtId"), attr(&e, b"formatCode")) {
                        custom.insert(id, format_is_percent(&code));
                    }
                }
                b"cellXfs" => in_xfs = true,
                b"xf" if in_xfs => {
                    let id = attr(&e, b"numFmtId").unwrap_or_default();
                    let percent = match id.as_str() {
                        "9" | "10" => true,
                        other => custom.get(other).copied().unwrap_or(false),
                    };
                    if percent {
                        out.insert(index);
                    }
                    index += 1;
                }
                _ => {}
            },
            Ok(Event::End(e)) if e.local_name().as_ref() == b"cellXfs" => return out,
            Ok(Event::Eof) | Err(_) => return out,
            _ => {}
        }
    }
}

/// The part of the sheet named `sheet`, from the workbook and its relationships, as calamine
/// resolves it.
fn sheet_part(zip: &mut Zip, sheet: &str) -> Option<String> {
    let mut rid = None;
    {
        let f = open(zip, "xl/workbook.xml")?;
        let mut x = reader(BufReader::new(f));
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match x.read_event_into(&mut buf).ok()? {
                Event::Start(e)
                    if e.local_name().as_ref() == b"sheet" && attr(&e, b"name").as_deref() == Some(sheet) =>
                {
                    rid = attr(&e, b"r:id").or_else(|| attr(&e, b"relationships:id"));
                    break;
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    let rid = rid?;
    let mut f = open(zip, "xl/_rels/workbook.xml.rels")?;
    let mut text = Vec::new();
    f.read_to_end(&mut text).ok()?;
    let mut x = reader(text.as_slice());
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf).ok()? {
            Event::Start(e)
                if e.local_name().as_ref() == b"Relationship"
                    && attr(&e, b"Id").as_deref() == Some(rid.as_str()) =>
            {
                let t = attr(&e, b"Target")?;
                return Some(if let Some(rest) = t.strip_prefix("/xl/") {
                    format!("xl/{rest}")
                } else if t.starts_with("xl/") {
                    t
                } else {
                    format!("xl/{t}")
                });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats() {
        assert!(format_is_percent("0%"));
        assert!(format_is_percent("0.0%;[Red]-0.0%"));
        assert!(!format_is_percent("#,##0.00"));
        assert!(!format_is_percent("0\"%\""));
        assert!(!format_is_percent("0\\%"));
    }

    #[test]
    fn cell_positions() {
        assert_eq!(cell_pos("A1"), Some((0, 0)));
        assert_eq!(cell_pos("AB12"), Some((11, 27)));
        assert_eq!(cell_pos("12"), None);
    }
}
