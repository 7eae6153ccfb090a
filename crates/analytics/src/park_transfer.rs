//! 三(二)1: the counties' park entries turned into the zero-sum transfer by the policy engine.

use crate::assessment as calc;
use chrono::NaiveDate;
use clusterdesk_plan::assessment::Assessment;
use clusterdesk_policy::PolicySet;
use rust_decimal::Decimal;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransferRow {
    pub county: String,
    pub name: String,
    pub park_entries: i64,
    /// Place by enterprises entering parks (competition rank; ties share it).
    pub place: usize,
    /// Signed transfer in fen: + received, − paid.
    pub amount_fen: i64,
    pub tied: bool,
    pub flags: Vec<String>,
    /// The engine's trace, each step prefixed with its clause.
    pub trace: Vec<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ParkEntryTransfer {
    pub policy: String,
    pub clause: String,
    pub clause_text: String,
    /// The assessment date the engine was asked about (31 December of the year).
    pub date: String,
    /// True while the year is not complete: the figures are provisional.
    pub provisional: bool,
    /// Why no transfer could be computed (the engine's message), if so.
    pub error: Option<String>,
    pub rows: Vec<TransferRow>,
    /// Sum of the transfers (always 0 when computed).
    pub total_fen: i64,
}

/// 三(二)1: the counties' park entries (`park`, in the order of `counties`) handed to the
/// rank-transfer policy as scores.
pub fn park_entry_transfer(
    a: &Assessment,
    policies: &PolicySet,
    year: i32,
    as_of_month: u32,
    counties: &[(String, String)],
    park: &[i64],
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
        counties
            .iter()
            .zip(park)
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
    let values: Vec<Option<Decimal>> = park.iter().map(|v| Some(Decimal::from(*v))).collect();
    let places = calc::competition_ranks(&values, true);
    for o in outcomes {
        let Some(code) = o.county.clone() else { continue };
        let Some(k) = counties.iter().position(|(c, _)| *c == code) else {
            continue;
        };
        let tied = park.iter().filter(|v| **v == park[k]).count() > 1;
        out.rows.push(TransferRow {
            county: code,
            name: counties[k].1.clone(),
            park_entries: park[k],
            place: places[k].unwrap_or(0),
            amount_fen: o.amount.0,
            tied,
            flags: o.flags.iter().map(|f| named(f, counties)).collect(),
            trace: o
                .trace
                .iter()
                .map(|t| named(&format!("[{}] {}", t.clause, t.text), counties))
                .collect(),
        });
    }
    out.total_fen = out.rows.iter().map(|r| r.amount_fen).sum();
    out
}

/// The engine names counties by code; people read names. `130926` becomes `肃宁县(130926)`.
fn named(text: &str, counties: &[(String, String)]) -> String {
    counties.iter().fold(text.to_string(), |t, (code, name)| {
        t.replace(code.as_str(), &format!("{name}({code})"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clusterdesk_plan::Plan;

    fn setup() -> (Plan, PolicySet) {
        let plan = Plan::embedded().unwrap();
        let set = PolicySet::load(&plan.policy_files()).unwrap();
        (plan, set)
    }

    #[test]
    fn park_entries_become_the_zero_sum_transfer() {
        let (plan, policies) = setup();
        let a = plan.assessment.as_ref().unwrap();
        let counties: Vec<(String, String)> = plan
            .counties()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        // Entries per county, all different: 黄骅 (130983) most, 任丘 (130982), 河间 (130984);
        // the last three 130930, 130925, 130924.
        let by_code = [
            ("130983", 95),
            ("130982", 92),
            ("130984", 90),
            ("130981", 88),
            ("130926", 85),
            ("130929", 80),
            ("130928", 78),
            ("130923", 75),
            ("130927", 70),
            ("130922", 66),
            ("130921", 60),
            ("130930", 55),
            ("130925", 50),
            ("130924", 40),
        ];
        let park: Vec<i64> = counties
            .iter()
            .map(|(c, _)| by_code.iter().find(|(k, _)| k == c).unwrap().1)
            .collect();
        let t = park_entry_transfer(a, &policies, 2025, 12, &counties, &park);
        assert_eq!(t.error, None);
        assert!(!t.provisional);
        assert_eq!((t.date.as_str(), t.clause.as_str()), ("2025-12-31", "三(二)1"));
        // 500万, 300万, 100万 received by the first three, paid by the last three (in fen).
        let amount = |c: &str| t.rows.iter().find(|r| r.county == c).unwrap().amount_fen;
        assert_eq!(
            [
                amount("130983"),
                amount("130982"),
                amount("130984"),
                amount("130981")
            ],
            [500_000_000, 300_000_000, 100_000_000, 0]
        );
        assert_eq!(
            [amount("130930"), amount("130925"), amount("130924")],
            [-100_000_000, -300_000_000, -500_000_000]
        );
        assert_eq!((t.rows.len(), t.total_fen), (14, 0));
        let first = t.rows.iter().find(|r| r.county == "130983").unwrap();
        assert_eq!((first.place, first.park_entries, first.tied), (1, 95, false));
        // Mid-year the figures are provisional; without the policy there is no transfer.
        assert!(park_entry_transfer(a, &policies, 2026, 6, &counties, &park).provisional);
        let none = park_entry_transfer(a, &PolicySet::default(), 2025, 12, &counties, &park);
        assert_eq!(
            none.error.as_deref(),
            Some("未加载政策“park_entry_ranking”,无法计算排名转移")
        );
        assert!(none.rows.is_empty());
    }

    #[test]
    fn codes_in_the_trace_get_names() {
        let counties = [("130926".to_string(), "肃宁县".to_string())];
        assert_eq!(named("130926 第1名", &counties), "肃宁县(130926) 第1名");
    }
}
