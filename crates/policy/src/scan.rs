//! The eligibility scan (免申即享): from each enterprise's dated qualifications and the ledger,
//! every incentive it qualifies for and has not claimed, with the amount; and the ones that
//! stay `unknown`, with what is missing. Pure: the caller hands in the facts.
//!
//! What a qualification proves, and what it leaves unknown:
//!
//! | qualification (level) | policy | facts asserted | unknown |
//! |---|---|---|---|
//! | above_scale since D | small_to_above_scale (1万) when the enterprise reported figures for a year before the one in which it crossed the line (it existed as a small enterprise) | grew_from_small_to_above_scale | otherwise: 新建入统 (2万) or 小升规 (1万) cannot be told without the founding date → `unknown`, missing `newly_built_entered_statistics` |
//! | little_giant national_key | little_giant (100万) | recognition_level | — (level national is not eligible: only 重点) |
//! | green_factory provincial / national | green_factory_provincial (30万) / _national (50万) | — | — |
//! | well_known_trademark | well_known_trademark (20万) | — | — |
//! | listed main_board, star_market, chinext, bse | listing_a_share_counselling (100万), listing_a_share_accepted (200万) | a listed A-share company went through counselling filed with 河北证监局 and an accepted application; star_market → sse, chinext → szse, bse → bse | main_board: accepted_by (上交所 or 深交所) |
//! | listed overseas | listing_overseas_accepted (200万), listing_overseas_approved (100万) | — | main_overseas_exchange |
//! | listed neeq, and every other kind | — (no cash incentive in the plan) | | |
//!
//! The event date is the qualification's `valid_from` (for listing stages, the listing date
//! stands in for the stage dates, and the finding is flagged). Only events inside the window
//! (`ScanOptions`) are proposed: by default from the plan's issue date, so that long-standing
//! status is not offered as a new reward. An enterprise with a payout in the ledger, or an
//! open or paid claim, for the policy is not listed again (the engine reads the ledger for
//! once-per-enterprise rules, exclusions and the other level of a recognition).

use crate::eval::{Claim, LedgerEntry, Status};
use crate::PolicySet;
use chrono::{Datelike, NaiveDate};
use clusterdesk_domain::{Fen, QualKind, Uscc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap, HashSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualFact {
    pub kind: QualKind,
    pub level: String,
    pub from: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnterpriseFacts {
    pub uscc: Uscc,
    pub county: String,
    pub quals: Vec<QualFact>,
    /// The first year the enterprise reported figures (revenue) to the registry.
    pub first_data_year: Option<i32>,
}

#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// First event date proposed (inclusive).
    pub from: NaiveDate,
    /// Last event date proposed (inclusive).
    pub to: NaiveDate,
}

/// One incentive an enterprise qualifies for (or may qualify for) and has not claimed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub uscc: String,
    pub county: String,
    pub policy: String,
    pub clause: String,
    pub event_date: NaiveDate,
    /// `eligible` or `unknown` (not-eligible candidates are not listed).
    pub status: Status,
    pub amount: Fen,
    pub missing: Vec<String>,
    /// The qualification the finding rests on, in words.
    pub basis: String,
    pub flags: Vec<String>,
    /// The facts asserted from the registry (what a claim would carry).
    pub facts: BTreeMap<String, Value>,
}

struct Candidate {
    policy: &'static str,
    facts: BTreeMap<String, Value>,
    basis: String,
    /// Facts the registry cannot tell: the finding is `unknown` with these missing.
    unknown: Vec<&'static str>,
    flags: Vec<String>,
}

fn facts(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn candidates(e: &EnterpriseFacts, q: &QualFact) -> Vec<Candidate> {
    let c = |policy: &'static str, f: BTreeMap<String, Value>, basis: String| Candidate {
        policy,
        facts: f,
        basis,
        unknown: vec![],
        flags: vec![],
    };
    match q.kind {
        QualKind::AboveScale => {
            let crossed = q.from.year() - 1;
            let basis = format!("自 {} 纳入规上工业统计", q.from);
            match e.first_data_year {
                Some(y) if y < crossed => vec![c(
                    "small_to_above_scale",
                    facts(&[("grew_from_small_to_above_scale", json!(true))]),
                    format!("{basis};{y} 年起已有填报数据,入统前即为规下企业(小升规)"),
                )],
                _ => vec![Candidate {
                    policy: "small_to_above_scale",
                    facts: BTreeMap::new(),
                    basis: format!("{basis};入统前无填报数据,无法区分新建入统(2万元)与小升规(1万元)"),
                    unknown: vec!["newly_built_entered_statistics"],
                    flags: vec![],
                }],
            }
        }
        QualKind::LittleGiant if q.level == "national_key" => vec![c(
            "little_giant",
            facts(&[("recognition_level", json!("national_key"))]),
            format!("{} 认定为国家级专精特新重点“小巨人”", q.from),
        )],
        QualKind::GreenFactory => match q.level.as_str() {
            "provincial" => vec![c(
                "green_factory_provincial",
                BTreeMap::new(),
                format!("{} 获省级绿色工厂认定", q.from),
            )],
            "national" => vec![c(
                "green_factory_national",
                BTreeMap::new(),
                format!("{} 获国家级绿色工厂认定", q.from),
            )],
            _ => vec![],
        },
        QualKind::WellKnownTrademark => vec![c(
            "well_known_trademark",
            BTreeMap::new(),
            format!("{} 新认定中国驰名商标", q.from),
        )],
        QualKind::Listed => {
            let flag = format!("以上市日期 {} 代替各阶段日期,请核对辅导备案与受理日期", q.from);
            let basis = format!("{} {}上市", q.from, q.kind.level_label(&q.level));
            let counselling = Candidate {
                policy: "listing_a_share_counselling",
                facts: facts(&[
                    ("entered_counselling", json!(true)),
                    ("counselling_filed_with_hebei_bureau", json!(true)),
                ]),
                basis: format!("{basis}(A股上市必经辅导备案)"),
                unknown: vec![],
                flags: vec![flag.clone()],
            };
            let accepted = |by: Option<&str>| Candidate {
                policy: "listing_a_share_accepted",
                facts: by
                    .map(|b| facts(&[("accepted_by", json!(b))]))
                    .unwrap_or_default(),
                basis: format!("{basis}(上市申请已获受理)"),
                unknown: if by.is_none() { vec!["accepted_by"] } else { vec![] },
                flags: vec![flag.clone()],
            };
            match q.level.as_str() {
                "star_market" => vec![counselling, accepted(Some("sse"))],
                "chinext" => vec![counselling, accepted(Some("szse"))],
                "bse" => vec![counselling, accepted(Some("bse"))],
                "main_board" => vec![counselling, accepted(None)],
                "overseas" => ["listing_overseas_accepted", "listing_overseas_approved"]
                    .into_iter()
                    .map(|p| Candidate {
                        policy: p,
                        facts: BTreeMap::new(),
                        basis: basis.clone(),
                        unknown: vec!["main_overseas_exchange"],
                        flags: vec![flag.clone()],
                    })
                    .collect(),
                _ => vec![],
            }
        }
        _ => vec![],
    }
}

/// Scan every enterprise. `ledger` holds each enterprise's payouts (by USCC); `claimed`
/// holds (USCC, policy) pairs with an open or paid claim. Findings come in the order of the
/// enterprises, then of their qualifications.
pub fn scan(
    set: &PolicySet,
    enterprises: &[EnterpriseFacts],
    ledger: &HashMap<String, Vec<LedgerEntry>>,
    claimed: &HashSet<(String, String)>,
    opts: ScanOptions,
) -> Vec<Finding> {
    let empty: Vec<LedgerEntry> = Vec::new();
    let mut out = Vec::new();
    for e in enterprises {
        let uscc = e.uscc.as_str();
        let mine = ledger.get(uscc).unwrap_or(&empty);
        for q in &e.quals {
            if q.from < opts.from || q.from > opts.to {
                continue;
            }
            for cand in candidates(e, q) {
                let Some(p) = set.get(cand.policy) else { continue };
                // Claimed already (open or paid), for this policy or the other half of an
                // exclusive pair.
                let taken = |id: &str| claimed.contains(&(uscc.to_string(), id.to_string()));
                if taken(&p.id) || p.exclusive_with.iter().any(|x| taken(&x.policy)) {
                    continue;
                }
                if !cand.unknown.is_empty() {
                    // The registry cannot tell: still check the ledger (a pair already paid
                    // is settled) before proposing it as unknown.
                    let paid = |id: &str| mine.iter().any(|l| l.policy == id);
                    if paid(&p.id) || p.exclusive_with.iter().any(|x| paid(&x.policy)) {
                        continue;
                    }
                    out.push(Finding {
                        uscc: uscc.to_string(),
                        county: e.county.clone(),
                        policy: p.id.clone(),
                        clause: p.clause.clone(),
                        event_date: q.from,
                        status: Status::Unknown,
                        amount: Fen::ZERO,
                        missing: cand.unknown.iter().map(|s| s.to_string()).collect(),
                        basis: cand.basis,
                        flags: cand.flags,
                        facts: cand.facts,
                    });
                    continue;
                }
                let mut claim = Claim::new(&p.id, q.from);
                claim.enterprise = Some(e.uscc.clone());
                claim.facts = cand.facts.clone();
                let Ok(outs) = set.evaluate(&claim, mine) else { continue };
                let Some(o) = outs.into_iter().next() else { continue };
                if o.status == Status::NotEligible {
                    continue;
                }
                let mut flags = cand.flags;
                flags.extend(o.flags);
                out.push(Finding {
                    uscc: uscc.to_string(),
                    county: e.county.clone(),
                    policy: p.id.clone(),
                    clause: p.clause.clone(),
                    event_date: q.from,
                    status: o.status,
                    amount: o.amount,
                    missing: o.missing,
                    basis: cand.basis,
                    flags,
                    facts: cand.facts,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> PolicySet {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plan/policies");
        let files = crate::read_folder(&dir).unwrap();
        PolicySet::load(&files).unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ent(quals: &[(QualKind, &str, &str)], first: Option<i32>) -> EnterpriseFacts {
        EnterpriseFacts {
            uscc: Uscc::parse("91130981MA0AB12CXA").unwrap(),
            county: "130981".into(),
            quals: quals
                .iter()
                .map(|(k, l, f)| QualFact {
                    kind: *k,
                    level: l.to_string(),
                    from: d(f),
                })
                .collect(),
            first_data_year: first,
        }
    }

    fn opts() -> ScanOptions {
        ScanOptions {
            from: d("2022-08-10"),
            to: d("2026-12-31"),
        }
    }

    #[test]
    fn qualifications_become_findings_with_amounts() {
        let s = set();
        let e = ent(
            &[
                (QualKind::AboveScale, "", "2024-01-01"),
                (QualKind::LittleGiant, "national_key", "2023-07-01"),
                (QualKind::LittleGiant, "national", "2023-07-01"),
                (QualKind::GreenFactory, "provincial", "2023-03-01"),
                (QualKind::GreenFactory, "national", "2025-03-01"),
                (QualKind::WellKnownTrademark, "", "2024-05-01"),
                (QualKind::HighTech, "", "2024-05-01"),
                (QualKind::AboveScale, "", "2019-01-01"),
            ],
            Some(2021),
        );
        let f = scan(&s, &[e], &HashMap::new(), &HashSet::new(), opts());
        let got: Vec<(&str, &str, String)> = f
            .iter()
            .map(|x| (x.policy.as_str(), x.status.as_str(), x.amount.yuan_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("small_to_above_scale", "eligible", "10000.00".to_string()),
                ("little_giant", "eligible", "1000000.00".to_string()),
                ("green_factory_provincial", "eligible", "300000.00".to_string()),
                ("green_factory_national", "eligible", "500000.00".to_string()),
                ("well_known_trademark", "eligible", "200000.00".to_string()),
            ]
        );
    }

    #[test]
    fn what_the_registry_cannot_tell_is_unknown() {
        let s = set();
        let e = ent(
            &[
                (QualKind::AboveScale, "", "2024-01-01"),
                (QualKind::Listed, "main_board", "2024-01-01"),
                (QualKind::Listed, "overseas", "2024-06-01"),
            ],
            Some(2023),
        );
        let f = scan(&s, &[e], &HashMap::new(), &HashSet::new(), opts());
        let got: Vec<(&str, &str, Vec<String>)> = f
            .iter()
            .map(|x| (x.policy.as_str(), x.status.as_str(), x.missing.clone()))
            .collect();
        assert_eq!(
            got,
            [
                ("small_to_above_scale", "unknown", vec!["newly_built_entered_statistics".to_string()]),
                ("listing_a_share_counselling", "eligible", vec![]),
                ("listing_a_share_accepted", "unknown", vec!["accepted_by".to_string()]),
                ("listing_overseas_accepted", "unknown", vec!["main_overseas_exchange".to_string()]),
                ("listing_overseas_approved", "unknown", vec!["main_overseas_exchange".to_string()]),
            ]
        );
    }

    #[test]
    fn paid_or_claimed_is_not_offered_again() {
        let s = set();
        let e = ent(
            &[
                (QualKind::AboveScale, "", "2024-01-01"),
                (QualKind::GreenFactory, "provincial", "2023-03-01"),
                (QualKind::WellKnownTrademark, "", "2024-05-01"),
            ],
            None,
        );
        let mut ledger = HashMap::new();
        ledger.insert(
            e.uscc.to_string(),
            vec![
                LedgerEntry {
                    policy: "green_factory_provincial".into(),
                    enterprise: Some(e.uscc.clone()),
                    county: None,
                    date: d("2023-06-01"),
                    paid: Fen::from_yuan(300_000),
                    project: None,
                },
                LedgerEntry {
                    policy: "new_above_scale".into(),
                    enterprise: Some(e.uscc.clone()),
                    county: None,
                    date: d("2024-06-01"),
                    paid: Fen::from_yuan(20_000),
                    project: None,
                },
            ],
        );
        let claimed: HashSet<(String, String)> =
            [(e.uscc.to_string(), "well_known_trademark".to_string())].into();
        let f = scan(&s, &[e], &ledger, &claimed, opts());
        assert!(f.is_empty(), "{f:?}");
    }
}
