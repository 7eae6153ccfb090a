//! The typed states that reports carry: serde writes each as its text code, so JSON and CLI
//! output keep the strings they always had while pages and code match on variants. The API
//! document keeps them as strings (`#[schema(value_type = String)]` on the fields).

use serde::Serialize;

/// How a quota's figure (or one unit's) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaStatus {
    Met,
    OnTrack,
    Behind,
    AboveMax,
    NoData,
}

impl QuotaStatus {
    pub fn code(self) -> &'static str {
        match self {
            QuotaStatus::Met => "met",
            QuotaStatus::OnTrack => "on_track",
            QuotaStatus::Behind => "behind",
            QuotaStatus::AboveMax => "above_max",
            QuotaStatus::NoData => "no_data",
        }
    }

    /// Lower is worse: the worst unit speaks for a per-unit quota.
    pub fn severity(self) -> u8 {
        match self {
            QuotaStatus::NoData => 0,
            QuotaStatus::Behind => 1,
            QuotaStatus::AboveMax => 2,
            QuotaStatus::OnTrack => 3,
            QuotaStatus::Met => 4,
        }
    }
}

/// How a target's value at the deadline was forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ForecastMethod {
    LogLinear,
    DampedHolt,
    LinearPace,
    /// The deadline has passed: the actual value.
    Actual,
}

impl ForecastMethod {
    pub fn code(self) -> &'static str {
        match self {
            ForecastMethod::LogLinear => "log_linear",
            ForecastMethod::DampedHolt => "damped_holt",
            ForecastMethod::LinearPace => "linear_pace",
            ForecastMethod::Actual => "actual",
        }
    }
}

/// What a point of a target's series measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Basis {
    /// A complete year.
    #[serde(rename = "year")]
    Year,
    /// Flows mid-year: the twelve months ending at the checkpoint.
    #[serde(rename = "trailing_12_months")]
    Trailing12Months,
    /// Stocks mid-year.
    #[serde(rename = "end_of_month")]
    EndOfMonth,
    /// Flows since the baseline: complete years plus this year so far.
    #[serde(rename = "year_to_date")]
    YearToDate,
}

impl Basis {
    pub fn code(self) -> &'static str {
        match self {
            Basis::Year => "year",
            Basis::Trailing12Months => "trailing_12_months",
            Basis::EndOfMonth => "end_of_month",
            Basis::YearToDate => "year_to_date",
        }
    }
}

/// Where a county's 三(二)2 target comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSource {
    /// 市工信局下达.
    Issued,
    /// 规划文件示例数.
    Plan,
    /// 未下达.
    None,
}

impl TargetSource {
    pub fn code(self) -> &'static str {
        match self {
            TargetSource::Issued => "issued",
            TargetSource::Plan => "plan",
            TargetSource::None => "none",
        }
    }
}

// Templates and messages print a state as its code, the same text as the JSON.
macro_rules! display_as_code {
    ($($t:ty),*) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    )*};
}
display_as_code!(
    QuotaStatus,
    ForecastMethod,
    Basis,
    TargetSource,
    crate::progress::Status
);

#[cfg(test)]
mod tests {
    use super::*;

    fn json<T: Serialize>(v: T) -> String {
        serde_json::to_string(&v).unwrap()
    }

    #[test]
    fn serde_writes_the_text_codes() {
        for s in [
            QuotaStatus::Met,
            QuotaStatus::OnTrack,
            QuotaStatus::Behind,
            QuotaStatus::AboveMax,
            QuotaStatus::NoData,
        ] {
            assert_eq!(json(s), format!("\"{}\"", s.code()));
        }
        assert_eq!(json(QuotaStatus::AboveMax), "\"above_max\"");
        for m in [
            ForecastMethod::LogLinear,
            ForecastMethod::DampedHolt,
            ForecastMethod::LinearPace,
            ForecastMethod::Actual,
        ] {
            assert_eq!(json(m), format!("\"{}\"", m.code()));
        }
        assert_eq!(json(ForecastMethod::LinearPace), "\"linear_pace\"");
        for b in [
            Basis::Year,
            Basis::Trailing12Months,
            Basis::EndOfMonth,
            Basis::YearToDate,
        ] {
            assert_eq!(json(b), format!("\"{}\"", b.code()));
        }
        assert_eq!(json(Basis::Trailing12Months), "\"trailing_12_months\"");
        for s in [TargetSource::Issued, TargetSource::Plan, TargetSource::None] {
            assert_eq!(json(s), format!("\"{}\"", s.code()));
        }
        assert_eq!(json(TargetSource::None), "\"none\"");
        assert_eq!(crate::progress::Status::OnTrack.to_string(), "on_track");
        assert_eq!(Basis::YearToDate.to_string(), "year_to_date");
    }

    #[test]
    fn the_worst_unit_is_no_data_then_behind() {
        let mut v = [
            QuotaStatus::Met,
            QuotaStatus::OnTrack,
            QuotaStatus::AboveMax,
            QuotaStatus::Behind,
            QuotaStatus::NoData,
        ];
        v.sort_by_key(|s| s.severity());
        assert_eq!(
            v,
            [
                QuotaStatus::NoData,
                QuotaStatus::Behind,
                QuotaStatus::AboveMax,
                QuotaStatus::OnTrack,
                QuotaStatus::Met
            ]
        );
    }
}
