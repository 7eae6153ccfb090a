//! The shared-string numbers of an .xlsx checked against its shared-strings table before
//! calamine reads them: calamine indexes the table with the number a cell gives, unchecked,
//! and panics past its end. The XML is read the way calamine reads it (same parser, same
//! settings, the same rules for which `<si>` make an entry), so that both count alike.

use quick_xml::Reader;
use quick_xml::events::Event;
use quick_xml::name::QName;
use std::io::BufRead;

pub(crate) const SHARED_STRINGS: &str = "xl/sharedStrings.xml";

/// A reader set up as calamine sets up its own.
pub(crate) fn reader<R: BufRead>(r: R) -> Reader<R> {
    let mut x = Reader::from_reader(r);
    let c = x.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    x
}

/// How many entries calamine's table will have: the `<si>` elements with a `<t>` outside
/// phonetic runs, or with rich-text runs. `None` when the XML is broken (calamine refuses it).
pub(crate) fn shared_strings_count<R: BufRead>(mut x: Reader<R>) -> Option<usize> {
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        match x.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"si" => {
                let closing = e.name().as_ref().to_vec();
                if entry_has_text(&mut x, QName(&closing))? {
                    n += 1;
                }
            }
            Event::End(e) if e.local_name().as_ref() == b"sst" => return Some(n),
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// calamine's `read_string`, answering only whether it gives a string.
fn entry_has_text<R: BufRead>(x: &mut Reader<R>, closing: QName) -> Option<bool> {
    let (mut buf, mut inner) = (Vec::new(), Vec::new());
    let (mut rich, mut phonetic) = (false, false);
    loop {
        buf.clear();
        match x.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"r" => rich = true,
            Event::Start(e) if e.local_name().as_ref() == b"rPh" => phonetic = true,
            Event::End(e) if e.name() == closing => return Some(rich),
            Event::End(e) if e.local_name().as_ref() == b"rPh" => phonetic = false,
            Event::Start(e) if e.local_name().as_ref() == b"t" && !phonetic => {
                let name = e.name().as_ref().to_vec();
                loop {
                    inner.clear();
                    match x.read_event_into(&mut inner).ok()? {
                        Event::Text(t) => {
                            t.unescape().ok()?;
                        }
                        Event::End(end) if end.name().as_ref() == name.as_slice() => break,
                        Event::Eof => return None,
                        _ => {}
                    }
                }
                if !rich {
                    x.read_to_end_into(closing, &mut inner).ok()?;
                    return Some(true);
                }
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// A cell reference calamine reads without overflow: 1–3 letters, then 1–7 digits.
fn cell_ref_ok(r: &[u8]) -> bool {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = &r[letters..];
    (1..=3).contains(&letters) && (1..=7).contains(&digits.len()) && digits.iter().all(u8::is_ascii_digit)
}

/// (row, column) of a reference that passed [`cell_ref_ok`].
fn cell_pos(r: &[u8]) -> (u64, u64) {
    r.iter().fold((0, 0), |(row, col), b| match b {
        b'0'..=b'9' => (row * 10 + u64::from(b - b'0'), col),
        _ => (row, col * 26 + u64::from(b.to_ascii_uppercase() - b'A' + 1)),
    })
}

/// A declared used range calamine reads without overflow: one or two good references, the
/// first not past the second.
fn dimension_ok(v: &[u8]) -> bool {
    let parts: Vec<&[u8]> = v.split(|b| *b == b':').collect();
    match parts.as_slice() {
        [one] => cell_ref_ok(one),
        [a, b] if cell_ref_ok(a) && cell_ref_ok(b) => {
            let ((r0, c0), (r1, c1)) = (cell_pos(a), cell_pos(b));
            r0 <= r1 && c0 <= c1
        }
        _ => false,
    }
}

/// A declared used range calamine would overflow on, wherever it stands in the part:
/// calamine looks for it among everything before the sheet data, at any depth.
pub(crate) fn bad_dimension<R: BufRead>(mut x: Reader<R>) -> Option<String> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"dimension" => {
                for a in e.attributes().flatten() {
                    if a.key == QName(b"ref") && !dimension_ok(&a.value) {
                        return Some(String::from_utf8_lossy(&a.value).into_owned());
                    }
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The first problem of an XML part that would make calamine panic or overflow, as (where,
/// the value as written, rule): a cell, row or used-range reference it cannot read, or a
/// shared-string number that is not a plain number below `count`. Stops quietly where the
/// XML breaks, which calamine refuses on its own.
pub(crate) fn first_problem<R: BufRead>(
    mut x: Reader<R>,
    count: usize,
) -> Option<(String, String, &'static str)> {
    let (mut buf, mut inner) = (Vec::new(), Vec::new());
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    loop {
        buf.clear();
        let e = match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"c" => e.into_owned(),
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"dimension" => {
                for a in e.attributes().flatten() {
                    if a.key == QName(b"ref") && !dimension_ok(&a.value) {
                        return Some((String::new(), text(&a.value), "dimension_invalid"));
                    }
                }
                continue;
            }
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"row" => {
                for a in e.attributes().flatten() {
                    let ok = (1..=7).contains(&a.value.len()) && a.value.iter().all(u8::is_ascii_digit);
                    if a.key == QName(b"r") && !ok {
                        return Some((String::new(), text(&a.value), "row_ref_invalid"));
                    }
                }
                continue;
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => continue,
        };
        let mut shared = false;
        let mut at = String::new();
        for a in e.attributes().flatten() {
            match a.key {
                QName(b"t") => shared = a.value.as_ref() == b"s",
                QName(b"r") if !cell_ref_ok(&a.value) => {
                    return Some((String::new(), text(&a.value), "cell_ref_invalid"));
                }
                QName(b"r") => at = text(&a.value),
                _ => {}
            }
        }
        // The cell's children, as calamine's cell reader walks them. A formula with no
        // cached value (files written by programs that do not calculate) reads as empty to
        // calamine, so it is noted here and refused rather than skipped.
        let (mut formula, mut value) = (false, false);
        loop {
            inner.clear();
            match x.read_event_into(&mut inner) {
                Ok(Event::Start(v)) if v.local_name().as_ref() == b"v" => {
                    value = true;
                    let name = v.name().as_ref().to_vec();
                    let mut v_text = String::new();
                    let mut vbuf = Vec::new();
                    loop {
                        vbuf.clear();
                        match x.read_event_into(&mut vbuf) {
                            Ok(Event::Text(t)) => match t.unescape() {
                                Ok(s) => v_text.push_str(&s),
                                Err(_) => return None,
                            },
                            Ok(Event::End(end)) if end.name().as_ref() == name.as_slice() => break,
                            Ok(Event::Eof) | Err(_) => return None,
                            _ => {}
                        }
                    }
                    let ok = !v_text.is_empty()
                        && v_text.len() <= 20
                        && v_text.bytes().all(|b| b.is_ascii_digit())
                        && v_text.parse::<usize>().is_ok_and(|i| i < count);
                    if shared && !ok {
                        return Some((at, v_text, "shared_string_ref"));
                    }
                }
                // A formula is skipped to its end, as calamine skips it.
                Ok(Event::Start(f)) if f.local_name().as_ref() == b"f" => {
                    formula = true;
                    let name = f.name().as_ref().to_vec();
                    if x.read_to_end_into(QName(&name), &mut Vec::new()).is_err() {
                        return None;
                    }
                }
                // An inline string is read to the first end tag of its name, as calamine
                // reads it (not depth by depth), so that both go on at the same place.
                Ok(Event::Start(is)) if is.local_name().as_ref() == b"is" => {
                    let name = is.name().as_ref().to_vec();
                    let mut ibuf = Vec::new();
                    loop {
                        ibuf.clear();
                        match x.read_event_into(&mut ibuf) {
                            Ok(Event::End(end)) if end.name().as_ref() == name.as_slice() => break,
                            Ok(Event::Eof) | Err(_) => return None,
                            _ => {}
                        }
                    }
                }
                // Anything else in a cell stops calamine with an error.
                Ok(Event::Start(_)) => return None,
                Ok(Event::End(end)) if end.local_name().as_ref() == b"c" => break,
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
        }
        if formula && !value {
            return Some((at, String::new(), "formula_without_value"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(xml: &str) -> Option<usize> {
        shared_strings_count(reader(xml.as_bytes()))
    }

    #[test]
    fn counts_entries_as_calamine_does() {
        assert_eq!(
            count("<sst><si><t>a</t></si><si/><si><rPh><t>b</t></rPh></si><si><r><t>c</t></r></si></sst>"),
            Some(2)
        );
        assert_eq!(count("<sst><si><t>a</t></si>"), None);
    }

    #[test]
    fn finds_a_number_past_the_table() {
        let sheet =
            r#"<sheetData><row><c r="A1" t="s"><v>1</v></c><c r="B1" t="s"><v>2</v></c></row></sheetData>"#;
        assert_eq!(first_problem(reader(sheet.as_bytes()), 3), None);
        assert_eq!(
            first_problem(reader(sheet.as_bytes()), 2),
            Some(("B1".to_string(), "2".to_string(), "shared_string_ref"))
        );
        let junk = r#"<c r="C3" t="s"><f>x</f><v>+1</v></c>"#;
        assert_eq!(
            first_problem(reader(junk.as_bytes()), 9),
            Some(("C3".into(), "+1".into(), "shared_string_ref"))
        );
    }

    #[test]
    fn finds_references_calamine_would_overflow_on() {
        let problem = |xml: &str| first_problem(reader(xml.as_bytes()), 0).map(|p| p.2);
        // Found by fuzzing: a used range that ends before it starts.
        assert_eq!(problem(r#"<dimension ref="A10:C4"/>"#), Some("dimension_invalid"));
        assert_eq!(problem(r#"<dimension ref="A1:XFD1048576"/>"#), None);
        // Found by fuzzing too: a range inside a cell, which the cell walk does not reach.
        let nested = r#"<c t="b">x<dimension ref="A5:C4"/></c>"#;
        assert_eq!(bad_dimension(reader(nested.as_bytes())), Some("A5:C4".into()));
        assert_eq!(problem(r#"<c r="A12345678901"/>"#), Some("cell_ref_invalid"));
        assert_eq!(problem(r#"<row r="99999999999"/>"#), Some("row_ref_invalid"));
        assert_eq!(problem(r#"<row r="3"><c r="b3"/></row>"#), None);
    }

    #[test]
    fn finds_a_formula_without_a_cached_value() {
        let problem = |xml: &str| first_problem(reader(xml.as_bytes()), 0);
        assert_eq!(
            problem(r#"<c r="D5"><f>B5+C5</f></c>"#),
            Some(("D5".into(), String::new(), "formula_without_value"))
        );
        // An empty cached value is a value (a formula giving ""), as is a number.
        assert_eq!(problem(r#"<c r="D5" t="str"><f>""</f><v></v></c>"#), None);
        assert_eq!(problem(r#"<c r="D5"><f>B5+C5</f><v>3</v></c>"#), None);
    }
}
