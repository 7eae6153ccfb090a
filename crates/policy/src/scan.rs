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
use crate::labels::date_zh;
use crate::{Policy, PolicySet};
use chrono::{Datelike, NaiveDate};
use clusterdesk_domain::{Fen, QualKind, Uscc};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};

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
    /// Tells apart candidates of one policy whose facts differ (the exchange that accepted a
    /// listing); with the policy, the key of the verdict cache.
    tag: &'static str,
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
        tag: "",
        facts: f,
        basis,
        unknown: vec![],
        flags: vec![],
    };
    match q.kind {
        QualKind::AboveScale => {
            let crossed = q.from.year() - 1;
            let basis = format!("自 {} 纳入规上工业统计", date_zh(q.from));
            match e.first_data_year {
                Some(y) if y < crossed => vec![c(
                    "small_to_above_scale",
                    facts(&[("grew_from_small_to_above_scale", json!(true))]),
                    format!("{basis};{y} 年起已有填报数据,入统前即为规下企业(小升规)"),
                )],
                _ => vec![Candidate {
                    policy: "small_to_above_scale",
                    tag: "",
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
            format!("{} 认定为国家级专精特新重点“小巨人”", date_zh(q.from)),
        )],
        QualKind::GreenFactory => match q.level.as_str() {
            "provincial" => vec![c(
                "green_factory_provincial",
                BTreeMap::new(),
                format!("{} 获省级绿色工厂认定", date_zh(q.from)),
            )],
            "national" => vec![c(
                "green_factory_national",
                BTreeMap::new(),
                format!("{} 获国家级绿色工厂认定", date_zh(q.from)),
            )],
            _ => vec![],
        },
        QualKind::WellKnownTrademark => vec![c(
            "well_known_trademark",
            BTreeMap::new(),
            format!("{} 新认定中国驰名商标", date_zh(q.from)),
        )],
        QualKind::Listed => {
            let flag = format!(
                "以上市日期 {} 代替各阶段日期,请核对辅导备案与受理日期",
                date_zh(q.from)
            );
            let basis = format!("{} {}上市", date_zh(q.from), q.kind.level_label(&q.level));
            let counselling = Candidate {
                policy: "listing_a_share_counselling",
                tag: "",
                facts: facts(&[
                    ("entered_counselling", json!(true)),
                    ("counselling_filed_with_hebei_bureau", json!(true)),
                ]),
                basis: format!("{basis}(A股上市必经辅导备案)"),
                unknown: vec![],
                flags: vec![flag.clone()],
            };
            let accepted = |by: Option<&'static str>| Candidate {
                policy: "listing_a_share_accepted",
                tag: by.unwrap_or(""),
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
                        tag: "",
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

/// The policies whose ledger entries the engine reads when it evaluates `p`.
fn related_of<'a>(set: &PolicySet, p: &Policy, cache: &'a mut HashMap<String, Vec<String>>) -> &'a [String] {
    if !cache.contains_key(&p.id) {
        let mut r = vec![p.id.clone()];
        r.extend(p.exclusive_with.iter().map(|x| x.policy.clone()));
        r.extend(p.other_level.iter().map(|o| o.policy.clone()));
        if let Some(s) = &p.series {
            r.extend(s.previous.clone());
            r.extend(
                set.policies()
                    .filter(|q| {
                        q.series.as_ref().and_then(|qs| qs.previous.as_deref()) == Some(p.id.as_str())
                    })
                    .map(|q| q.id.clone()),
            );
        }
        cache.insert(p.id.clone(), r);
    }
    &cache[&p.id]
}

/// Scan every enterprise. `ledger` holds each enterprise's payouts (by USCC); `claimed`
/// holds, by USCC, the policies with an open or paid claim. Findings come in the order of the
/// enterprises, then of their qualifications.
pub fn scan(
    set: &PolicySet,
    enterprises: &[EnterpriseFacts],
    ledger: &HashMap<String, Vec<LedgerEntry>>,
    claimed: &HashMap<String, Vec<String>>,
    opts: ScanOptions,
) -> Vec<Finding> {
    let empty: Vec<LedgerEntry> = Vec::new();
    let mut out = Vec::new();
    type Verdict = (Status, Fen, Vec<String>, Vec<String>);
    let mut memo: HashMap<(&str, &str, u64), Verdict> = HashMap::new();
    let mut related_cache: HashMap<String, Vec<String>> = HashMap::new();
    let none: Vec<String> = Vec::new();
    for e in enterprises {
        if !e.quals.iter().any(|q| q.from >= opts.from && q.from <= opts.to) {
            continue;
        }
        let uscc = e.uscc.as_str();
        let mine = ledger.get(uscc).unwrap_or(&empty);
        let my_claims = claimed.get(uscc).unwrap_or(&none);
        // Every policy the scan proposes is once per enterprise: the earliest event stands.
        let mut proposed: Vec<&str> = Vec::new();
        for q in &e.quals {
            if q.from < opts.from || q.from > opts.to {
                continue;
            }
            for cand in candidates(e, q) {
                let Some(p) = set.get(cand.policy) else { continue };
                if proposed.contains(&cand.policy) {
                    continue;
                }
                // Claimed already (open or paid), for this policy or the other half of an
                // exclusive pair.
                let taken = |id: &str| my_claims.iter().any(|c| c == id);
                if taken(&p.id) || p.exclusive_with.iter().any(|x| taken(&x.policy)) {
                    continue;
                }
                proposed.push(cand.policy);
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
                // The engine reads only the ledger entries of the policy itself, of the
                // policies that exclude it, of the other level of its recognition and of the
                // stages next to it in a series (see `eval`). With none of those for this
                // enterprise and an event on or after the policy's first date, its verdict
                // depends only on the policy, the facts and the parameter values in force:
                // evaluate once, reuse the verdict.
                let related = related_of(set, p, &mut related_cache);
                let untouched = !mine.iter().any(|l| related.contains(&l.policy));
                let key = (untouched && p.first_date().is_some_and(|d| q.from >= d)).then(|| {
                    let versions = p.parameters.values().fold(0u64, |acc, vs| {
                        acc.wrapping_mul(64) + vs.iter().filter(|v| v.from <= q.from).count() as u64
                    });
                    (cand.policy, cand.tag, versions)
                });
                let verdict = match key.as_ref().and_then(|k| memo.get(k)) {
                    Some(v) => v.clone(),
                    None => {
                        let mut claim = Claim::new(&p.id, q.from);
                        claim.enterprise = Some(e.uscc.clone());
                        claim.facts = cand.facts.clone();
                        let Ok(outs) = set.evaluate(&claim, mine) else {
                            continue;
                        };
                        let Some(o) = outs.into_iter().next() else {
                            continue;
                        };
                        let v = (o.status, o.amount, o.missing, o.flags);
                        if let Some(k) = key {
                            memo.insert(k, v.clone());
                        }
                        v
                    }
                };
                let (status, amount, missing, oflags) = verdict;
                if status == Status::NotEligible {
                    continue;
                }
                let mut flags = cand.flags;
                flags.extend(oflags);
                out.push(Finding {
                    uscc: uscc.to_string(),
                    county: e.county.clone(),
                    policy: p.id.clone(),
                    clause: p.clause.clone(),
                    event_date: q.from,
                    status,
                    amount,
                    missing,
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
        let f = scan(&s, &[e], &HashMap::new(), &HashMap::new(), opts());
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
        let f = scan(&s, &[e], &HashMap::new(), &HashMap::new(), opts());
        let got: Vec<(&str, &str, Vec<String>)> = f
            .iter()
            .map(|x| (x.policy.as_str(), x.status.as_str(), x.missing.clone()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "small_to_above_scale",
                    "unknown",
                    vec!["newly_built_entered_statistics".to_string()]
                ),
                ("listing_a_share_counselling", "eligible", vec![]),
                (
                    "listing_a_share_accepted",
                    "unknown",
                    vec!["accepted_by".to_string()]
                ),
                (
                    "listing_overseas_accepted",
                    "unknown",
                    vec!["main_overseas_exchange".to_string()]
                ),
                (
                    "listing_overseas_approved",
                    "unknown",
                    vec!["main_overseas_exchange".to_string()]
                ),
            ]
        );
    }

    #[test]
    fn the_verdict_cache_agrees_with_the_engine() {
        let s = set();
        // One enterprise with an unrelated payout, one with none, one with the other level
        // paid on another date: every finding must be what a direct evaluation gives.
        let mk = |tail: &str| {
            let body = format!("91130981MA0AB12C{tail}");
            let c = clusterdesk_domain::uscc::check_char(body.as_bytes()).unwrap();
            let mut e = ent(
                &[
                    (QualKind::GreenFactory, "national", "2024-03-01"),
                    (QualKind::Listed, "chinext", "2024-03-01"),
                    (QualKind::AboveScale, "", "2024-01-01"),
                ],
                Some(2021),
            );
            e.uscc = Uscc::parse(&format!("{body}{c}")).unwrap();
            e
        };
        let ents = [mk("1"), mk("2"), mk("3")];
        let pay = |e: &EnterpriseFacts, policy: &str| LedgerEntry {
            policy: policy.into(),
            enterprise: Some(e.uscc.clone()),
            county: None,
            date: d("2023-01-05"),
            paid: Fen::from_yuan(300_000),
            project: None,
        };
        let mut ledger = HashMap::new();
        ledger.insert(ents[0].uscc.to_string(), vec![pay(&ents[0], "informatization")]);
        ledger.insert(
            ents[2].uscc.to_string(),
            vec![pay(&ents[2], "green_factory_provincial")],
        );
        let f = scan(&s, &ents, &ledger, &HashMap::new(), opts());
        assert_eq!(f.len(), 12);
        for x in &f {
            let e = ents.iter().find(|e| e.uscc.as_str() == x.uscc).unwrap();
            let mut c = Claim::new(&x.policy, x.event_date);
            c.enterprise = Some(e.uscc.clone());
            c.facts = x.facts.clone();
            let mine = ledger.get(&x.uscc).cloned().unwrap_or_default();
            let o = s.evaluate(&c, &mine).unwrap().remove(0);
            assert_eq!(
                (o.status, o.amount, &o.missing),
                (x.status, x.amount, &x.missing),
                "{x:?}"
            );
        }
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
        let claimed: HashMap<String, Vec<String>> =
            [(e.uscc.to_string(), vec!["well_known_trademark".to_string()])].into();
        let f = scan(&s, &[e], &ledger, &claimed, opts());
        assert!(f.is_empty(), "{f:?}");
    }
}
