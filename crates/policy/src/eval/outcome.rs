//! What the engine gives back: the status, the amount and the trace, and the yuan text the
//! trace writes amounts in.

use crate::model::Policy;
use clusterdesk_domain::Fen;
use clusterdesk_domain::money::group_thousands;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Eligible,
    NotEligible,
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Eligible => "eligible",
            Status::NotEligible => "not_eligible",
            Status::Unknown => "unknown",
        }
    }
}

/// One step of the explanation. `fen` is the running amount where the step has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TraceStep {
    pub step: String,
    pub clause: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fen: Option<i64>,
}

impl TraceStep {
    pub fn new(step: &str, clause: &str, text: impl Into<String>) -> TraceStep {
        TraceStep {
            step: step.into(),
            clause: clause.into(),
            text: text.into(),
            fen: None,
        }
    }

    pub fn with_fen(mut self, fen: i64) -> TraceStep {
        self.fen = Some(fen);
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub policy: String,
    pub clause: String,
    pub status: Status,
    pub amount: Fen,
    /// True only when a cap reduced the amount (equal to the cap is not capped).
    pub capped: bool,
    pub missing: Vec<String>,
    pub trace: Vec<TraceStep>,
    pub county: Option<String>,
    /// Cases for a person to look at (ties, out-of-order stages, events before the plan).
    pub flags: Vec<String>,
}

impl Outcome {
    pub(crate) fn start(p: &Policy) -> Outcome {
        Outcome {
            policy: p.id.clone(),
            clause: p.clause.clone(),
            status: Status::Eligible,
            amount: Fen::ZERO,
            capped: false,
            missing: Vec::new(),
            trace: vec![TraceStep::new(
                "rule",
                &p.clause,
                format!("{}({}):{}", p.name, p.clause, p.clause_text),
            )],
            county: None,
            flags: Vec::new(),
        }
    }

    pub(super) fn step(&mut self, step: &str, clause: &str, text: impl Into<String>) {
        self.trace.push(TraceStep::new(step, clause, text));
    }

    pub(super) fn step_fen(&mut self, step: &str, clause: &str, text: impl Into<String>, fen: i64) {
        self.trace.push(TraceStep::new(step, clause, text).with_fen(fen));
    }

    pub(crate) fn not_eligible(mut self, clause: &str, why: impl Into<String>) -> Outcome {
        self.status = Status::NotEligible;
        self.amount = Fen::ZERO;
        self.step_fen("result", clause, format!("不予支持:{}", why.into()), 0);
        self
    }
}

/// `3,000,000.00`.
pub fn yuan_grouped(f: Fen) -> String {
    let s = f.yuan_string();
    let (sign, body) = s.strip_prefix('-').map(|b| ("-", b)).unwrap_or(("", s.as_str()));
    let (int, frac) = body.split_once('.').unwrap_or((body, "00"));
    format!("{sign}{}.{frac}", group_thousands(int))
}

/// An exact amount of fen (maybe with fractions of a fen) as yuan: `1,000,000.005`.
pub(crate) fn exact_yuan(fen: Decimal) -> String {
    let y = (fen / Decimal::from(100)).normalize();
    let s = y.abs().to_string();
    let (int, frac) = s.split_once('.').unwrap_or((s.as_str(), ""));
    let frac = if frac.len() < 2 {
        format!("{frac:0<2}")
    } else {
        frac.to_string()
    };
    let sign = if y.is_sign_negative() && !y.is_zero() {
        "-"
    } else {
        ""
    };
    format!("{sign}{}.{frac}", group_thousands(int))
}

pub(super) fn pct(d: Decimal) -> String {
    format!("{}%", (d * Decimal::from(100)).normalize())
}
