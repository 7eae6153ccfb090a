//! 国民经济行业分类 (GB/T 4754-2017) codes.

use crate::ParseError;
use std::fmt;

/// A division (2 digits), group (3) or class (4), optionally written with its section letter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct IndustryCode(String);

/// Section letter for each division range of GB/T 4754-2017.
const SECTIONS: &[(u32, u32, char)] = &[
    (1, 5, 'A'),
    (6, 12, 'B'),
    (13, 43, 'C'),
    (44, 46, 'D'),
    (47, 50, 'E'),
    (51, 52, 'F'),
    (53, 60, 'G'),
    (61, 62, 'H'),
    (63, 65, 'I'),
    (66, 69, 'J'),
    (70, 70, 'K'),
    (71, 72, 'L'),
    (73, 75, 'M'),
    (76, 79, 'N'),
    (80, 82, 'O'),
    (83, 83, 'P'),
    (84, 85, 'Q'),
    (86, 90, 'R'),
    (91, 96, 'S'),
    (97, 97, 'T'),
];

impl IndustryCode {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim().to_ascii_uppercase();
        let (letter, digits) = match t.chars().next() {
            Some(c) if c.is_ascii_alphabetic() => (Some(c), &t[1..]),
            _ => (None, &t[..]),
        };
        if !(2..=4).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "industry_format",
                format!("行业代码“{s}”应为2–4位数字(可带门类字母,如 C3311)"),
            ));
        }
        let division: u32 = digits[..2].parse().expect("digits");
        let Some(section) = section_of(division) else {
            return Err(ParseError::new(
                "industry_division",
                format!("行业代码“{s}”的大类{division:02}不存在"),
            ));
        };
        if let Some(l) = letter
            && l != section
        {
            return Err(ParseError::new(
                "industry_section",
                format!("行业代码“{s}”的门类应为{section},不是{l}"),
            ));
        }
        Ok(Self(digits.to_string()))
    }

    /// The digits, without the section letter.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn division(&self) -> &str {
        &self.0[..2]
    }

    pub fn section(&self) -> char {
        section_of(self.0[..2].parse().expect("digits")).expect("checked at parse")
    }

    /// Manufacturing (门类 C) is what 规上工业 counts.
    pub fn is_manufacturing(&self) -> bool {
        self.section() == 'C'
    }
}

fn section_of(division: u32) -> Option<char> {
    SECTIONS
        .iter()
        .find(|(lo, hi, _)| (*lo..=*hi).contains(&division))
        .map(|s| s.2)
}

impl fmt::Display for IndustryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.section(), self.0)
    }
}

impl<'de> serde::Deserialize<'de> for IndustryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        IndustryCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_with_and_without_section() {
        assert_eq!(IndustryCode::parse("C3311").unwrap().as_str(), "3311");
        assert_eq!(IndustryCode::parse("2511").unwrap().section(), 'C');
        assert_eq!(IndustryCode::parse("44").unwrap().section(), 'D');
        assert_eq!(IndustryCode::parse("C3311").unwrap().to_string(), "C3311");
    }

    #[test]
    fn rejects() {
        assert_eq!(IndustryCode::parse("A3311").unwrap_err().rule, "industry_section");
        assert_eq!(IndustryCode::parse("98").unwrap_err().rule, "industry_division");
        assert_eq!(IndustryCode::parse("3").unwrap_err().rule, "industry_format");
        assert_eq!(IndustryCode::parse("33111").unwrap_err().rule, "industry_format");
    }
}
