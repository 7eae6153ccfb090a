//! 三(二)1: the counties' park entries turned into the zero-sum transfer by the policy engine.

use super::{Computed, ParkEntryTransfer, TransferRow};
use crate::Store;
use chrono::NaiveDate;
use clusterdesk_analytics::assessment as calc;
use clusterdesk_plan::assessment::Assessment;
use clusterdesk_policy::PolicySet;
use rust_decimal::Decimal;

impl Store {
    /// 三(二)1: the counties' park entries handed to the rank-transfer policy as scores.
    pub(super) fn park_entry_transfer(
        &self,
        a: &Assessment,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        cur: &Computed,
    ) -> ParkEntryTransfer {
        let date = NaiveDate::from_ymd_opt(year, 12, 31).expect("valid date");
        let mut out = ParkEntryTransfer {
            policy: a.park_entry_policy.clone(),
            clause: String::new(),
            clause_text: String::new(),
            date: date.to_string(),
            provisional: as_of_month != 12,
            error: None,
            rows: Vec::new(),
            total_fen: 0,
        };
        let Some(p) = policies.get(&a.park_entry_policy) else {
            out.error = Some(format!("未加载政策“{}”,无法计算排名转移", a.park_entry_policy));
            return out;
        };
        out.clause = p.clause.clone();
        out.clause_text = p.clause_text.clone();
        let mut claim = clusterdesk_policy::eval::Claim::new(&p.id, date);
        claim.scores = Some(
            cur.counties
                .iter()
                .zip(&cur.park)
                .map(|((c, _), v)| (c.clone(), Decimal::from(*v)))
                .collect(),
        );
        let outcomes = match policies.evaluate(&claim, &[]) {
            Ok(o) => o,
            Err(e) => {
                out.error = Some(e.to_string());
                return out;
            }
        };
        let values: Vec<Option<Decimal>> = cur.park.iter().map(|v| Some(Decimal::from(*v))).collect();
        let places = calc::competition_ranks(&values, true);
        for o in outcomes {
            let Some(code) = o.county.clone() else { continue };
            let Some(k) = cur.counties.iter().position(|(c, _)| *c == code) else {
                continue;
            };
            let tied = cur.park.iter().filter(|v| **v == cur.park[k]).count() > 1;
            out.rows.push(TransferRow {
                county: code,
                name: cur.counties[k].1.clone(),
                park_entries: cur.park[k],
                place: places[k].unwrap_or(0),
                amount_fen: o.amount.0,
                tied,
                flags: o.flags.iter().map(|f| named(f, &cur.counties)).collect(),
                trace: o
                    .trace
                    .iter()
                    .map(|t| named(&format!("[{}] {}", t.clause, t.text), &cur.counties))
                    .collect(),
            });
        }
        out.total_fen = out.rows.iter().map(|r| r.amount_fen).sum();
        out
    }
}

/// The engine names counties by code; people read names. `130926` becomes `肃宁县(130926)`.
fn named(text: &str, counties: &[(String, String)]) -> String {
    counties.iter().fold(text.to_string(), |t, (code, name)| {
        t.replace(code.as_str(), &format!("{name}({code})"))
    })
}
