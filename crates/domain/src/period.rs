//! Reporting periods: `2025-03` (month), `2025Q1` (quarter), `2025` (year). One parser, one type.

use crate::ParseError;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Month { year: i32, month: u32 },
    Quarter { year: i32, quarter: u32 },
    Year { year: i32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodType {
    Month,
    Quarter,
    Year,
}

impl PeriodType {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        match s.trim() {
            "month" => Ok(Self::Month),
            "quarter" => Ok(Self::Quarter),
            "year" => Ok(Self::Year),
            _ => Err(ParseError::new(
                "period_type",
                format!("周期类型“{s}”应为 month、quarter 或 year"),
            )),
        }
    }
}

const QUARTER_ZH: [&str; 4] = ["一", "二", "三", "四"];

/// The code form of a period written the way people read it ("2026年11月", "2025年一季度",
/// "2025年度"), for the refusal's hint; `None` when the text is not such a label.
fn zh_hint(t: &str) -> Option<String> {
    let (y, rest) = t.split_once('年')?;
    if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.trim();
    if rest.is_empty() || rest == "度" {
        return Some(y.to_string());
    }
    if let Some(m) = rest.strip_suffix('月').or_else(|| rest.strip_suffix("月份")) {
        let m: u32 = m.trim().parse().ok()?;
        return (1..=12).contains(&m).then(|| format!("{y}-{m:02}"));
    }
    let q = rest.strip_prefix('第').unwrap_or(rest).strip_suffix("季度")?;
    let q = match q {
        "一" | "1" => 1,
        "二" | "2" => 2,
        "三" | "3" => 3,
        "四" | "4" => 4,
        _ => return None,
    };
    Some(format!("{y}Q{q}"))
}

impl Period {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let t = s.trim();
        // Every reason names the form expected, so that a typed "2026年11月" is told what to
        // write instead of being blamed on its year.
        let bad = |why: String| ParseError::new("period_format", format!("期间“{s}”无效:{why}"));
        let forms = || match zh_hint(t) {
            Some(p) => match Period::parse(&p) {
                Ok(_) => format!("应写作“{p}”"),
                // The label's own year is out of range: say so, not suggest a refused form.
                Err(e) => e
                    .message
                    .split_once("无效:")
                    .map(|(_, why)| why.to_string())
                    .unwrap_or_default(),
            },
            None => "应写作“2025-03”(月)、“2025Q1”(季度)或“2025”(年)".to_string(),
        };
        let year = |y: &str, example: &str| -> Result<i32, ParseError> {
            if y.is_empty() || !y.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(forms()));
            }
            if y.len() != 4 {
                return Err(bad(format!("年份应为4位数字,应写作“{example}”")));
            }
            let v: i32 = y.parse().map_err(|_| bad(forms()))?;
            if !(1949..=2100).contains(&v) {
                return Err(bad(format!("年份应在1949–2100之间,如“{example}”")));
            }
            Ok(v)
        };
        if let Some((y, m)) = t.split_once('-') {
            let year = year(y, "2025-03")?;
            let month_bad = || bad(format!("月份应为01–12,应写作“{year}-03”"));
            if m.is_empty() || m.len() > 2 || !m.bytes().all(|b| b.is_ascii_digit()) {
                return Err(month_bad());
            }
            let month: u32 = m.parse().map_err(|_| month_bad())?;
            if !(1..=12).contains(&month) {
                return Err(month_bad());
            }
            return Ok(Period::Month { year, month });
        }
        if let Some((y, q)) = t.split_once(['Q', 'q']) {
            let year = year(y, "2025Q1")?;
            let quarter_bad = || bad(format!("季度应为1–4,应写作“{year}Q1”"));
            let quarter: u32 = q.parse().map_err(|_| quarter_bad())?;
            if !(1..=4).contains(&quarter) || q.len() != 1 {
                return Err(quarter_bad());
            }
            return Ok(Period::Quarter { year, quarter });
        }
        Ok(Period::Year {
            year: year(t, "2025")?,
        })
    }

    pub fn month(year: i32, month: u32) -> Self {
        assert!((1..=12).contains(&month));
        Period::Month { year, month }
    }

    pub fn kind(self) -> PeriodType {
        match self {
            Period::Month { .. } => PeriodType::Month,
            Period::Quarter { .. } => PeriodType::Quarter,
            Period::Year { .. } => PeriodType::Year,
        }
    }

    pub fn year(self) -> i32 {
        match self {
            Period::Month { year, .. } | Period::Quarter { year, .. } | Period::Year { year } => year,
        }
    }

    /// First and last month (1-based) the period covers.
    pub fn month_range(self) -> (u32, u32) {
        match self {
            Period::Month { month, .. } => (month, month),
            Period::Quarter { quarter, .. } => (quarter * 3 - 2, quarter * 3),
            Period::Year { .. } => (1, 12),
        }
    }

    /// A sortable key: months since year 0 of the period's last month.
    pub fn end_index(self) -> i64 {
        self.year() as i64 * 12 + self.month_range().1 as i64 - 1
    }

    pub fn next(self) -> Self {
        self.shift(1)
    }

    pub fn prev(self) -> Self {
        self.shift(-1)
    }

    /// The period `by` periods of the same kind later (earlier when negative).
    fn shift(self, by: i32) -> Self {
        match self {
            Period::Month { year, month } => {
                let i = year * 12 + month as i32 - 1 + by;
                Period::Month {
                    year: i.div_euclid(12),
                    month: i.rem_euclid(12) as u32 + 1,
                }
            }
            Period::Quarter { year, quarter } => {
                let i = year * 4 + quarter as i32 - 1 + by;
                Period::Quarter {
                    year: i.div_euclid(4),
                    quarter: i.rem_euclid(4) as u32 + 1,
                }
            }
            Period::Year { year } => Period::Year { year: year + by },
        }
    }

    pub fn same_period_last_year(self) -> Self {
        match self {
            Period::Month { year, month } => Period::Month {
                year: year - 1,
                month,
            },
            Period::Quarter { year, quarter } => Period::Quarter {
                year: year - 1,
                quarter,
            },
            Period::Year { year } => Period::Year { year: year - 1 },
        }
    }

    /// Every month from `from` to `to`, both included.
    pub fn months_between(from: Period, to: Period) -> Vec<Period> {
        let mut out = Vec::new();
        let (Period::Month { .. }, Period::Month { .. }) = (from, to) else {
            return out;
        };
        let mut p = from;
        while p.end_index() <= to.end_index() {
            out.push(p);
            p = p.next();
        }
        out
    }

    /// How people read it: 2025年3月, 2025年一季度, 2025年.
    pub fn label_zh(self) -> String {
        match self {
            Period::Month { year, month } => format!("{year}年{month}月"),
            Period::Quarter { year, quarter } => format!("{year}年{}季度", QUARTER_ZH[quarter as usize - 1]),
            Period::Year { year } => format!("{year}年"),
        }
    }

    /// The cumulative span up to this month: 2025年1–3月.
    pub fn cumulative_label_zh(self) -> String {
        match self {
            Period::Month { year, month: 1 } => format!("{year}年1月"),
            Period::Month { year, month } => format!("{year}年1–{month}月"),
            other => other.label_zh(),
        }
    }
}

impl PartialOrd for Period {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Period {
    /// By end month, then by length (a month sorts before the quarter that ends with it).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.end_index(), self.kind() as u8).cmp(&(other.end_index(), other.kind() as u8))
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Period::Month { year, month } => write!(f, "{year}-{month:02}"),
            Period::Quarter { year, quarter } => write!(f, "{year}Q{quarter}"),
            Period::Year { year } => write!(f, "{year}"),
        }
    }
}

impl serde::Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Period::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_forms() {
        assert_eq!(
            Period::parse("2025-03").unwrap(),
            Period::Month { year: 2025, month: 3 }
        );
        assert_eq!(
            Period::parse("2025Q1").unwrap(),
            Period::Quarter {
                year: 2025,
                quarter: 1
            }
        );
        assert_eq!(Period::parse("2025").unwrap(), Period::Year { year: 2025 });
        assert_eq!(Period::parse("2025-3").unwrap().to_string(), "2025-03");
    }

    #[test]
    fn rejects_bad_periods() {
        for bad in [
            "2024-13", "2024-00", "2025Q5", "2025Q0", "25-01", "2025-", "abc", "", "2025-1a",
        ] {
            assert_eq!(Period::parse(bad).unwrap_err().rule, "period_format", "{bad}");
        }
    }

    /// Each refusal says what to write; only a real year problem blames the year.
    #[test]
    fn refusals_name_the_form_expected() {
        let msg = |s: &str| Period::parse(s).unwrap_err().message;
        assert_eq!(msg("2026年11月"), "期间“2026年11月”无效:应写作“2026-11”");
        assert_eq!(msg("2025年1月份"), "期间“2025年1月份”无效:应写作“2025-01”");
        assert_eq!(msg("2025年一季度"), "期间“2025年一季度”无效:应写作“2025Q1”");
        assert_eq!(msg("2024年"), "期间“2024年”无效:应写作“2024”");
        let general = "应写作“2025-03”(月)、“2025Q1”(季度)或“2025”(年)";
        for s in ["abc", "", "十一月", "2026年13月"] {
            assert_eq!(msg(s), format!("期间“{s}”无效:{general}"), "{s}");
        }
        assert_eq!(msg("25-01"), "期间“25-01”无效:年份应为4位数字,应写作“2025-03”");
        assert_eq!(msg("1900"), "期间“1900”无效:年份应在1949–2100之间,如“2025”");
        assert_eq!(
            msg("1900年3月"),
            "期间“1900年3月”无效:年份应在1949–2100之间,如“2025-03”"
        );
        assert_eq!(msg("2024-13"), "期间“2024-13”无效:月份应为01–12,应写作“2024-03”");
        assert_eq!(msg("2025Q5"), "期间“2025Q5”无效:季度应为1–4,应写作“2025Q1”");
    }

    #[test]
    fn labels_and_order() {
        assert_eq!(Period::parse("2025-03").unwrap().label_zh(), "2025年3月");
        assert_eq!(Period::parse("2025Q1").unwrap().label_zh(), "2025年一季度");
        assert_eq!(
            Period::parse("2025-03").unwrap().cumulative_label_zh(),
            "2025年1–3月"
        );
        assert!(Period::parse("2024-12").unwrap() < Period::parse("2025-01").unwrap());
        assert!(Period::parse("2025-03").unwrap() < Period::parse("2025Q1").unwrap());
        assert_eq!(Period::parse("2025-01").unwrap().prev().to_string(), "2024-12");
        let ms = Period::months_between(
            Period::parse("2024-11").unwrap(),
            Period::parse("2025-02").unwrap(),
        );
        assert_eq!(ms.len(), 4);
    }
}
