//! The county assessment (考核, plan file `assessment.yaml`): for a year (as of a month in the
//! current year) each county's raw value per indicator, its score, the composite, the rank with
//! the tie-break and what was counted; the 三(二)1 ranking on enterprises entering parks turned
//! into the zero-sum transfer by the policy engine; the 三(二)2 table of net new above-scale
//! enterprises against each county's target.
//!
//! | indicator | raw value |
//! |---|---|
//! | revenue_growth | Σ monthly `revenue` of the county's clusters, months 1..M of the year, against the same months of the year before (%) |
//! | net_new_above_scale | `above_scale` qualifications of the county's enterprises: in force at the end of month M minus in force on 1 January (`valid_to` is the first day no longer held) |
//! | park_entries | Σ monthly `park_entries` of the county's clusters, months 1..M |
//! | reporting_timeliness | of the months 1..M whose deadline has passed, the share submitted by the deadline (Beijing date) |
//! | problems_closed_on_time | no module records problems yet: no data |
//!
//! Scope: the ranking is published city-wide, so a county sees every county's scores and rank;
//! what was counted (enterprise lists, per-cluster figures) only for its own county.

use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use clusterdesk_analytics::assessment as calc;
use clusterdesk_domain::{Fen, Period};
use clusterdesk_plan::assessment::{Assessment, Scoring, Source};
use clusterdesk_policy::PolicySet;
use rust_decimal::Decimal;
use sqlx::Row;
use std::collections::HashMap;

mod decisions;
pub use decisions::{
    AboveScaleTarget, AboveScaleTargets, FinalizedRow, FinalizedTransfer, MAX_ABOVE_SCALE_TARGET, TargetEdit,
    TransferDecision, TransferRevocation, TransferStatus, check_target, parse_target,
};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorInfo {
    pub code: String,
    pub name: String,
    pub clause: String,
    pub unit: String,
    /// Weight as in the plan (of 100).
    pub weight: u32,
    /// Weight after leaving out indicators without data (of 100, two decimals).
    pub effective_weight: String,
    /// How the score is computed, in Chinese.
    pub scoring: String,
    /// False when no county has data: left out of the composite.
    pub available: bool,
    pub note: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct IndicatorValue {
    pub code: String,
    /// The raw value (exact decimal), if any.
    pub raw: Option<String>,
    /// The raw value as people read it, e.g. `12.50%`, `净增 12 / 目标 15`, `暂无数据`.
    pub raw_text: String,
    /// Score of 0–100 as published (rounded to the plan's decimals).
    pub score: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CountyResult {
    pub county: String,
    pub name: String,
    pub values: Vec<IndicatorValue>,
    pub composite: String,
    pub rank: usize,
    /// Equal with another county on the composite and every tie-break score.
    pub tied: bool,
    /// Equal with another county on the composite, separated by the tie-break.
    pub tie_broken: bool,
    /// Rank in the previous year's full-year assessment.
    pub last_rank: Option<usize>,
    /// Places gained since last year (positive = up).
    pub rank_change: Option<i64>,
    /// What was counted (only for the caller's own county unless the caller sees the city).
    pub provenance: Vec<String>,
}

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
    pub target_source: String,
    /// The source as people read it, e.g. `市工信局下达(市工信局管理员,2026年3月1日)` or `规划文件示例数`.
    pub target_source_text: String,
    /// Net new over target in percent (two decimals); none without a target or for a target of 0.
    pub attainment_pct: Option<String>,
    /// Net new minus target: positive over, negative under.
    pub gap: Option<i64>,
    pub events: Vec<AboveScaleEvent>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AssessmentReport {
    pub name: String,
    pub clause: String,
    pub clause_text: String,
    pub year: i32,
    /// The month the figures run to, e.g. `2025-12`.
    pub as_of: String,
    /// The year is complete (as of December).
    pub complete: bool,
    pub indicators: Vec<IndicatorInfo>,
    /// Names of the tie-break indicators, in order.
    pub tie_break: Vec<String>,
    /// Every county, best first.
    pub rows: Vec<CountyResult>,
    pub park_entry: ParkEntryTransfer,
    pub above_scale: Vec<AboveScaleRow>,
    pub above_scale_target_note: String,
    /// 三(二)1: the finalized (定稿) transfer of the year, if any, against today's computation.
    pub transfer_decision: TransferDecision,
    pub notes: Vec<String>,
    /// The caller's county when the caller is a county.
    pub own_county: Option<String>,
}

/// One year's raw data and scores, before the report is shaped.
struct Computed {
    counties: Vec<(String, String)>,
    raw: Vec<Vec<Option<Decimal>>>,
    raw_text: Vec<Vec<String>>,
    scores: Vec<Option<Vec<Option<Decimal>>>>,
    composites: Vec<Decimal>,
    places: Vec<calc::Place>,
    provenance: Vec<Vec<String>>,
    park: Vec<i64>,
    above: Vec<AboveScaleRow>,
}

fn fmt_dp(d: Decimal, dp: u32) -> String {
    format!("{:.*}", dp as usize, d)
}

fn scoring_text(i: &clusterdesk_plan::assessment::AssessmentIndicator) -> String {
    match i.scoring {
        Scoring::RankPoints => "按名次计分:第1名100分,末名0分,其间等差;并列取较好名次".into(),
        Scoring::MinMax => format!(
            "按极差计分:{}者100分,{}者0分,其间按比例",
            if i.higher_better { "最高" } else { "最低" },
            if i.higher_better { "最低" } else { "最高" }
        ),
        Scoring::TargetRatio => format!(
            "按目标完成率计分:100 × min(完成率, {}%) ÷ {}%,负值计0分;目标为0时净增不为负即得满分",
            i.cap_pct.unwrap_or_default(),
            i.cap_pct.unwrap_or_default()
        ),
        Scoring::Percent => {
            if i.higher_better {
                "百分率即得分(0–100)".into()
            } else {
                "100 − 百分率".into()
            }
        }
    }
}

/// 1 234 567 fen → `12,345.67万元`-style text is left to the pages; here plain 万元 with two decimals.
fn wan(fen: i64) -> String {
    format!("{}万元", Fen(fen).wan_yuan(2))
}

/// The Beijing date of a stored UTC time.
fn beijing_date(rfc3339: &str) -> Option<NaiveDate> {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).ok()?;
    let bj = chrono::FixedOffset::east_opt(8 * 3600)?;
    Some(t.with_timezone(&bj).date_naive())
}

impl Store {
    fn assessment_plan(&self) -> Result<&Assessment> {
        self.plan()
            .assessment
            .as_ref()
            .ok_or_else(|| StoreError::NotFound("本方案的考核办法(assessment.yaml)".into()))
    }

    /// The latest month with cluster data on enterprises entering parks (or revenue): the
    /// default as-of month of the assessment.
    pub async fn assessment_default_month(&self) -> Result<Option<Period>> {
        let m = match self.latest_month("park_entries").await? {
            Some(m) => Some(m),
            None => self.latest_month("revenue").await?,
        };
        Ok(m.and_then(|m| Period::parse(&m).ok()))
    }

    /// The assessment of `year` as of month `as_of_month` (12 for a complete year); `today`
    /// decides which monthly submissions are already due.
    pub async fn assessment(
        &self,
        actor: &Actor,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<AssessmentReport> {
        let own = match actor.scope() {
            Scope::City => None,
            Scope::County(c) => Some(c),
            _ => {
                return Err(StoreError::Forbidden("考核排名只对市、县(市)用户开放".into()));
            }
        };
        let a = self.assessment_plan()?;
        if year < a.first_year || year > 2100 {
            return Err(StoreError::Invalid(format!(
                "考核年度 {year} 不在方案范围内(自 {} 年起)",
                a.first_year
            )));
        }
        if !(1..=12).contains(&as_of_month) {
            return Err(StoreError::Invalid(format!("月份 {as_of_month} 应为 1–12")));
        }
        let dp = a.decimals;
        let cur = self.compute_assessment(a, year, as_of_month, today).await?;
        let last = if year > a.first_year {
            Some(self.compute_assessment(a, year - 1, 12, today).await?)
        } else {
            None
        };
        let sees = |county: &str| own.as_deref().is_none_or(|o| o == county);

        let n_avail_weight: u32 = a
            .indicators
            .iter()
            .zip(&cur.scores)
            .filter(|(_, s)| s.is_some())
            .map(|(i, _)| i.weight)
            .sum();
        let indicators: Vec<IndicatorInfo> = a
            .indicators
            .iter()
            .zip(&cur.scores)
            .map(|(i, s)| IndicatorInfo {
                code: i.code.clone(),
                name: i.name.clone(),
                clause: i.clause.clone(),
                unit: i.unit.clone(),
                weight: i.weight,
                effective_weight: if s.is_some() && n_avail_weight > 0 {
                    fmt_dp(
                        calc_round(
                            Decimal::from(i.weight) * Decimal::ONE_HUNDRED / Decimal::from(n_avail_weight),
                            2,
                        ),
                        2,
                    )
                } else {
                    "0.00".into()
                },
                scoring: scoring_text(i),
                available: s.is_some(),
                note: i.note.clone(),
            })
            .collect();
        let mut notes = Vec::new();
        for (i, s) in a.indicators.iter().zip(&cur.scores) {
            if s.is_none() && i.weight > 0 {
                notes.push(format!(
                    "“{}”本期各县(市)均无数据,不计入综合得分,其余指标权重按比例折算为100。",
                    i.name
                ));
            }
        }
        notes.push(format!(
            "综合得分 = Σ(权重 × 指标得分) ÷ Σ权重;指标得分与综合得分均四舍五入保留 {dp} 位小数,综合得分由表中公布的指标得分算出。"
        ));
        notes.push(format!(
            "综合得分相同时依次比较:{};仍相同则名次并列。",
            a.tie_break
                .iter()
                .filter_map(|c| a.indicator(c))
                .map(|i| i.name.clone())
                .collect::<Vec<_>>()
                .join("、")
        ));
        let mut rows: Vec<CountyResult> = Vec::new();
        for (c, (code, name)) in cur.counties.iter().enumerate() {
            let last_rank = last.as_ref().and_then(|l| {
                l.counties
                    .iter()
                    .position(|(lc, _)| lc == code)
                    .map(|k| l.places[k].rank)
            });
            rows.push(CountyResult {
                county: code.clone(),
                name: name.clone(),
                values: a
                    .indicators
                    .iter()
                    .enumerate()
                    .map(|(k, i)| IndicatorValue {
                        code: i.code.clone(),
                        raw: cur.raw[c][k].map(|d| d.to_string()),
                        raw_text: cur.raw_text[c][k].clone(),
                        score: cur.scores[k]
                            .as_ref()
                            .map(|s| fmt_dp(s[c].unwrap_or(Decimal::ZERO), dp)),
                    })
                    .collect(),
                composite: fmt_dp(cur.composites[c], dp),
                rank: cur.places[c].rank,
                tied: cur.places[c].tied,
                tie_broken: cur.places[c].tie_broken,
                last_rank,
                rank_change: last_rank.map(|l| l as i64 - cur.places[c].rank as i64),
                provenance: if sees(code) {
                    cur.provenance[c].clone()
                } else {
                    Vec::new()
                },
            });
        }
        rows.sort_by(|x, y| x.rank.cmp(&y.rank).then(x.county.cmp(&y.county)));

        let park_entry = self.park_entry_transfer(a, policies, year, as_of_month, &cur);
        let transfer_decision = self.transfer_decision(actor, year, &park_entry).await?;
        let mut above = cur.above.clone();
        for r in &mut above {
            if !sees(&r.county) {
                r.events.clear();
            }
        }
        Ok(AssessmentReport {
            name: a.name.clone(),
            clause: a.clause.clone(),
            clause_text: a.clause_text.clone(),
            year,
            as_of: Period::month(year, as_of_month).to_string(),
            complete: as_of_month == 12,
            indicators,
            tie_break: a
                .tie_break
                .iter()
                .filter_map(|c| a.indicator(c))
                .map(|i| i.name.clone())
                .collect(),
            rows,
            park_entry,
            above_scale_target_note: target_note(&a.above_scale_targets_note, &above),
            above_scale: above,
            transfer_decision,
            notes,
            own_county: own,
        })
    }

    /// 三(二)1: the counties' park entries handed to the rank-transfer policy as scores.
    fn park_entry_transfer(
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

    async fn compute_assessment(
        &self,
        a: &Assessment,
        year: i32,
        m: u32,
        today: NaiveDate,
    ) -> Result<Computed> {
        let plan = self.plan();
        let counties: Vec<(String, String)> = plan
            .counties()
            .map(|c| (c.code.clone(), c.name.clone()))
            .collect();
        let idx: HashMap<&str, usize> = counties
            .iter()
            .enumerate()
            .map(|(i, (c, _))| (c.as_str(), i))
            .collect();
        let n = counties.len();
        let dp = a.decimals;
        let months = if m == 1 {
            format!("{year}年1月")
        } else {
            format!("{year}年1–{m}月")
        };
        let mut raw = vec![vec![None; a.indicators.len()]; n];
        let mut raw_text = vec![vec![String::from("暂无数据"); a.indicators.len()]; n];
        let mut provenance: Vec<Vec<String>> = vec![Vec::new(); n];
        let mut targets: Vec<Vec<Option<Decimal>>> = vec![vec![None; n]; a.indicators.len()];

        // Park entries and revenue: month sums per cluster.
        let park_by_cluster = self.cluster_month_sums("park_entries", year, 1, m).await?;
        let mut park = vec![0i64; n];
        let mut park_seen = vec![false; n];
        for (cluster, v) in &park_by_cluster {
            if let Some(k) = plan.cluster(cluster).and_then(|c| idx.get(c.county.as_str())) {
                park[*k] += v;
                park_seen[*k] = true;
            }
        }
        let rev_cur = self.cluster_month_sums("revenue", year, 1, m).await?;
        let rev_prev = self.cluster_month_sums("revenue", year - 1, 1, m).await?;
        let mut rev = vec![(0i64, 0i64, false, false); n];
        for (cluster, v) in &rev_cur {
            if let Some(k) = plan.cluster(cluster).and_then(|c| idx.get(c.county.as_str())) {
                rev[*k].0 += v;
                rev[*k].2 = true;
            }
        }
        for (cluster, v) in &rev_prev {
            if let Some(k) = plan.cluster(cluster).and_then(|c| idx.get(c.county.as_str())) {
                rev[*k].1 += v;
                rev[*k].3 = true;
            }
        }
        let above = self.above_scale_rows(year, m, &counties).await?;

        for (k, ind) in a.indicators.iter().enumerate() {
            for c in 0..n {
                match ind.source {
                    Source::ParkEntries => {
                        if park_seen[c] {
                            raw[c][k] = Some(Decimal::from(park[c]));
                            raw_text[c][k] = format!("{}家", park[c]);
                            let mut parts: Vec<String> = park_by_cluster
                                .iter()
                                .filter(|(cl, v)| {
                                    *v > 0 && plan.cluster(cl).is_some_and(|x| x.county == counties[c].0)
                                })
                                .map(|(cl, v)| {
                                    format!(
                                        "{} {v}家",
                                        plan.cluster(cl).map(|x| x.name.as_str()).unwrap_or(cl)
                                    )
                                })
                                .collect();
                            parts.sort();
                            provenance[c].push(format!(
                                "入园进区({}):{months}集群月报“入园企业数”合计 {} 家{}",
                                ind.clause,
                                park[c],
                                if parts.is_empty() {
                                    String::new()
                                } else {
                                    format!("({})", parts.join("、"))
                                }
                            ));
                        }
                    }
                    Source::RevenueGrowth => {
                        let (now, before, has_now, has_before) = rev[c];
                        if has_now && has_before && before > 0 {
                            let g = calc_round(
                                Decimal::from(now - before) * Decimal::ONE_HUNDRED / Decimal::from(before),
                                dp,
                            );
                            raw[c][k] = Some(g);
                            raw_text[c][k] = format!("{}%", fmt_dp(g, dp));
                            provenance[c].push(format!(
                                "营业收入增速({}):{months}集群营业收入 {},上年同期 {},增长 {}%",
                                ind.clause,
                                wan(now),
                                wan(before),
                                fmt_dp(g, dp)
                            ));
                        }
                    }
                    Source::NetNewAboveScale => {
                        let r = &above[c];
                        raw[c][k] = Some(Decimal::from(r.net_new));
                        targets[k][c] = r.target.map(Decimal::from);
                        raw_text[c][k] = match r.target {
                            Some(t) => format!("净增 {} / 目标 {t}", r.net_new),
                            None => format!("净增 {}(无目标)", r.net_new),
                        };
                        provenance[c].push(format!(
                            "净增规上({}):年初 {} 家,新入统 {} 家(小升规 {},新建入统或无法区分 {}),退出 {} 家,净增 {} 家;目标 {}",
                            ind.clause,
                            r.start,
                            r.entered,
                            r.small_to_above,
                            r.newly_built_or_unknown,
                            r.exits,
                            r.net_new,
                            r.target.map(|t| format!("{t} 家")).unwrap_or_else(|| "未下达".into())
                        ));
                    }
                    Source::ReportingTimeliness | Source::ProblemsClosedOnTime => {}
                }
            }
            if ind.source == Source::ReportingTimeliness {
                let dataset = ind.dataset.as_deref().unwrap_or("cluster_monthly");
                let deadline_day = plan
                    .datasets
                    .iter()
                    .find(|d| d.code == dataset)
                    .map(|d| d.deadline_day)
                    .unwrap_or(10);
                let rows = sqlx::query(
                    "SELECT county_code, period, submitted_at FROM submissions
                     WHERE dataset = $1 AND period >= $2 AND period <= $3",
                )
                .bind(dataset)
                .bind(Period::month(year, 1).to_string())
                .bind(Period::month(year, m).to_string())
                .fetch_all(self.pool())
                .await?;
                let mut sub: HashMap<(String, String), Option<String>> = HashMap::new();
                for r in rows {
                    sub.insert((r.try_get(0)?, r.try_get(1)?), r.try_get(2)?);
                }
                let due: Vec<(Period, NaiveDate)> = (1..=m)
                    .map(|mm| Period::month(year, mm))
                    .map(|p| (p, crate::reporting::deadline(p, deadline_day)))
                    .filter(|(_, d)| *d < today)
                    .collect();
                if due.is_empty() {
                    continue;
                }
                for (c, (code, _)) in counties.iter().enumerate() {
                    let mut on_time = 0usize;
                    let mut late: Vec<String> = Vec::new();
                    for (p, d) in &due {
                        match sub.get(&(code.clone(), p.to_string())).cloned().flatten() {
                            Some(at) => match beijing_date(&at) {
                                Some(day) if day <= *d => on_time += 1,
                                Some(day) => late.push(format!("{p} 于 {day} 提交(截止 {d})")),
                                None => late.push(format!("{p} 提交时间无法识别")),
                            },
                            None => late.push(format!("{p} 未提交(截止 {d})")),
                        }
                    }
                    let rate = calc_round(
                        Decimal::from(on_time as i64) * Decimal::ONE_HUNDRED
                            / Decimal::from(due.len() as i64),
                        dp,
                    );
                    raw[c][k] = Some(rate);
                    raw_text[c][k] = format!("{}%({on_time}/{})", fmt_dp(rate, dp), due.len());
                    provenance[c].push(format!(
                        "报送及时率({}):已到期 {} 个月,按期 {on_time} 个{}",
                        ind.clause,
                        due.len(),
                        if late.is_empty() {
                            String::new()
                        } else {
                            format!(";逾期或未报:{}", late.join(";"))
                        }
                    ));
                }
            }
        }

        let scores: Vec<Option<Vec<Option<Decimal>>>> = a
            .indicators
            .iter()
            .enumerate()
            .map(|(k, ind)| {
                let scoring = match ind.scoring {
                    Scoring::RankPoints => calc::Scoring::RankPoints,
                    Scoring::MinMax => calc::Scoring::MinMax,
                    Scoring::TargetRatio => calc::Scoring::TargetRatio {
                        cap_pct: ind.cap_pct.unwrap_or(Decimal::ONE_HUNDRED),
                    },
                    Scoring::Percent => calc::Scoring::Percent,
                };
                let values: Vec<Option<Decimal>> = (0..n).map(|c| raw[c][k]).collect();
                calc::score_indicator(
                    &calc::Spec {
                        scoring,
                        higher_better: ind.higher_better,
                    },
                    &values,
                    &targets[k],
                    dp,
                )
            })
            .collect();
        let weights: Vec<u32> = a.indicators.iter().map(|i| i.weight).collect();
        let composites: Vec<Decimal> = (0..n)
            .map(|c| calc::composite(&weights, &scores, c, dp))
            .collect();
        let tb_idx: Vec<usize> = a
            .tie_break
            .iter()
            .filter_map(|code| a.indicators.iter().position(|i| &i.code == code))
            .collect();
        let tie_scores: Vec<Vec<Decimal>> = (0..n)
            .map(|c| {
                tb_idx
                    .iter()
                    .map(|k| scores[*k].as_ref().and_then(|s| s[c]).unwrap_or(Decimal::ZERO))
                    .collect()
            })
            .collect();
        let places = calc::rank(&composites, &tie_scores);
        Ok(Computed {
            counties,
            raw,
            raw_text,
            scores,
            composites,
            places,
            provenance,
            park,
            above,
        })
    }

    /// Σ of a monthly cluster indicator per cluster over months `from..=to` of `year`.
    async fn cluster_month_sums(
        &self,
        indicator: &str,
        year: i32,
        from: u32,
        to: u32,
    ) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            // `unit_code IN (…)` seeks the primary key (unit, indicator, period) per cluster; a
            // join let SQLite walk every enterprise's months of the indicator (0.8 s a query
            // once 20,000 enterprises report monthly).
            "SELECT v.unit_code, CAST(SUM(v.num_value) AS BIGINT) FROM data_values v
             WHERE v.unit_code IN (SELECT code FROM clusters)
               AND v.indicator_code = $1 AND v.period >= $2 AND v.period <= $3 AND v.num_value IS NOT NULL
             GROUP BY v.unit_code ORDER BY v.unit_code",
        )
        .bind(indicator)
        .bind(Period::month(year, from).to_string())
        .bind(Period::month(year, to).to_string())
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get::<Option<i64>, _>(1)?.unwrap_or(0))))
            .collect()
    }

    /// 三(二)2: per county, above-scale enterprises on 1 January, entries and exits to the end
    /// of month `m`, net new and the target.
    async fn above_scale_rows(
        &self,
        year: i32,
        m: u32,
        counties: &[(String, String)],
    ) -> Result<Vec<AboveScaleRow>> {
        let start = format!("{year}-01-01");
        let end = {
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(year, m + 1, 1)
            };
            (next.expect("valid date") - chrono::Duration::days(1)).to_string()
        };
        let rows = sqlx::query(
            "SELECT q.uscc, e.name, e.county_code, q.valid_from, q.valid_to FROM qualifications q
             JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind = 'above_scale' AND q.valid_from <= $2 AND (q.valid_to IS NULL OR q.valid_to > $1)
             ORDER BY e.county_code, q.valid_from, q.uscc",
        )
        .bind(&start)
        .bind(&end)
        .fetch_all(self.pool())
        .await?;
        // The first month each enterprise entering in the year reported revenue: figures from a
        // year before the one it crossed the line mean it existed as a small enterprise (小升规),
        // the rule of the incentive scan.
        let first: HashMap<String, String> = sqlx::query(
            "SELECT v.unit_code, MIN(v.period) FROM data_values v
             WHERE v.indicator_code = 'revenue' AND v.unit_code IN (
                SELECT q.uscc FROM qualifications q
                WHERE q.kind = 'above_scale' AND q.valid_from >= $1 AND q.valid_from <= $2)
             GROUP BY v.unit_code",
        )
        .bind(&start)
        .bind(&end)
        .fetch_all(self.pool())
        .await?
        .iter()
        .filter_map(|r| Some((r.try_get(0).ok()?, r.try_get::<Option<String>, _>(1).ok()??)))
        .collect();
        let targets = self.effective_above_scale_targets(year).await?;
        let mut out: Vec<AboveScaleRow> = counties
            .iter()
            .map(|(c, name)| AboveScaleRow {
                county: c.clone(),
                name: name.clone(),
                start: 0,
                entered: 0,
                small_to_above: 0,
                newly_built_or_unknown: 0,
                exits: 0,
                net_new: 0,
                end: 0,
                target: targets.iter().find(|t| &t.county == c).and_then(|t| t.target),
                target_source: targets
                    .iter()
                    .find(|t| &t.county == c)
                    .map(|t| t.source.clone())
                    .unwrap_or_else(|| "none".into()),
                target_source_text: targets
                    .iter()
                    .find(|t| &t.county == c)
                    .map(|t| t.source_text.clone())
                    .unwrap_or_else(|| "未下达".into()),
                attainment_pct: None,
                gap: None,
                events: Vec::new(),
            })
            .collect();
        for r in rows {
            let uscc: String = r.try_get(0)?;
            let name: String = r.try_get(1)?;
            let county: String = r.try_get(2)?;
            let from: String = r.try_get(3)?;
            let to: Option<String> = r.try_get(4)?;
            let Some(row) = out.iter_mut().find(|x| x.county == county) else {
                continue;
            };
            if from < start {
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
            if let Some(t) = to.filter(|t| *t > start && *t <= end) {
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
        for r in &mut out {
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
        Ok(out)
    }
}

fn calc_round(d: Decimal, dp: u32) -> Decimal {
    d.round_dp_with_strategy(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

/// The default (year, month) of the assessment: the latest month with data, else December of
/// the plan's target year.
pub async fn default_period(store: &Store) -> Result<(i32, u32)> {
    Ok(match store.assessment_default_month().await? {
        Some(p) => (p.year(), p.month_range().1),
        None => (store.plan().meta.target_year, 12),
    })
}

/// `2026年3月1日`.
pub(crate) fn cn_date(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The note on the 三(二)2 targets: the plan file's note while its working figures are used,
/// the issued source once 市工信局 has set them.
fn target_note(plan_note: &str, rows: &[AboveScaleRow]) -> String {
    let issued = rows.iter().filter(|r| r.target_source == "issued").count();
    let plan = rows.iter().filter(|r| r.target_source == "plan").count();
    match (issued, plan) {
        (0, _) => plan_note.to_string(),
        (i, 0) if i == rows.len() => "市工信局下达".into(),
        (_, 0) => "市工信局下达(其余县(市)未下达)".into(),
        _ => format!("{issued} 个县(市)为市工信局下达,{plan} 个县(市)为规划文件示例数(见“目标来源”列)"),
    }
}

/// The engine names counties by code; people read names. `130926` becomes `肃宁县(130926)`.
fn named(text: &str, counties: &[(String, String)]) -> String {
    counties.iter().fold(text.to_string(), |t, (code, name)| {
        t.replace(code.as_str(), &format!("{name}({code})"))
    })
}
