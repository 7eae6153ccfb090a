//! The county ranking transfer (三(二)1): the top places receive, the bottom places pay, in
//! mirror order; ties pool the amounts of the places they occupy and split them equally.
//! The transfers always sum to zero.

use crate::PolicyError;
use crate::eval::{
    Claim, LedgerEntry, Outcome, Status, TraceStep, field_err, place_amounts, reading_str, yuan_grouped,
};
use crate::labels::date_zh;
use crate::model::Policy;
use chrono::Datelike;
use clusterdesk_domain::{Fen, RegionCode};
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::BTreeMap;

/// The signed amount of place `pos` (1-based) among `n`: +places[pos-1] for the top,
/// −places[n-pos] for the bottom, 0 between.
fn place_amount(places: &[Fen], n: usize, pos: usize) -> i64 {
    let k = places.len();
    if pos <= k {
        places[pos - 1].0
    } else if pos > n - k {
        -places[n - pos].0
    } else {
        0
    }
}

/// Split `total` fen among `m` members equally; the remainder fen go one each to the first
/// members in the given order (by magnitude, so payers and receivers are treated alike).
pub(crate) fn split_even(total: i64, m: usize) -> Vec<i64> {
    let mag = total.unsigned_abs();
    let q = mag / m as u64;
    let r = (mag % m as u64) as usize;
    let sign = if total < 0 { -1 } else { 1 };
    (0..m).map(|i| sign * (q + u64::from(i < r)) as i64).collect()
}

/// Whether the county at index `i` of the ordered list shares its score with a neighbour.
fn is_tied(order: &[(&String, Decimal)], i: usize) -> bool {
    (i > 0 && order[i - 1].1 == order[i].1) || (i + 1 < order.len() && order[i + 1].1 == order[i].1)
}

pub(crate) fn evaluate(
    p: &Policy,
    claim: &Claim,
    ledger: &[LedgerEntry],
    readings: &BTreeMap<String, Value>,
) -> Result<Vec<Outcome>, PolicyError> {
    if claim.enterprise.is_some() {
        return Err(field_err(
            p,
            "enterprise",
            "县(市)排名转移不针对企业,请给出 scores",
        ));
    }
    if claim.base.is_some() {
        return Err(field_err(p, "base_yuan", "县(市)排名转移不使用 base_yuan"));
    }
    if claim.approved.is_some() {
        return Err(field_err(
            p,
            "approved_yuan",
            "县(市)排名转移不使用 approved_yuan",
        ));
    }
    let Some(scores) = &claim.scores else {
        let mut o = Outcome::start(p);
        o.status = Status::Unknown;
        o.missing.push("scores".into());
        o.trace
            .push(TraceStep::new("result", &p.clause, "待定:缺少各县(市)考核得分 scores").with_fen(0));
        return Ok(vec![o]);
    };
    for code in scores.keys() {
        RegionCode::parse(code).map_err(|e| field_err(p, &format!("scores.{code}"), e.message))?;
    }
    let (places, pclause, psrc) = place_amounts(p, claim.date)?;
    let first = p.first_date().unwrap_or(claim.date);
    let first_zh = date_zh(first);
    let early = claim.date < first;
    let excluded = early && reading_str(readings, "events_before_issue") == "excluded";
    let date_text = if early {
        format!(
            "考核日期 {} 早于参数首个生效日 {first_zh}{}{}",
            date_zh(claim.date),
            crate::labels::reading_note(
                "events_before_issue",
                &reading_str(readings, "events_before_issue")
            ),
            if excluded {
                ",不执行转移"
            } else {
                ",适用首个取值"
            }
        )
    } else {
        format!("考核日期 {};适用该日有效的名次金额", date_zh(claim.date))
    };
    let k = places.len();
    let n = scores.len();
    if n < 2 * k {
        return Err(field_err(
            p,
            "scores",
            format!(
                "参与排名的县(市)只有 {n} 个,至少需要 {} 个:前 {k} 名的奖励由后 {k} 名承担,名次不能重叠",
                2 * k
            ),
        ));
    }
    let higher_better = readings.get("higher_score_better") != Some(&Value::Bool(false));
    let lowest_first = reading_str(readings, "remainder_fen") != "highest_code_first";
    let expected = readings.get("expected_counties").and_then(Value::as_u64);
    let ties_clause = p
        .reading("ties")
        .map(|r| r.clause.clone())
        .unwrap_or_else(|| p.clause.clone());

    // Order by score (best first), then code for a stable display.
    let mut order: Vec<(&String, Decimal)> = scores.iter().map(|(c, s)| (c, *s)).collect();
    order.sort_by(|a, b| {
        let by_score = if higher_better {
            b.1.cmp(&a.1)
        } else {
            a.1.cmp(&b.1)
        };
        by_score.then(a.0.cmp(b.0))
    });

    // The year already settled?
    let year = claim.date.year();
    let done: Vec<&LedgerEntry> = ledger
        .iter()
        .filter(|e| e.policy == p.id && e.date.year() == year)
        .collect();

    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && order[j + 1].1 == order[i].1 {
            j += 1;
        }
        let (start, end) = (i + 1, j + 1); // positions, 1-based
        let pooled: i64 = (start..=end).map(|pos| place_amount(&places, n, pos)).sum();
        let mut members: Vec<&String> = order[i..=j].iter().map(|(c, _)| *c).collect();
        if !lowest_first {
            members.reverse();
        }
        let shares = split_even(pooled, members.len());
        let tied = members.len() > 1;
        let touches_money = (start..=end).any(|pos| place_amount(&places, n, pos) != 0);
        for (m, code) in members.iter().enumerate() {
            let mut o = Outcome::start(p);
            o.county = Some((*code).clone());
            let score = scores[*code];
            o.trace.push(TraceStep::new(
                "score",
                &p.clause,
                format!(
                    "{code} 考核得分 {score},{}第 {start} 名(共 {n} 个县(市),{})",
                    if tied {
                        format!("与 {} 个县(市)并列", members.len() - 1)
                    } else {
                        String::new()
                    },
                    if higher_better {
                        "得分高者在前"
                    } else {
                        "得分低者在前"
                    }
                ),
            ));
            o.trace
                .insert(1, TraceStep::new("date", &p.clause, date_text.clone()));
            if early {
                o.flags.push(format!(
                    "考核日期 {} 早于方案印发日 {first_zh}",
                    date_zh(claim.date)
                ));
            }
            if excluded {
                out.push(o.not_eligible(&p.clause, "考核早于政策生效日"));
                continue;
            }
            if let Some(e) = expected.filter(|e| *e as usize != n) {
                o.flags.push(format!("参与排名的县(市)为 {n} 个,方案为 {e} 个"));
            }
            if let Some(e) = done.first() {
                out.push(o.not_eligible(
                    &p.clause,
                    format!("{year} 年度的排名转移已于 {} 执行,不重复执行", date_zh(e.date)),
                ));
                continue;
            }
            let amount = shares[m];
            if tied {
                let parts: Vec<String> = (start..=end)
                    .map(|pos| format!("第{pos}名 {}", yuan_grouped(Fen(place_amount(&places, n, pos)))))
                    .collect();
                o.trace.push(
                    TraceStep::new(
                        "tie",
                        &ties_clause,
                        format!(
                            "并列第 {start}–{end} 名:合并名次金额({})共 {} 元,{} 个县(市)平分;不能整除的分按县代码{}各加 1 分(方案未规定并列的处理,按合并平分解读)",
                            parts.join(" + "),
                            yuan_grouped(Fen(pooled)),
                            members.len(),
                            if lowest_first { "从小到大" } else { "从大到小" }
                        ),
                    )
                    .with_fen(pooled),
                );
                if touches_money {
                    o.flags.push(format!(
                        "并列第 {start}–{end} 名({}):文本未规定并列,已合并名次金额平分,请考核部门确认",
                        members.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("、")
                    ));
                }
            } else {
                let pos = start;
                let text = if pos <= k {
                    let payer = order[n - pos].0;
                    let payer_tied = is_tied(&order, n - pos);
                    format!(
                        "第 {pos} 名获奖励 {} 元,由倒数第 {pos} 名{}承担({psrc})",
                        yuan_grouped(places[pos - 1]),
                        if payer_tied {
                            "(并列)".to_string()
                        } else {
                            format!(" {payer} ")
                        }
                    )
                } else if pos > n - k {
                    let back = n - pos + 1;
                    let receiver = order[back - 1].0;
                    let receiver_tied = is_tied(&order, back - 1);
                    format!(
                        "倒数第 {back} 名,承担第 {back} 名的奖励 {} 元,付给{}({psrc})",
                        yuan_grouped(places[back - 1]),
                        if receiver_tied {
                            "(并列)".to_string()
                        } else {
                            format!(" {receiver}")
                        }
                    )
                } else {
                    format!("第 {pos} 名不在前 {k} 名或后 {k} 名之列,无转移")
                };
                o.trace
                    .push(TraceStep::new("place", &pclause, text).with_fen(amount));
            }
            o.amount = Fen(amount);
            let verb = match amount.signum() {
                1 => "获得",
                -1 => "承担",
                _ => "无收付",
            };
            o.trace.push(
                TraceStep::new(
                    "result",
                    &p.clause,
                    format!("{verb} {} 元", yuan_grouped(Fen(amount.abs()))),
                )
                .with_fen(amount),
            );
            out.push(o);
        }
        i = j + 1;
    }
    let total: i64 = out.iter().map(|o| o.amount.0).sum();
    if total != 0 {
        return Err(field_err(
            p,
            "scores",
            format!("内部错误:转移合计 {total} 分不为零"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::split_even;

    #[test]
    fn split_even_gives_remainder_fen_to_the_first_members() {
        assert_eq!(
            split_even(100_000_000, 3),
            vec![33_333_334, 33_333_333, 33_333_333]
        );
        assert_eq!(
            split_even(-100_000_000, 3),
            vec![-33_333_334, -33_333_333, -33_333_333]
        );
        assert_eq!(split_even(400_000_000, 2), vec![200_000_000, 200_000_000]);
        assert_eq!(split_even(0, 4), vec![0; 4]);
        for (t, m) in [(7, 3), (-7, 3), (1, 5), (-900_000_000, 4)] {
            assert_eq!(split_even(t, m).iter().sum::<i64>(), t);
        }
    }
}
