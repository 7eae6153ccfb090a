//! Region codes (GB/T 2260 and the plan's statistical zones).

use crate::ParseError;
use std::fmt;

/// Six digits. Whether the code belongs to the plan is checked against the org tree.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        if t.len() != 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ParseError::new(
                "region_format",
                format!("行政区划代码“{s}”应为6位数字"),
            ));
        }
        let province: u32 = t[..2].parse().expect("digits");
        if !(11..=82).contains(&province) {
            return Err(ParseError::new(
                "region_province",
                format!("行政区划代码“{s}”的省级代码不存在"),
            ));
        }
        Ok(Self(t.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for RegionCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        RegionCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert_eq!(RegionCode::parse("130981").unwrap().as_str(), "130981");
        assert!(RegionCode::parse("13098").is_err());
        assert!(RegionCode::parse("99098a").is_err());
        assert!(RegionCode::parse("990981").is_err());
    }
}
