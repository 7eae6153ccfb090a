//! The workflow's steps on a claim, and the budget room that can hold an approval.

use super::engine::{engine_claim, evaluate_one, outcome_reason, outcome_value};
use super::{Action, ActionInput, ClaimDetail, ClaimStatus};
use crate::{Actor, Result, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use clusterdesk_domain::Fen;
use clusterdesk_domain::workflow::{Refusal, claim};
use clusterdesk_policy::{Kind, PolicySet, Status};
use serde_json::Value;
use std::collections::BTreeMap;

/// Why a claim is turned down: the enterprise reads it.
const REJECT_REASON: clusterdesk_domain::text::Field = clusterdesk_domain::text::Field::note("驳回理由", 500);

impl Store {
    /// Take one step of the workflow. 403 when the actor's role may never take it on this
    /// claim, 409 when the claim's status does not allow it, 422 for bad input.
    pub async fn claim_action(
        &self,
        actor: &Actor,
        set: &PolicySet,
        id: i64,
        action: Action,
        input: &ActionInput,
    ) -> Result<ClaimDetail> {
        let mut tx = self.begin_write().await?;
        // Take the write lock first (an UPDATE): two approvers of one claim, or two claims
        // against one budget, go one after the other on both engines.
        let touched = sqlx::query("UPDATE claims SET updated_at = updated_at WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if touched == 0 {
            return Err(StoreError::NotFound(format!("申请 #{id}")));
        }
        let c = self.claim_row(&mut tx, set, id).await?;
        if !Self::can_see_claim(actor, &c) {
            return Err(StoreError::NotFound(format!("申请 #{id}")));
        }
        let to = claim::transition(c.status, action, self.who_for(actor, &c)).map_err(|r| match r {
            Refusal::Conflict(m) => StoreError::Conflict(format!("申请 #{id} {m}")),
            r => r.into(),
        })?;
        let comment = clusterdesk_domain::text::clean(clusterdesk_domain::text::COMMENT, &input.comment)?;
        let reason = input
            .reason
            .as_deref()
            .map(|r| clusterdesk_domain::text::clean(REJECT_REASON, r))
            .transpose()?;
        let p = set
            .get(&c.policy)
            .ok_or_else(|| StoreError::Invalid(format!("申请 #{id} 的政策“{}”已不在政策库中", c.policy)))?;
        let ts = self.now();
        let mut event_comment = comment.clone();
        claim::check_reason(action, reason.as_deref())?;
        match action {
            Action::Submit | Action::Review => {}
            Action::Reject => {
                let reason = reason.as_deref().unwrap_or("");
                sqlx::query("UPDATE claims SET reject_reason = $2 WHERE id = $1")
                    .bind(id)
                    .bind(reason)
                    .execute(&mut *tx)
                    .await?;
                event_comment = if comment.is_empty() {
                    format!("驳回理由:{reason}")
                } else {
                    format!("驳回理由:{reason};{comment}")
                };
            }
            Action::Approve | Action::Release | Action::Disburse => {
                if input.approved.is_some() && action != Action::Approve {
                    return Err(StoreError::Invalid("approved_yuan:只有审批时可以核定金额".into()));
                }
                if let Some(a) = input.approved {
                    if p.kind != Kind::CapOnly {
                        return Err(StoreError::Invalid(format!(
                            "approved_yuan:“{}”不是核定金额类政策,金额由条款计算",
                            p.name
                        )));
                    }
                    if a.is_negative() {
                        return Err(StoreError::Invalid("approved_yuan:金额不能为负".into()));
                    }
                }
                let approved = input.approved.or(c.approved_fen.map(Fen));
                let facts: BTreeMap<String, Value> = match &c.facts {
                    Value::Object(m) => m.clone().into_iter().collect(),
                    _ => BTreeMap::new(),
                };
                let date = NaiveDate::parse_from_str(&c.event_date, "%Y-%m-%d")
                    .map_err(|_| StoreError::Invalid(format!("申请 #{id} 的事件日期无效")))?;
                let year = match action {
                    Action::Disburse => c.budget_year.unwrap_or(self.today().year() as i64),
                    _ => self.today().year() as i64,
                };
                // Lock the budget row before reading the ledger: two payments from one budget
                // (or of one once-only reward) go one after the other, and the second sees the
                // first's ledger row.
                sqlx::query(
                    "UPDATE budgets SET updated_at = updated_at WHERE year = $1 AND funding_source = $2",
                )
                .bind(year)
                .bind(&c.funding_source)
                .execute(&mut *tx)
                .await?;
                let ledger = self.ledger_of(&mut tx, &c.uscc).await?;
                let claim = engine_claim(&c.policy, &c.uscc, date, c.base_fen.map(Fen), approved, &facts);
                let o = evaluate_one(set, &claim, &ledger)?;
                if o.status != Status::Eligible {
                    let why = outcome_reason(&o);
                    if o.status == Status::Unknown {
                        return Err(StoreError::Invalid(format!(
                            "{}:审批前须补齐({why})",
                            o.missing.join("、")
                        )));
                    }
                    return Err(StoreError::Conflict(format!(
                        "按台账重新测算,申请 #{id} 已不符合条件:{why}"
                    )));
                }
                sqlx::query(
                    "UPDATE claims SET approved_fen = $2, eval_status = $3, amount_fen = $4, trace = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(approved.map(|f| f.0))
                .bind(o.status.as_str())
                .bind(o.amount.0)
                .bind(outcome_value(&o).to_string())
                .execute(&mut *tx)
                .await?;
                let room = self
                    .budget_room(&mut tx, year, &c.funding_source, Some(id))
                    .await?;
                let fits = room.is_some_and(|r| o.amount.0 <= r);
                let short = match room {
                    _ if fits => String::new(),
                    None => format!(
                        "{year} 年度“{}”未设置预算;请市财政局设置预算后恢复",
                        c.funding_source
                    ),
                    Some(r) => format!(
                        "应付 {} 元超过 {year} 年度“{}”剩余预算 {} 元",
                        clusterdesk_policy::eval::yuan_grouped(o.amount),
                        c.funding_source,
                        clusterdesk_policy::eval::yuan_grouped(Fen(r))
                    ),
                };
                if claim::after_budget(action, to, fits, &short)? == ClaimStatus::Held {
                    self.set_status(&mut tx, id, c.status, ClaimStatus::Held, &ts)
                        .await?;
                    sqlx::query("UPDATE claims SET budget_year = $2, hold_reason = $3 WHERE id = $1")
                        .bind(id)
                        .bind(year)
                        .bind(&short)
                        .execute(&mut *tx)
                        .await?;
                    let note = if comment.is_empty() {
                        short
                    } else {
                        format!("{short};{comment}")
                    };
                    self.add_event(&mut tx, actor, id, Some(c.status), ClaimStatus::Held, &note)
                        .await?;
                    tx.commit().await?;
                    return self.get_claim(actor, set, id).await;
                }
                event_comment = format!(
                    "{}应付 {} 元{}",
                    if action == Action::Disburse { "拨付;" } else { "" },
                    clusterdesk_policy::eval::yuan_grouped(o.amount),
                    if comment.is_empty() {
                        String::new()
                    } else {
                        format!(";{comment}")
                    }
                );
                if action == Action::Disburse {
                    sqlx::query(
                        "INSERT INTO ledger (policy, uscc, county_code, paid_date, paid_fen, project, funding_source,
                         budget_year, trace, claim_id, recorded_by, recorded_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                    )
                    .bind(&c.policy)
                    .bind(&c.uscc)
                    .bind(&c.county_code)
                    .bind(self.today().to_string())
                    .bind(o.amount.0)
                    .bind(c.project.clone())
                    .bind(&c.funding_source)
                    .bind(year)
                    .bind(outcome_value(&o).to_string())
                    .bind(id)
                    .bind(&actor.username)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                    self.log_change(
                        &mut tx,
                        actor,
                        "ledger",
                        &id.to_string(),
                        "pay",
                        None,
                        Some(
                            serde_json::json!({"policy": c.policy, "uscc": c.uscc, "paid_fen": o.amount.0})
                                .to_string(),
                        ),
                    )
                    .await?;
                }
                sqlx::query("UPDATE claims SET budget_year = $2, hold_reason = NULL WHERE id = $1")
                    .bind(id)
                    .bind(year)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        self.set_status(&mut tx, id, c.status, to, &ts).await?;
        self.add_event(&mut tx, actor, id, Some(c.status), to, &event_comment)
            .await?;
        tx.commit().await?;
        self.get_claim(actor, set, id).await
    }

    /// Compare-and-set: move the claim from `from` to `to` only if it is still in `from`.
    /// The claim's row is locked since the step's first statement, so this holds always;
    /// the condition keeps the write from ever starting from a state it did not judge.
    async fn set_status(
        &self,
        conn: &mut sqlx::AnyConnection,
        id: i64,
        from: ClaimStatus,
        to: ClaimStatus,
        ts: &str,
    ) -> Result<()> {
        let n = sqlx::query("UPDATE claims SET status = $2, updated_at = $3 WHERE id = $1 AND status = $4")
            .bind(id)
            .bind(to.code())
            .bind(ts)
            .bind(from.code())
            .execute(&mut *conn)
            .await?
            .rows_affected();
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "申请 #{id} 的状态已被他人更改,请刷新后重试"
            )));
        }
        Ok(())
    }

    /// What is left of a year's budget for a source, not counting claim `except`; `None`
    /// when no budget is set. Locks the budget row (an UPDATE) until the transaction ends.
    async fn budget_room(
        &self,
        conn: &mut sqlx::AnyConnection,
        year: i64,
        source: &str,
        except: Option<i64>,
    ) -> Result<Option<i64>> {
        let n =
            sqlx::query("UPDATE budgets SET updated_at = updated_at WHERE year = $1 AND funding_source = $2")
                .bind(year)
                .bind(source)
                .execute(&mut *conn)
                .await?
                .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        let amount: i64 =
            sqlx::query_scalar("SELECT amount_fen FROM budgets WHERE year = $1 AND funding_source = $2")
                .bind(year)
                .bind(source)
                .fetch_one(&mut *conn)
                .await?;
        let committed: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM claims
             WHERE status = 'approved' AND budget_year = $1 AND funding_source = $2 AND id <> $3",
        )
        .bind(year)
        .bind(source)
        .bind(except.unwrap_or(-1))
        .fetch_one(&mut *conn)
        .await?;
        let paid: i64 = sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(paid_fen), 0) AS BIGINT) FROM ledger WHERE budget_year = $1 AND funding_source = $2",
        )
        .bind(year)
        .bind(source)
        .fetch_one(&mut *conn)
        .await?;
        Ok(Some(amount - committed - paid))
    }
}
