//! Money as integer fen. Parsing from yuan text is exact; nothing goes through floats.

use crate::ParseError;
use std::fmt;
use std::ops::{Add, Neg, Sub};

/// An amount in fen (1 yuan = 100 fen). May be negative (a payer in a transfer).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Fen(pub i64);

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub fn from_yuan(yuan: i64) -> Self {
        Fen(yuan * 100)
    }

    /// Parse a yuan amount such as `3000000`, `1,000,000.50` or `-500.5`. More than two
    /// decimal places is an error rather than a silent rounding.
    pub fn parse_yuan(s: &str) -> Result<Self, ParseError> {
        let t: String = s
            .trim()
            .chars()
            .filter(|c| *c != ',' && *c != '\u{ff0c}')
            .collect();
        let bad = || ParseError::new("money_format", format!("金额“{s}”不是有效的元金额(最多两位小数)"));
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let yuan: i64 = int.parse().map_err(|_| bad())?;
        let mut fen_part: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            fen_part *= 10;
        }
        let v = yuan
            .checked_mul(100)
            .and_then(|v| v.checked_add(fen_part))
            .ok_or_else(bad)?;
        Ok(Fen(if neg { -v } else { v }))
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Yuan with two decimals, e.g. `1000000.00`.
    pub fn yuan_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        format!("{sign}{}.{:02}", a / 100, a % 100)
    }

    /// 万元 with `decimals` places, rounded half away from zero, with thousands separators.
    pub fn wan_yuan(self, decimals: u32) -> String {
        format_scaled(self.0, 1_000_000, decimals)
    }

    /// 亿元 with `decimals` places, rounded half away from zero, with thousands separators.
    pub fn yi_yuan(self, decimals: u32) -> String {
        format_scaled(self.0, 10_000_000_000, decimals)
    }
}

/// Divide `v` by `unit` and show `decimals` places, rounding half away from zero, in integers.
pub fn format_scaled(v: i64, unit: i64, decimals: u32) -> String {
    let scale = 10i128.pow(decimals);
    let num = v as i128 * scale;
    let den = unit as i128;
    let q = (num.abs() + den / 2) / den;
    let int = q / scale;
    let frac = q % scale;
    let sign = if v < 0 && q != 0 { "-" } else { "" };
    let int_s = group_thousands(&int.to_string());
    if decimals == 0 {
        format!("{sign}{int_s}")
    } else {
        format!("{sign}{int_s}.{:0width$}", frac, width = decimals as usize)
    }
}

/// `1234567` -> `1,234,567`.
pub fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A plain decimal number with its integer part grouped: `-1234567.5` -> `-1,234,567.5`.
pub fn group_number(s: &str) -> String {
    let (sign, digits) = s.strip_prefix('-').map(|x| ("-", x)).unwrap_or(("", s));
    match digits.split_once('.') {
        Some((int, frac)) => format!("{sign}{}.{frac}", group_thousands(int)),
        None => format!("{sign}{}", group_thousands(digits)),
    }
}

impl fmt::Display for Fen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.yuan_string())
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}

impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}

impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}

impl std::iter::Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        Fen(iter.map(|f| f.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_numbers() {
        assert_eq!(group_number("1234567"), "1,234,567");
        assert_eq!(group_number("-1234567.50"), "-1,234,567.50");
        assert_eq!(group_number("999.9"), "999.9");
        assert_eq!(group_number("-12"), "-12");
    }

    #[test]
    fn parses_yuan_exactly() {
        assert_eq!(Fen::parse_yuan("3000000").unwrap(), Fen(300_000_000));
        assert_eq!(Fen::parse_yuan("1,000,000.5").unwrap(), Fen(100_000_050));
        assert_eq!(Fen::parse_yuan("1\u{ff0c}000").unwrap(), Fen(100_000));
        assert_eq!(Fen::parse_yuan("0.07").unwrap(), Fen(7));
        assert_eq!(Fen::parse_yuan("-12.34").unwrap(), Fen(-1234));
        assert!(Fen::parse_yuan("1.005").is_err());
        assert!(Fen::parse_yuan("abc").is_err());
        assert!(Fen::parse_yuan("").is_err());
        assert!(Fen::parse_yuan("1e5").is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(Fen(100_000_000).yuan_string(), "1000000.00");
        assert_eq!(Fen(-50).yuan_string(), "-0.50");
        // 1,234,567,890 yuan = 123,456.789 万元 -> 123,456.79
        assert_eq!(Fen(123_456_789_000).wan_yuan(2), "123,456.79");
        // 12.345 亿元 -> 12.35 (half away from zero)
        assert_eq!(Fen(123_450_000_000).yi_yuan(2), "12.35");
        assert_eq!(Fen(0).yi_yuan(1), "0.0");
    }
}
