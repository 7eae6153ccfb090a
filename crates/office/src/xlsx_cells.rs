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

/// The first cell of an XML part whose shared-string number is not a plain number below
/// `count`, as (its `r` reference or "", the number as written). Stops quietly where the XML
/// breaks, which calamine refuses on its own.
pub(crate) fn bad_shared_string_ref<R: BufRead>(mut x: Reader<R>, count: usize) -> Option<(String, String)> {
    let (mut buf, mut inner) = (Vec::new(), Vec::new());
    loop {
        buf.clear();
        let e = match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == b"c" => e.into_owned(),
            Ok(Event::Eof) | Err(_) => return None,
            _ => continue,
        };
        let mut shared = false;
        let mut at = String::new();
        for a in e.attributes().flatten() {
            match a.key {
                QName(b"t") => shared = a.value.as_ref() == b"s",
                QName(b"r") => at = String::from_utf8_lossy(&a.value).into_owned(),
                _ => {}
            }
        }
        // The cell's children, as calamine's cell reader walks them.
        loop {
            inner.clear();
            match x.read_event_into(&mut inner) {
                Ok(Event::Start(v)) if v.local_name().as_ref() == b"v" => {
                    let name = v.name().as_ref().to_vec();
                    let mut text = String::new();
                    let mut vbuf = Vec::new();
                    loop {
                        vbuf.clear();
                        match x.read_event_into(&mut vbuf) {
                            Ok(Event::Text(t)) => match t.unescape() {
                                Ok(s) => text.push_str(&s),
                                Err(_) => return None,
                            },
                            Ok(Event::End(end)) if end.name().as_ref() == name.as_slice() => break,
                            Ok(Event::Eof) | Err(_) => return None,
                            _ => {}
                        }
                    }
                    let ok = !text.is_empty()
                        && text.len() <= 20
                        && text.bytes().all(|b| b.is_ascii_digit())
                        && text.parse::<usize>().is_ok_and(|i| i < count);
                    if shared && !ok {
                        return Some((at, text));
                    }
                }
                Ok(Event::Start(other)) => {
                    let name = other.name().as_ref().to_vec();
                    if x.read_to_end_into(QName(&name), &mut Vec::new()).is_err() {
                        return None;
                    }
                }
                Ok(Event::End(end)) if end.local_name().as_ref() == b"c" => break,
                Ok(Event::Eof) | Err(_) => return None,
                _ => {}
            }
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
        assert_eq!(bad_shared_string_ref(reader(sheet.as_bytes()), 3), None);
        assert_eq!(
            bad_shared_string_ref(reader(sheet.as_bytes()), 2),
            Some(("B1".to_string(), "2".to_string()))
        );
        let junk = r#"<c r="C3" t="s"><f>x</f><v>+1</v></c>"#;
        assert_eq!(
            bad_shared_string_ref(reader(junk.as_bytes()), 9),
            Some(("C3".into(), "+1".into()))
        );
    }
}
