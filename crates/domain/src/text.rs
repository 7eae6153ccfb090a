//! Text that people type and that others read: names, notes, reasons.
//!
//! What is stored is what the reader will see. Invisible characters pasted from Word or web
//! pages (zero-width spaces, a BOM) are dropped and the no-break and ideographic spaces read
//! as spaces, as the spreadsheet importer does; the result is NFC-normalised so that one
//! name has one form. Characters that would make the screen show something other than what
//! is stored are refused, not silently removed: control characters (a NUL would truncate the
//! text in some tools) and the bidirectional controls that reorder text (U+202E can make
//! `exe.txt` look like `txt.exe`). Every field has a length limit, so one 300,000-character
//! name cannot fill a page.

use unicode_normalization::UnicodeNormalization;

/// What a field accepts: a label for messages, the most characters, and whether it may hold
/// line breaks (a note, a reason) or is one line (a name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub max_chars: usize,
    pub multiline: bool,
}

impl Field {
    pub const fn line(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            max_chars,
            multiline: false,
        }
    }
    pub const fn note(label: &'static str, max_chars: usize) -> Self {
        Self {
            label,
            max_chars,
            multiline: true,
        }
    }
}

/// The fields of the plan's users, with their limits. An enterprise's registered name is at
/// most 50 characters under the registration rules; 100 leaves room for branch names.
pub const ENTERPRISE_NAME: Field = Field::line("企业名称", 100);
pub const ADDRESS: Field = Field::line("地址", 200);
pub const CONTACT: Field = Field::line("联系方式", 100);
pub const DISPLAY_NAME: Field = Field::line("姓名", 50);
pub const COMMENT: Field = Field::note("说明", 2000);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextRefusal {
    #[error("{label}含有控制字符 U+{code:04X},请删除后重新输入")]
    Control { label: &'static str, code: u32 },
    #[error("{label}含有文字方向控制字符 U+{code:04X},会使显示的内容与实际内容不同,请删除后重新输入")]
    Bidi { label: &'static str, code: u32 },
    #[error("{label}过长:最多{max}个字符,现为{len}个")]
    TooLong {
        label: &'static str,
        max: usize,
        len: usize,
    },
}

/// The text as it will be stored, or why it cannot be: invisible characters dropped, spaces
/// unified, line breaks as `\n`, trimmed, NFC; then controls, bidi controls and length checked.
pub fn clean(field: Field, s: &str) -> Result<String, TextRefusal> {
    let unified: String = s
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| !matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        .map(|c| match c {
            '\u{00A0}' | '\u{3000}' => ' ',
            '\r' => '\n',
            other => other,
        })
        .nfc()
        .collect();
    let text = unified.trim();
    for c in text.chars() {
        let code = c as u32;
        let allowed_break = field.multiline && (c == '\n' || c == '\t');
        if c.is_control() && !allowed_break {
            return Err(TextRefusal::Control {
                label: field.label,
                code,
            });
        }
        if is_bidi_control(c) {
            return Err(TextRefusal::Bidi {
                label: field.label,
                code,
            });
        }
    }
    let len = text.chars().count();
    if len > field.max_chars {
        return Err(TextRefusal::TooLong {
            label: field.label,
            max: field.max_chars,
            len,
        });
    }
    Ok(text.to_string())
}

/// The explicit directional formatting characters of Unicode's bidi algorithm (UAX #9):
/// embeddings and overrides, isolates, and the three marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Field = Field::line("企业名称", 10);
    const NOTE: Field = Field::note("说明", 10);

    #[test]
    fn what_looks_the_same_is_stored_the_same() {
        // Zero-width space, BOM and NBSP pasted around and inside a name.
        assert_eq!(
            clean(NAME, "\u{FEFF} 泊头\u{200B}铸造\u{00A0}厂 ").as_deref(),
            Ok("泊头铸造 厂")
        );
        // "é" as e + combining acute (2 code points) is stored as the one precomposed U+00E9.
        assert_eq!(clean(NAME, "Cafe\u{0301}").as_deref(), Ok("Caf\u{00E9}"));
        // Windows line breaks in a note become \n; a tab is kept in a note.
        assert_eq!(clean(NOTE, "一\r\n二\r三\t四").as_deref(), Ok("一\n二\n三\t四"));
    }

    #[test]
    fn controls_and_direction_overrides_are_refused_with_their_code() {
        assert_eq!(
            clean(NAME, "泊头\u{0000}厂"),
            Err(TextRefusal::Control {
                label: "企业名称",
                code: 0
            })
        );
        // A line break inside a name (one line) is a control; inside a note it is not.
        assert_eq!(
            clean(NAME, "泊头\n厂"),
            Err(TextRefusal::Control {
                label: "企业名称",
                code: 0x0A
            })
        );
        assert_eq!(
            clean(NAME, "abc\u{202E}txt.exe"),
            Err(TextRefusal::Bidi {
                label: "企业名称",
                code: 0x202E
            })
        );
        assert_eq!(
            clean(NOTE, "\u{2066}x\u{2069}"),
            Err(TextRefusal::Bidi {
                label: "说明",
                code: 0x2066
            })
        );
        assert_eq!(
            clean(NAME, "a\u{202E}b").unwrap_err().to_string(),
            "企业名称含有文字方向控制字符 U+202E,会使显示的内容与实际内容不同,请删除后重新输入"
        );
    }

    #[test]
    fn the_limit_counts_characters_not_bytes_after_trimming() {
        // Ten Chinese characters are 30 bytes and within a 10-character limit.
        assert_eq!(
            clean(NAME, "  一二三四五六七八九十  ").as_deref(),
            Ok("一二三四五六七八九十")
        );
        assert_eq!(
            clean(NAME, "一二三四五六七八九十一"),
            Err(TextRefusal::TooLong {
                label: "企业名称",
                max: 10,
                len: 11
            })
        );
        assert_eq!(
            clean(NAME, "一二三四五六七八九十一").unwrap_err().to_string(),
            "企业名称过长:最多10个字符,现为11个"
        );
    }
}
