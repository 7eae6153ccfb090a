//! Evaluation: a claim and the ledger of earlier payouts in, outcomes with a trace out.
//!
//! Order of the checks, each one a trace step that cites its clause:
//! 1. the rule itself (clause and its text), the date and the parameters in force on it;
//! 2. facts: an asserted fact that fails the clause → `not_eligible`; a required fact that is
//!    absent → `unknown` (named in `missing`);
//! 3. the ledger: once per enterprise / per project / cumulative total, exclusions, the other
//!    level of a recognition, the previous stage of a series;
//! 4. the formula: base → share → cap → rounding → amount. An amount of zero is
//!    `not_eligible` with the reason in the trace, never a silent 0.

mod claim;
mod enterprise;
mod outcome;
mod params;

pub use claim::{Claim, LedgerEntry};
pub(crate) use claim::{field_err, reading_str};
pub use outcome::{Outcome, Status, TraceStep, yuan_grouped};
pub(crate) use params::place_amounts;

use crate::model::Kind;
use crate::{PolicyError, PolicySet, rank};
use claim::{check_fact_types, resolve_readings};
use enterprise::evaluate_enterprise;

pub(crate) fn evaluate(
    set: &PolicySet,
    claim: &Claim,
    ledger: &[LedgerEntry],
) -> Result<Vec<Outcome>, PolicyError> {
    let Some(p) = set.get(&claim.policy) else {
        return Err(PolicyError::Field {
            policy: claim.policy.clone(),
            field: "policy".into(),
            message: format!("未知政策“{}”", claim.policy),
        });
    };
    check_fact_types(p, claim)?;
    let readings = resolve_readings(p, claim)?;
    if p.kind == Kind::RankTransfer {
        return rank::evaluate(p, claim, ledger, &readings);
    }
    evaluate_enterprise(set, p, claim, ledger, &readings).map(|o| vec![o])
}
