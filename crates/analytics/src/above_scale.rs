//! 三(二)2: net new above-scale (规上) enterprises per county in a year, to a month: those in
//! force on 1 January, entries (小升规 or 新建入统) and exits, against each county's target.

use crate::TargetSource;
use crate::county_assessment::{calc_round, fmt_dp};
use rust_decimal::Decimal;
use std::collections::HashMap;

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AboveScaleEvent {
    pub uscc: String,
    pub name: String,
    /// `entered` or `exited`.
    pub event: String,
    pub date: String,
    /// 小升规 / 新建入统或无法区分 / 退出.
    pub class: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AboveScaleRow {
    pub county: String,
    pub name: String,
    /// 规上 enterprises in force on 1 January.
    pub start: i64,
    /// Entered the statistics in the year (to the as-of month).
    pub entered: i64,
    /// Of which grew from small (reported figures before the year they crossed the line).
    pub small_to_above: i64,
    /// Of which newly built, or not told apart (no figures before crossing the line).
    pub newly_built_or_unknown: i64,
    pub exits: i64,
    pub net_new: i64,
    pub end: i64,
    pub target: Option<i64>,
    /// Where the target comes from: `issued` (市工信局下达), `plan` (规划文件示例数) or `none`.
    #[schema(value_type = String)]
    pub target_source: TargetSource,
    /// The source as people read it, e.g. `市工信局下达(市工信局管理员,2026年3月1日)` or `规划文件示例数`.
    pub target_source_text: String,
    /// Net new over target in percent (two decimals); none without a target or for a target of 0.
    pub attainment_pct: Option<String>,
    /// Net new minus target: positive over, negative under.
    pub gap: Option<i64>,
    pub events: Vec<AboveScaleEvent>,
}

/// An `above_scale` qualification of an enterprise that overlaps the year to the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AboveScaleQual {
    pub uscc: String,
    pub name: String,
    pub county: String,
    pub valid_from: String,
    /// The first day no longer held.
    pub valid_to: Option<String>,
}

/// Counts the qualifications (in county, valid-from order) into the counties' rows (targets
/// filled in, counts zero): a qualification from before `start` (1 January) is in force at the
/// start; one from `start` on is an entry, 小升规 when `first` (each entering enterprise's
/// first reported revenue period) lies in a year before the one it crossed the line; one
/// ending after `start` up to `end` (the month's last day) is an exit. Then net new, the end
/// count, the gap to the target and the attainment.
pub fn tally(
    year: i32,
    start: &str,
    end: &str,
    out: &mut [AboveScaleRow],
    quals: &[AboveScaleQual],
    first: &HashMap<String, String>,
) {
    for q in quals {
        let (uscc, name, county) = (q.uscc.clone(), q.name.clone(), &q.county);
        let (from, to) = (&q.valid_from, q.valid_to.clone());
        let Some(row) = out.iter_mut().find(|x| &x.county == county) else {
            continue;
        };
        if from.as_str() < start {
            row.start += 1;
        } else {
            row.entered += 1;
            let crossed = from.get(..4).and_then(|y| y.parse::<i32>().ok()).unwrap_or(year) - 1;
            let small = first
                .get(&uscc)
                .and_then(|p| p.get(..4))
                .and_then(|y| y.parse::<i32>().ok())
                .is_some_and(|y| y < crossed);
            if small {
                row.small_to_above += 1;
            } else {
                row.newly_built_or_unknown += 1;
            }
            row.events.push(AboveScaleEvent {
                uscc: uscc.clone(),
                name: name.clone(),
                event: "entered".into(),
                date: from.clone(),
                class: if small {
                    "小升规".into()
                } else {
                    "新建入统或无法区分".into()
                },
            });
        }
        if let Some(t) = to.filter(|t| t.as_str() > start && t.as_str() <= end) {
            row.exits += 1;
            row.events.push(AboveScaleEvent {
                uscc,
                name,
                event: "exited".into(),
                date: t,
                class: "退出".into(),
            });
        }
    }
    for r in out.iter_mut() {
        r.net_new = r.entered - r.exits;
        r.end = r.start + r.net_new;
        if let Some(t) = r.target {
            r.gap = Some(r.net_new - t);
        }
        if let Some(t) = r.target.filter(|t| *t > 0) {
            r.attainment_pct = Some(fmt_dp(
                calc_round(
                    Decimal::from(r.net_new) * Decimal::ONE_HUNDRED / Decimal::from(t),
                    2,
                ),
                2,
            ));
        }
    }
}

/// The note on the 三(二)2 targets: the plan file's note while its working figures are used,
/// the issued source once 市工信局 has set them.
pub fn target_note(plan_note: &str, rows: &[AboveScaleRow]) -> String {
    let issued = rows
        .iter()
        .filter(|r| r.target_source == TargetSource::Issued)
        .count();
    let plan = rows
        .iter()
        .filter(|r| r.target_source == TargetSource::Plan)
        .count();
    match (issued, plan) {
        (0, _) => plan_note.to_string(),
        (i, 0) if i == rows.len() => "市工信局下达".into(),
        (_, 0) => "市工信局下达(其余县(市)未下达)".into(),
        _ => format!("{issued} 个县(市)为市工信局下达,{plan} 个县(市)为规划文件示例数(见“目标来源”列)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(county: &str, target: Option<i64>) -> AboveScaleRow {
        AboveScaleRow {
            county: county.into(),
            name: county.into(),
            start: 0,
            entered: 0,
            small_to_above: 0,
            newly_built_or_unknown: 0,
            exits: 0,
            net_new: 0,
            end: 0,
            target,
            target_source: TargetSource::Plan,
            target_source_text: "规划文件示例数".into(),
            attainment_pct: None,
            gap: None,
            events: Vec::new(),
        }
    }

    fn q(uscc: &str, county: &str, from: &str, to: Option<&str>) -> AboveScaleQual {
        AboveScaleQual {
            uscc: uscc.into(),
            name: format!("企业{uscc}"),
            county: county.into(),
            valid_from: from.into(),
            valid_to: to.map(str::to_string),
        }
    }

    #[test]
    fn entries_exits_and_net_new_by_hand() {
        // 2026 to March. A: e1 in force since 2025; e4 too, until 15 February (an exit); e2
        // entered in February with revenue reported since 2024 (before 2025, the year before it
        // crossed: 小升规); e3 in March, revenue since 2025 only (not told apart); e5 in January
        // with no revenue, leaving on 1 April (after the month: not an exit yet). B: one in
        // force, target 0.
        let quals = [
            q("e1", "A", "2025-06-01", None),
            q("e4", "A", "2025-01-01", Some("2026-02-15")),
            q("e5", "A", "2026-01-10", Some("2026-04-01")),
            q("e2", "A", "2026-02-01", None),
            q("e3", "A", "2026-03-01", None),
            q("e6", "B", "2024-01-01", None),
            q("e7", "X", "2026-01-05", None),
        ];
        let first = HashMap::from([
            ("e2".to_string(), "2024-03".to_string()),
            ("e3".to_string(), "2025-01".to_string()),
        ]);
        let mut out = [row("A", Some(2)), row("B", Some(0)), row("C", None)];
        tally(2026, "2026-01-01", "2026-03-31", &mut out, &quals, &first);
        let a = &out[0];
        // Start 2 (e1, e4); entered 3 (e5, e2, e3) of which 小升规 1 (e2); exits 1 (e4); net new
        // 3 − 1 = 2; end 4; against 2: gap 0, 100.00%.
        assert_eq!(
            (
                a.start,
                a.entered,
                a.small_to_above,
                a.newly_built_or_unknown,
                a.exits
            ),
            (2, 3, 1, 2, 1)
        );
        assert_eq!(
            (a.net_new, a.end, a.gap, a.attainment_pct.as_deref()),
            (2, 4, Some(0), Some("100.00"))
        );
        let events: Vec<(&str, &str, &str)> = a
            .events
            .iter()
            .map(|e| (e.uscc.as_str(), e.event.as_str(), e.class.as_str()))
            .collect();
        assert_eq!(
            events,
            [
                ("e4", "exited", "退出"),
                ("e5", "entered", "新建入统或无法区分"),
                ("e2", "entered", "小升规"),
                ("e3", "entered", "新建入统或无法区分")
            ]
        );
        // B: net 0 against a target of 0: a gap, no attainment. C: nothing, no target. X is not
        // a county of the table.
        let b = &out[1];
        assert_eq!(
            (b.start, b.net_new, b.end, b.gap, b.attainment_pct.clone()),
            (1, 0, 1, Some(0), None)
        );
        assert_eq!((out[2].net_new, out[2].gap), (0, None));
    }

    #[test]
    fn the_note_says_where_the_targets_come_from() {
        let with = |sources: &[TargetSource]| -> Vec<AboveScaleRow> {
            sources
                .iter()
                .map(|s| AboveScaleRow {
                    target_source: *s,
                    ..row("A", Some(1))
                })
                .collect()
        };
        use TargetSource::*;
        assert_eq!(target_note("示例数", &with(&[Plan, Plan])), "示例数");
        assert_eq!(target_note("示例数", &with(&[Issued, Issued])), "市工信局下达");
        assert_eq!(
            target_note("示例数", &with(&[Issued, None])),
            "市工信局下达(其余县(市)未下达)"
        );
        assert_eq!(
            target_note("示例数", &with(&[Issued, Plan, Plan])),
            "1 个县(市)为市工信局下达,2 个县(市)为规划文件示例数(见“目标来源”列)"
        );
    }
}
