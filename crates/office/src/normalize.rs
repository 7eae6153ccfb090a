//! Text as an official sees it on screen: what looks the same is read the same.
//!
//! Counties type in Chinese input methods (full-width digits and letters), paste from web
//! pages and Word (NBSP, zero-width spaces, a BOM) and write dashes as their keyboard gives
//! them. None of that is visible in a cell, so none of it may change what a cell means.

/// A key, code, number, period or header cell: [`clean_text`], then full-width digits,
/// letters and `．` as ASCII.
pub fn normalize(s: &str) -> String {
    clean_text(s)
        .chars()
        .map(|c| match c {
            // The full-width forms of 0-9, A-Z, a-z and '.' sit 0xFEE0 above ASCII.
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' | '\u{FF0E}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            other => other,
        })
        .collect()
}

/// Free text (a note, a name) as typed, but without the invisible characters (zero-width
/// ones, a BOM) and with NBSP and the ideographic space read as spaces, trimmed: its
/// full-width letters are the writer's choice and are kept.
pub fn clean_text(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        .map(|c| {
            if matches!(c, '\u{00A0}' | '\u{3000}') {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// A header cell in the form headers are compared in: [`normalize`]d, spaces dropped,
/// full-width brackets and comma as ASCII, and every dash (`1-11月`, `1—11月`, `1－11月`) as
/// the en dash the template writes (`1–11月`).
pub fn header_key(s: &str) -> String {
    normalize(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{ff08}' => '(',
            '\u{ff09}' => ')',
            '\u{ff0c}' => ',',
            '-' | '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{ff0d}' => '\u{2013}',
            other => other,
        })
        .collect()
}

/// A period as written in Chinese, `2026年11月` or `2026年3月`, in the form periods are
/// parsed in (`2026-11`); anything else is returned as it is, for the parser to judge.
pub fn period_text(s: &str) -> String {
    let t = normalize(s);
    let month = t
        .strip_suffix('月')
        .and_then(|r| r.split_once('年'))
        .filter(|(y, m)| {
            y.len() == 4
                && (1..=2).contains(&m.len())
                && format!("{y}{m}").bytes().all(|b| b.is_ascii_digit())
        });
    match month {
        Some((y, m)) => format!("{y}-{m:0>2}"),
        None => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chinese_month_reads_as_the_parsed_form() {
        assert_eq!(period_text("2026年11月"), "2026-11");
        assert_eq!(period_text("２０２６年3月"), "2026-03");
        assert_eq!(period_text("2026-11"), "2026-11");
        assert_eq!(period_text("26年11月"), "26年11月");
    }

    #[test]
    fn full_width_digits_and_letters_are_ascii() {
        assert_eq!(normalize("１２３４．５"), "1234.5");
        assert_eq!(normalize("Ｃ１９"), "C19");
        assert_eq!(normalize("ｃｌｕｓｔｅｒ"), "cluster");
        // Chinese text is left as it is.
        assert_eq!(normalize("泊头市"), "泊头市");
    }

    #[test]
    fn invisible_characters_are_dropped_and_spaces_trimmed() {
        assert_eq!(normalize("\u{feff}C19"), "C19");
        assert_eq!(normalize("C\u{200b}19\u{200d}"), "C19");
        assert_eq!(normalize("\u{2060}130981\u{200c}"), "130981");
        assert_eq!(normalize("\u{a0}2025-11\u{3000}"), "2025-11");
        assert_eq!(normalize("泊头\u{a0}市"), "泊头 市");
    }

    #[test]
    fn free_text_keeps_full_width_letters() {
        assert_eq!(clean_text("\u{feff}\u{3000}ＡＢ公司\u{200b}\u{a0}"), "ＡＢ公司");
    }

    #[test]
    fn every_dash_reads_as_the_templates_en_dash() {
        let want = "营业收入(万元,1\u{2013}11月累计)";
        for dash in [
            '-', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{ff0d}',
        ] {
            let h = format!("营业收入\u{ff08}万元\u{ff0c}1{dash}１１月累计\u{ff09}");
            assert_eq!(header_key(&h), want, "dash {dash:?}");
        }
        assert_ne!(header_key("营业收入(万元,1-10月累计)"), want);
    }
}
