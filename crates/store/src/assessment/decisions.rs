//! The bureau's decisions on the county assessment, kept beside the plan file's figures:
//!
//! - 三(二)2 targets: each county's yearly target of net new above-scale enterprises as issued
//!   by 市工信局 (`above_scale_targets`, migration 0007). A row overrides the plan file's working
//!   figure (示例数) for that county and year; a year the plan file lacks can be set too.
//! - 三(二)1 transfer: the zero-sum transfer on the park-entry ranking, finalized (定稿) once a
//!   year (`county_transfers`); a city administrator may revoke it with a written reason, which
//!   the change log keeps with the revoked rows.
//!
//! Who may: the city bureau (a city administrator, or a city-department account of the plan's
//! coordinating department, `GXJ`) sets targets and finalizes; only a city administrator
//! revokes. The city, its departments (市财政局 among them) and the counties read both: the
//! assessment is published city-wide.

use super::{Computed, ParkEntryTransfer, beijing_date};
use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use clusterdesk_analytics::TargetSource;
use clusterdesk_domain::Role;
use clusterdesk_policy::PolicySet;
use sqlx::Row;
use std::collections::BTreeMap;

/// The note that goes with issued targets, and the reason a transfer is revoked (one line
/// each on the page; the change log keeps them).
const TARGET_NOTE: clusterdesk_domain::text::Field = clusterdesk_domain::text::Field::line("说明", 200);
const REVOKE_REASON: clusterdesk_domain::text::Field = clusterdesk_domain::text::Field::note("撤销理由", 500);

/// The largest yearly target accepted (家).
pub const MAX_ABOVE_SCALE_TARGET: i64 = 10_000;

/// One county's effective 三(二)2 target for a year and where it comes from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AboveScaleTarget {
    pub county: String,
    pub name: String,
    /// The target in force: the issued one, else the plan file's, else none.
    pub target: Option<i64>,
    /// `issued` (市工信局下达), `plan` (规划文件示例数) or `none` (未下达).
    #[schema(value_type = String)]
    pub source: TargetSource,
    /// The source as people read it, e.g. `市工信局下达(市工信局管理员,2026年3月1日)`.
    pub source_text: String,
    /// The plan file's working figure for the year, if any.
    pub plan_target: Option<i64>,
    /// The note given when the target was issued.
    pub note: String,
    pub updated_by: Option<String>,
    pub updated_at: Option<String>,
}

/// A year's targets for the 14 counties.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AboveScaleTargets {
    pub year: i32,
    /// The years targets may be set for.
    pub first_year: i32,
    pub last_year: i32,
    pub clause: String,
    /// The plan file's note on its figures.
    pub plan_note: String,
    /// The caller may set targets.
    pub can_edit: bool,
    pub rows: Vec<AboveScaleTarget>,
}

/// One county's new target: `None` returns it to the plan file's figure.
#[derive(Debug, Clone)]
pub struct TargetEdit {
    pub county: String,
    pub target: Option<i64>,
}

/// One county's row of a finalized transfer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FinalizedRow {
    pub county: String,
    pub name: String,
    /// Place by park entries when finalized (competition rank).
    pub rank: i64,
    pub entries: i64,
    /// Signed amount in fen: + received, − paid.
    pub amount_fen: i64,
}

/// A year's finalized (定稿) 三(二)1 transfer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FinalizedTransfer {
    pub year: i32,
    pub clause: String,
    pub policy: String,
    pub finalized_by: String,
    pub finalized_at: String,
    pub rows: Vec<FinalizedRow>,
    pub total_fen: i64,
}

/// The last revocation of a year's finalized transfer.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransferRevocation {
    pub revoked_by: String,
    pub revoked_at: String,
    pub reason: String,
}

/// A year's 三(二)1 decision: what was finalized, if anything, against today's computation.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransferDecision {
    pub year: i32,
    pub finalized: Option<FinalizedTransfer>,
    /// Where today's computation differs from what was finalized, one line a county (empty
    /// when equal or not finalized).
    pub differences: Vec<String>,
    pub last_revocation: Option<TransferRevocation>,
    /// The caller may finalize now: the bureau, not yet finalized, the year complete and its
    /// transfer computed and summing to zero.
    pub can_finalize: bool,
    /// The caller may revoke (a city administrator, finalized).
    pub can_revoke: bool,
}

/// A year's 三(二)1 transfer: the decision and today's computation (as on the assessment page).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct TransferStatus {
    pub decision: TransferDecision,
    pub live: ParkEntryTransfer,
}

/// Parse one county's target as typed (`""` → none): an integer of 0–10000, with the county's
/// name in the message.
pub fn parse_target(name: &str, text: &str) -> std::result::Result<Option<i64>, String> {
    let t = text.trim().replace([',', ','], "");
    if t.is_empty() {
        return Ok(None);
    }
    match t.parse::<i64>() {
        Ok(v) => check_target(name, v).map(Some),
        Err(_) => Err(format!(
            "{name}:目标“{}”应为 0–{MAX_ABOVE_SCALE_TARGET} 的整数(家)",
            text.trim()
        )),
    }
}

/// The rule on a target value, with the county's name in the message.
pub fn check_target(name: &str, v: i64) -> std::result::Result<i64, String> {
    if v < 0 {
        Err(format!("{name}:目标 {v} 不能为负数"))
    } else if v > MAX_ABOVE_SCALE_TARGET {
        Err(format!(
            "{name}:目标 {v} 超过上限 {MAX_ABOVE_SCALE_TARGET} 家,请核对"
        ))
    } else {
        Ok(v)
    }
}

/// `市工信局下达(市工信局管理员,2026年3月1日)`: who by display name (the account id when the
/// account is gone).
fn issued_text(by: &str, at: &str) -> String {
    match beijing_date(at) {
        Some(d) => format!("市工信局下达({by},{})", clusterdesk_domain::clock::date_zh(d)),
        None => format!("市工信局下达({by})"),
    }
}

impl Store {
    /// The city bureau: a city administrator, or an account of the plan's coordinating
    /// department (四(一): 市工信局统筹协调).
    pub fn is_bureau(&self, actor: &Actor) -> bool {
        actor.role == Role::CityAdmin
            || (actor.role == Role::CityDepartment && actor.org_code == self.plan().meta.coordinator)
    }

    fn assessment_reader(actor: &Actor) -> Result<()> {
        match actor.scope() {
            Scope::City | Scope::County(_) => Ok(()),
            _ => Err(StoreError::Forbidden("考核只对市、县(市)用户开放".into())),
        }
    }

    /// The years targets may be set for: the assessment's first year to the plan's target
    /// year + 5.
    fn target_years(&self) -> Result<(i32, i32)> {
        let a = self.assessment_plan()?;
        Ok((a.first_year, self.plan().meta.target_year + 5))
    }

    fn check_target_year(&self, year: i32) -> Result<()> {
        let (first, last) = self.target_years()?;
        if year < first || year > last {
            return Err(StoreError::Invalid(format!(
                "年度 {year} 不在 {first}–{last} 年之间"
            )));
        }
        Ok(())
    }

    /// The effective targets of `year` per county code (every county of the plan).
    pub(super) async fn effective_above_scale_targets(&self, year: i32) -> Result<Vec<AboveScaleTarget>> {
        let a = self.assessment_plan()?;
        let plan_targets = a.above_scale_targets.get(&year);
        // (target, note, account, its display name when the account still exists, when)
        type Issued = (i64, String, String, Option<String>, String);
        let mut issued: BTreeMap<String, Issued> = BTreeMap::new();
        for r in sqlx::query(
            "SELECT t.county_code, t.target, t.note, t.updated_by, u.display_name, t.updated_at
             FROM above_scale_targets t LEFT JOIN users u ON u.username = t.updated_by
             WHERE t.year = $1",
        )
        .bind(year as i64)
        .fetch_all(self.pool())
        .await?
        {
            issued.insert(
                r.try_get(0)?,
                (
                    r.try_get(1)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                    r.try_get(5)?,
                ),
            );
        }
        Ok(self
            .plan()
            .counties()
            .map(|c| {
                let plan_target = plan_targets.and_then(|t| t.get(&c.code)).copied();
                match issued.get(&c.code) {
                    Some((v, note, by, by_name, at)) => AboveScaleTarget {
                        county: c.code.clone(),
                        name: c.name.clone(),
                        target: Some(*v),
                        source: TargetSource::Issued,
                        // People read the account's name; the account id stays in updated_by.
                        source_text: issued_text(by_name.as_deref().unwrap_or(by), at),
                        plan_target,
                        note: note.clone(),
                        updated_by: Some(by.clone()),
                        updated_at: Some(at.clone()),
                    },
                    None => AboveScaleTarget {
                        county: c.code.clone(),
                        name: c.name.clone(),
                        target: plan_target,
                        source: if plan_target.is_some() {
                            TargetSource::Plan
                        } else {
                            TargetSource::None
                        },
                        source_text: if plan_target.is_some() {
                            "规划文件示例数".into()
                        } else {
                            "未下达".into()
                        },
                        plan_target,
                        note: String::new(),
                        updated_by: None,
                        updated_at: None,
                    },
                }
            })
            .collect())
    }

    /// A year's 三(二)2 targets with the source of each (the city and the counties: the
    /// targets are published with the assessment).
    pub async fn above_scale_targets(&self, actor: &Actor, year: i32) -> Result<AboveScaleTargets> {
        Self::assessment_reader(actor)?;
        self.check_target_year(year)?;
        let a = self.assessment_plan()?;
        let (first_year, last_year) = self.target_years()?;
        let clause = a
            .indicators
            .iter()
            .find(|i| i.source == clusterdesk_plan::assessment::Source::NetNewAboveScale)
            .map(|i| i.clause.clone())
            .unwrap_or_else(|| "三(二)2".into());
        Ok(AboveScaleTargets {
            year,
            first_year,
            last_year,
            clause,
            plan_note: a.above_scale_targets_note.clone(),
            can_edit: self.is_bureau(actor),
            rows: self.effective_above_scale_targets(year).await?,
        })
    }

    /// Set a year's 三(二)2 targets, for every county at once or only some: all or nothing, in
    /// one transaction, each change in the change log with its old and new value. Only the
    /// city bureau may. Returns how many counties changed.
    pub async fn set_above_scale_targets(
        &self,
        actor: &Actor,
        year: i32,
        edits: &[TargetEdit],
        note: &str,
    ) -> Result<usize> {
        if !self.is_bureau(actor) {
            return Err(StoreError::Forbidden(
                "只有市工信局可以下达净增规上工业企业目标".into(),
            ));
        }
        self.check_target_year(year)?;
        let note = clusterdesk_domain::text::clean(TARGET_NOTE, note)?;
        let note = note.as_str();
        let plan = self.plan();
        let mut errors: Vec<String> = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for e in edits {
            let Some(c) = plan
                .org_unit(&e.county)
                .filter(|u| u.kind == clusterdesk_plan::OrgKind::County)
            else {
                errors.push(format!("“{}”不是本方案的县(市)代码", e.county));
                continue;
            };
            if seen.contains(&e.county.as_str()) {
                errors.push(format!("{}({}):重复填写", c.name, c.code));
                continue;
            }
            seen.push(&e.county);
            if let Some(v) = e.target
                && let Err(m) = check_target(&format!("{}({})", c.name, c.code), v)
            {
                errors.push(m);
            }
        }
        if !errors.is_empty() {
            return Err(StoreError::Invalid(errors.join(";")));
        }
        let mut tx = self.begin_write().await?;
        let ts = self.now();
        let mut changed = 0;
        for e in edits {
            let old: Option<i64> = sqlx::query_scalar(
                "SELECT target FROM above_scale_targets WHERE year = $1 AND county_code = $2",
            )
            .bind(year as i64)
            .bind(&e.county)
            .fetch_optional(&mut *tx)
            .await?;
            // Unchanged: nothing written (the note goes with the targets it explains).
            if old == e.target {
                continue;
            }
            match e.target {
                Some(v) => {
                    sqlx::query(
                        "INSERT INTO above_scale_targets (year, county_code, target, note, updated_by, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (year, county_code) DO UPDATE SET target = excluded.target,
                         note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                    )
                    .bind(year as i64)
                    .bind(&e.county)
                    .bind(v)
                    .bind(note)
                    .bind(&actor.username)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    sqlx::query("DELETE FROM above_scale_targets WHERE year = $1 AND county_code = $2")
                        .bind(year as i64)
                        .bind(&e.county)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            self.log_change(
                &mut tx,
                actor,
                "above_scale_target",
                &format!("{year}/{}", e.county),
                match (&old, e.target) {
                    (None, _) => "create",
                    (Some(_), None) => "delete",
                    (Some(_), Some(_)) => "update",
                },
                old.map(|v| v.to_string()),
                e.target.map(|v| v.to_string()),
            )
            .await?;
            changed += 1;
        }
        tx.commit().await?;
        Ok(changed)
    }

    /// The rows of a year's finalized transfer, if it is finalized.
    pub(super) async fn finalized_transfer(&self, year: i32) -> Result<Option<FinalizedTransfer>> {
        let rows = sqlx::query(
            "SELECT county_code, rank, entries, amount_fen, clause, policy_id, finalized_by, finalized_at
             FROM county_transfers WHERE year = $1 ORDER BY rank, county_code",
        )
        .bind(year as i64)
        .fetch_all(self.pool())
        .await?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        let mut out = FinalizedTransfer {
            year,
            clause: first.try_get(4)?,
            policy: first.try_get(5)?,
            finalized_by: first.try_get(6)?,
            finalized_at: first.try_get(7)?,
            rows: Vec::new(),
            total_fen: 0,
        };
        for r in &rows {
            let county: String = r.try_get(0)?;
            out.rows.push(FinalizedRow {
                name: self.county_name(&county),
                county,
                rank: r.try_get(1)?,
                entries: r.try_get(2)?,
                amount_fen: r.try_get(3)?,
            });
        }
        out.total_fen = out.rows.iter().map(|r| r.amount_fen).sum();
        Ok(Some(out))
    }

    async fn last_transfer_revocation(&self, year: i32) -> Result<Option<TransferRevocation>> {
        let r = sqlx::query(
            "SELECT actor, at, new_value FROM change_log
             WHERE entity = 'county_transfer' AND entity_key = $1 AND action = 'revoke'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(year.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(match r {
            None => None,
            Some(r) => {
                let new: Option<String> = r.try_get(2)?;
                let reason = new
                    .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok())
                    .and_then(|v| v["reason"].as_str().map(str::to_string))
                    .unwrap_or_default();
                Some(TransferRevocation {
                    revoked_by: r.try_get(0)?,
                    revoked_at: r.try_get(1)?,
                    reason,
                })
            }
        })
    }

    /// Today's computation of the year's transfer (as of `as_of_month`).
    async fn live_transfer(
        &self,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<ParkEntryTransfer> {
        let a = self.assessment_plan_for(year, as_of_month)?;
        let cur: Computed = self.compute_assessment(a, year, as_of_month, today).await?;
        Ok(clusterdesk_analytics::park_transfer::park_entry_transfer(
            a,
            policies,
            year,
            as_of_month,
            &cur.done.counties,
            &cur.done.park,
        ))
    }

    /// A year's 三(二)1 transfer: finalized or not, against today's computation.
    pub async fn county_transfer(
        &self,
        actor: &Actor,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<TransferStatus> {
        Self::assessment_reader(actor)?;
        let live = self.live_transfer(policies, year, as_of_month, today).await?;
        let decision = self.transfer_decision(actor, year, &live).await?;
        Ok(TransferStatus { decision, live })
    }

    pub(super) async fn transfer_decision(
        &self,
        actor: &Actor,
        year: i32,
        live: &ParkEntryTransfer,
    ) -> Result<TransferDecision> {
        let finalized = self.finalized_transfer(year).await?;
        let differences = finalized
            .as_ref()
            .map(|f| transfer_differences(f, live))
            .unwrap_or_default();
        Ok(TransferDecision {
            year,
            can_finalize: finalized.is_none()
                && self.is_bureau(actor)
                && !live.provisional
                && live.error.is_none()
                && !live.rows.is_empty()
                && live.total_fen == 0,
            can_revoke: finalized.is_some() && actor.role == Role::CityAdmin,
            finalized,
            differences,
            last_revocation: self.last_transfer_revocation(year).await?,
        })
    }

    /// Finalize (定稿) a year's 三(二)1 transfer as computed now: only the city bureau, only for
    /// a complete year whose transfer the engine computed and that sums to zero, and only once
    /// until a city administrator revokes it.
    pub async fn finalize_county_transfer(
        &self,
        actor: &Actor,
        policies: &PolicySet,
        year: i32,
        as_of_month: u32,
        today: NaiveDate,
    ) -> Result<TransferStatus> {
        if !self.is_bureau(actor) {
            return Err(StoreError::Forbidden(
                "只有市工信局可以对入园进区考核转移定稿".into(),
            ));
        }
        if let Some(f) = self.finalized_transfer(year).await? {
            return Err(already_finalized(&f));
        }
        let live = self.live_transfer(policies, year, as_of_month, today).await?;
        if live.provisional {
            return Err(StoreError::Invalid(format!(
                "{year}年度尚未结束(数据截至{year}年{as_of_month}月),排名与转移金额为暂定,不能定稿"
            )));
        }
        if let Some(e) = &live.error {
            return Err(StoreError::Invalid(format!("转移未能计算,不能定稿:{e}")));
        }
        if live.rows.is_empty() {
            return Err(StoreError::Invalid(
                "转移未能计算(没有县(市)的结果),不能定稿".into(),
            ));
        }
        if live.total_fen != 0 {
            return Err(StoreError::Invalid(format!(
                "转移合计为 {} 元而不是 0,不符合零和要求,不能定稿",
                clusterdesk_domain::Fen(live.total_fen).yuan_string()
            )));
        }
        let ts = self.now();
        let mut tx = self.begin_write().await?;
        let exists: Option<i64> =
            sqlx::query_scalar("SELECT amount_fen FROM county_transfers WHERE year = $1 LIMIT 1")
                .bind(year as i64)
                .fetch_optional(&mut *tx)
                .await?;
        if exists.is_some() {
            drop(tx);
            let f = self.finalized_transfer(year).await?;
            return Err(f.map(|f| already_finalized(&f)).unwrap_or_else(|| {
                StoreError::Conflict(format!("{year}年度的转移正在由他人定稿,请刷新后查看"))
            }));
        }
        let mut written: Vec<serde_json::Value> = Vec::new();
        for r in &live.rows {
            let res = sqlx::query(
                "INSERT INTO county_transfers (year, county_code, rank, entries, amount_fen, clause, policy_id, finalized_by, finalized_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(year as i64)
            .bind(&r.county)
            .bind(r.place as i64)
            .bind(r.park_entries)
            .bind(r.amount_fen)
            .bind(&live.clause)
            .bind(&live.policy)
            .bind(&actor.username)
            .bind(&ts)
            .execute(&mut *tx)
            .await;
            if let Err(e) = res {
                // Two finalizations at once: the second meets the first's rows.
                drop(tx);
                if let Some(f) = self.finalized_transfer(year).await? {
                    return Err(already_finalized(&f));
                }
                return Err(e.into());
            }
            written.push(serde_json::json!({
                "county": r.county, "rank": r.place, "entries": r.park_entries, "amount_fen": r.amount_fen,
            }));
        }
        self.log_change(
            &mut tx,
            actor,
            "county_transfer",
            &year.to_string(),
            "finalize",
            None,
            Some(
                serde_json::json!({"clause": live.clause, "policy": live.policy, "rows": written})
                    .to_string(),
            ),
        )
        .await?;
        tx.commit().await?;
        let decision = self.transfer_decision(actor, year, &live).await?;
        Ok(TransferStatus { decision, live })
    }

    /// Revoke a year's finalized transfer (a city administrator, with a written reason): the
    /// rows go, and the change log keeps them with the reason.
    pub async fn revoke_county_transfer(&self, actor: &Actor, year: i32, reason: &str) -> Result<()> {
        if actor.role != Role::CityAdmin {
            return Err(StoreError::Forbidden(
                "只有市工信局管理员可以撤销已定稿的转移".into(),
            ));
        }
        let reason = clusterdesk_domain::text::clean(REVOKE_REASON, reason)?;
        let reason = reason.as_str();
        if reason.chars().count() < 4 {
            return Err(StoreError::Invalid("请写明撤销理由(至少4个字)".into()));
        }
        let Some(f) = self.finalized_transfer(year).await? else {
            return Err(StoreError::NotFound(format!(
                "{year}年度已定稿的入园进区考核转移"
            )));
        };
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("DELETE FROM county_transfers WHERE year = $1")
            .bind(year as i64)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(StoreError::Conflict(format!(
                "{year}年度的定稿已被撤销,请刷新后查看"
            )));
        }
        self.log_change(
            &mut tx,
            actor,
            "county_transfer",
            &year.to_string(),
            "revoke",
            Some(serde_json::to_string(&f).expect("serializable")),
            Some(serde_json::json!({"reason": reason}).to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn already_finalized(f: &FinalizedTransfer) -> StoreError {
    let at = beijing_date(&f.finalized_at)
        .map(clusterdesk_domain::clock::date_zh)
        .unwrap_or_else(|| f.finalized_at.clone());
    StoreError::Conflict(format!(
        "{}年度的入园进区考核转移已于{at}由 {} 定稿;如需重新定稿,须先由市工信局管理员写明理由撤销",
        f.year, f.finalized_by
    ))
}

/// One line a county where today's computation differs from the finalized amounts.
fn transfer_differences(f: &FinalizedTransfer, live: &ParkEntryTransfer) -> Vec<String> {
    let yuan = |fen: i64| clusterdesk_policy::eval::yuan_grouped(clusterdesk_domain::Fen(fen));
    if let Some(e) = &live.error {
        return vec![format!("当前无法重新计算转移:{e}")];
    }
    let mut out = Vec::new();
    for r in &f.rows {
        match live.rows.iter().find(|l| l.county == r.county) {
            Some(l) if l.amount_fen != r.amount_fen || l.park_entries != r.entries => {
                out.push(format!(
                    "{}:定稿时入园 {} 家、{} 元,现按最新数据为入园 {} 家、{} 元",
                    r.name,
                    r.entries,
                    yuan(r.amount_fen),
                    l.park_entries,
                    yuan(l.amount_fen)
                ));
            }
            Some(_) => {}
            None => out.push(format!("{}:现按最新数据不在排名中", r.name)),
        }
    }
    for l in &live.rows {
        if !f.rows.iter().any(|r| r.county == l.county) {
            out.push(format!(
                "{}:定稿时不在排名中,现为 {} 元",
                l.name,
                yuan(l.amount_fen)
            ));
        }
    }
    out
}
