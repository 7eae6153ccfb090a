//! 统一社会信用代码 (GB 32100-2015).

use crate::ParseError;
use std::fmt;

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// An 18-character unified social credit code whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Uscc(String);

fn value_of(c: u8) -> Option<u32> {
    CHARSET.iter().position(|&x| x == c).map(|p| p as u32)
}

/// The check character for the first 17 characters (weights 3^i mod 31).
pub fn check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    let mut weight = 1u32;
    for &c in first17 {
        sum += value_of(c)? * weight;
        weight = weight * 3 % 31;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

impl Uscc {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().to_ascii_uppercase();
        if t.chars().count() != 18 {
            return Err(ParseError::new(
                "uscc_length",
                format!("统一社会信用代码“{s}”应为18位,实际{}位", t.chars().count()),
            ));
        }
        let b = t.as_bytes();
        if let Some(bad) = t.chars().find(|c| !c.is_ascii() || value_of(*c as u8).is_none()) {
            return Err(ParseError::new(
                "uscc_charset",
                format!("统一社会信用代码“{s}”含有不允许的字符“{bad}”(不使用 I、O、Z、S、V)"),
            ));
        }
        if !b[2..8].iter().all(u8::is_ascii_digit) {
            return Err(ParseError::new(
                "uscc_region",
                format!("统一社会信用代码“{s}”第3–8位应为行政区划代码"),
            ));
        }
        let want = check_char(&b[..17]).expect("charset checked");
        if b[17] as char != want {
            return Err(ParseError::new(
                "uscc_check",
                format!("统一社会信用代码“{s}”校验位错误:应为“{want}”"),
            ));
        }
        Ok(Self(t))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The region code embedded in characters 3–8.
    pub fn region_digits(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for Uscc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Uscc {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Uscc::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_codes() {
        for c in ["91110000600037341L", "91340600MA2PBM9HXD", "121200004013590816"] {
            assert!(Uscc::parse(c).is_ok(), "{c}");
        }
    }

    #[test]
    fn rejects_wrong_check_and_bad_chars() {
        assert_eq!(Uscc::parse("91110000600037341N").unwrap_err().rule, "uscc_check");
        assert_eq!(
            Uscc::parse("9111000060003IOZSV").unwrap_err().rule,
            "uscc_charset"
        );
        assert_eq!(Uscc::parse("9111000060003734").unwrap_err().rule, "uscc_length");
    }

    #[test]
    fn check_char_by_hand() {
        // 91110000600037341L. GB 32100 weights W_i = 3^(i-1) mod 31 for i = 1..17:
        //   1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.
        // Characters 9 1 1 1 0 0 0 0 6 0 0 0 3 7 3 4 1; the non-zero products:
        //   9*1 + 1*3 + 1*9 + 1*27 + 6*20 + 3*8 + 7*24 + 3*10 + 4*30 + 1*28
        //   = 9 + 3 + 9 + 27 + 120 + 24 + 168 + 30 + 120 + 28 = 538.
        // 538 mod 31 = 538 - 17*31 = 11; 31 - 11 = 20 -> the 21st character of
        // 0-9 A B C D E F G H J K L... = 'L'.
        assert_eq!(check_char(b"91110000600037341"), Some('L'));
    }

    #[test]
    fn the_policy_contract_example_is_valid() {
        assert!(Uscc::parse("91130981MA0AB12CXA").is_ok());
    }
}
