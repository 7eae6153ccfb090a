//! Filing, reading and listing claims, with the ledger and event rows they need.

use super::engine::{engine_claim, evaluate_one, ledger_entries, outcome_reason, outcome_value};
use super::{
    ClaimDetail, ClaimEvent, ClaimFilter, ClaimRow, ClaimStatus, EvidenceInfo, NewClaim, funding_key,
};
use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_domain::workflow::claim;
use clusterdesk_domain::{Fen, Uscc};
use clusterdesk_policy::{Kind, LedgerEntry, PolicySet, Status};
use serde_json::Value;
use sqlx::Row;

impl Store {
    pub(super) async fn ledger_of(
        &self,
        conn: &mut sqlx::AnyConnection,
        uscc: &str,
    ) -> Result<Vec<LedgerEntry>> {
        let raw: Vec<super::engine::LedgerRaw> = sqlx::query_as(
            "SELECT policy, uscc, county_code, paid_date, paid_fen, project FROM ledger WHERE uscc = $1 ORDER BY paid_date, id",
        )
        .bind(uscc)
        .fetch_all(&mut *conn)
        .await?;
        Ok(ledger_entries(&raw))
    }

    const CLAIM_SELECT: &'static str = "SELECT c.id, c.policy, c.uscc, e.name AS enterprise_name, c.county_code, c.department,
        c.funding_source, c.event_date, c.base_fen, c.approved_fen, c.project, c.facts, c.status, c.eval_status,
        c.amount_fen, c.trace, c.budget_year, c.hold_reason, c.reject_reason, c.filed_by, c.created_at, c.updated_at
        FROM claims c JOIN enterprises e ON e.uscc = c.uscc";

    pub(super) fn claim_from_row(&self, set: &PolicySet, r: &sqlx::any::AnyRow) -> Result<ClaimRow> {
        let policy: String = r.try_get("policy")?;
        let p = set.get(&policy);
        let county: String = r.try_get("county_code")?;
        let dept: String = r.try_get("department")?;
        let status = stored_status(&r.try_get::<String, _>("status")?)?;
        let facts: String = r.try_get("facts")?;
        let trace: String = r.try_get("trace")?;
        let amount: i64 = r.try_get("amount_fen")?;
        Ok(ClaimRow {
            id: r.try_get("id")?,
            policy_name: p.map(|p| p.name.clone()).unwrap_or_else(|| policy.clone()),
            clause: p.map(|p| p.clause.clone()).unwrap_or_default(),
            policy,
            uscc: r.try_get("uscc")?,
            enterprise_name: r.try_get("enterprise_name")?,
            county_name: self
                .plan()
                .org_unit(&county)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            county_code: county,
            department_name: self
                .plan()
                .org_unit(&dept)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            department: dept,
            funding_source: r.try_get("funding_source")?,
            event_date: r.try_get("event_date")?,
            base_fen: r.try_get("base_fen")?,
            approved_fen: r.try_get("approved_fen")?,
            project: r.try_get("project")?,
            facts: serde_json::from_str(&facts).unwrap_or(Value::Null),
            status_label: status.label().into(),
            status,
            eval_status: r.try_get("eval_status")?,
            amount_fen: amount,
            amount_yuan: Fen(amount).yuan_string(),
            outcome: serde_json::from_str(&trace).unwrap_or(Value::Null),
            budget_year: r.try_get("budget_year")?,
            hold_reason: r.try_get("hold_reason")?,
            reject_reason: r.try_get("reject_reason")?,
            filed_by: r.try_get("filed_by")?,
            created_at: r.try_get("created_at")?,
            updated_at: r.try_get("updated_at")?,
        })
    }

    pub(super) async fn claim_row(
        &self,
        conn: &mut sqlx::AnyConnection,
        set: &PolicySet,
        id: i64,
    ) -> Result<ClaimRow> {
        let r = sqlx::query(&format!("{} WHERE c.id = $1", Self::CLAIM_SELECT))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("申请 #{id}")))?;
        self.claim_from_row(set, &r)
    }

    pub(super) async fn add_event(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        id: i64,
        from: Option<ClaimStatus>,
        to: ClaimStatus,
        comment: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO claim_events (claim_id, at, actor, actor_role, from_status, to_status, comment)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(self.now())
        .bind(&actor.username)
        .bind(actor.role.code())
        .bind(from.map(|s| s.code().to_string()))
        .bind(to.code())
        .bind(comment)
        .execute(&mut *conn)
        .await?;
        self.log_change(
            conn,
            actor,
            "claim",
            &id.to_string(),
            to.code(),
            from.map(|s| s.code().to_string()),
            Some(to.code().to_string()),
        )
        .await
    }

    /// File a claim. The engine evaluates it against the enterprise's ledger: a claim that is
    /// `not_eligible` is refused with the engine's reason, one that lacks a required fact is
    /// refused naming the fact (a cap-only claim may leave the approved amount to the
    /// department). A second open claim for a once-per-enterprise reward is a conflict.
    pub async fn file_claim(&self, actor: &Actor, set: &PolicySet, c: &NewClaim) -> Result<ClaimDetail> {
        let p = set
            .get(&c.policy)
            .ok_or_else(|| StoreError::Invalid(format!("policy:未知政策“{}”", c.policy)))?;
        if p.kind == Kind::RankTransfer {
            return Err(StoreError::Invalid(format!(
                "policy:“{}”是县际考核转移,不由企业申报",
                p.name
            )));
        }
        let uscc = Uscc::parse(&c.uscc)
            .map_err(|e| StoreError::Invalid(format!("uscc:{}", e.message)))?
            .to_string();
        let row = sqlx::query("SELECT county_code, name FROM enterprises WHERE uscc = $1")
            .bind(&uscc)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound(format!("企业“{uscc}”")));
        };
        let county: String = row.try_get(0)?;
        let name: String = row.try_get(1)?;
        let visible = match actor.scope() {
            Scope::City => true,
            Scope::County(c) => c == county,
            Scope::Enterprise(u) => u == uscc,
            Scope::Nothing => false,
        };
        if !visible {
            // Outside the caller's scope: the answer for a code that is not registered.
            return Err(StoreError::NotFound(format!("企业“{uscc}”")));
        }
        // Filing asks only about the enterprise and its county, not the department.
        if !self.claim_who(actor, &county, &uscc, "").may_file() {
            return Err(StoreError::Forbidden(format!("无权为企业“{name}”申报")));
        }
        if c.event_date > self.today() {
            return Err(StoreError::Invalid(format!(
                "event_date:事件日期 {} 晚于今天",
                c.event_date
            )));
        }
        let project = c.facts.get("project").and_then(Value::as_str).map(str::to_string);
        let mut tx = self.begin_write().await?;
        let ledger = self.ledger_of(&mut tx, &uscc).await?;
        let claim = engine_claim(&c.policy, &uscc, c.event_date, c.base, c.approved, &c.facts);
        let o = evaluate_one(set, &claim, &ledger)?;
        match o.status {
            Status::NotEligible => {
                return Err(StoreError::Invalid(format!("不符合条件:{}", outcome_reason(&o))));
            }
            Status::Unknown => {
                let only_approved = p.kind == Kind::CapOnly && o.missing.iter().all(|m| m == "approved_yuan");
                if !only_approved {
                    return Err(StoreError::Invalid(format!(
                        "{}:缺少必需的信息,请补充后再申报",
                        o.missing
                            .iter()
                            // The words, and the field's name for programs (the API names it).
                            .map(|m| format!("{}({m})", clusterdesk_policy::labels::missing_label(p, m)))
                            .collect::<Vec<_>>()
                            .join("、")
                    )));
                }
            }
            Status::Eligible => {}
        }
        let per = p
            .reading("per")
            .and_then(|r| r.default.as_str())
            .unwrap_or_default();
        if per == "enterprise" {
            let open: Vec<String> = ClaimStatus::ALL
                .into_iter()
                .filter(|s| s.is_open())
                .map(|s| format!("'{}'", s.code()))
                .collect();
            let open: Option<i64> = sqlx::query_scalar(&format!(
                "SELECT id FROM claims WHERE uscc = $1 AND policy = $2 AND status IN ({}) ORDER BY id LIMIT 1",
                open.join(", ")
            ))
            .bind(&uscc)
            .bind(&c.policy)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(other) = open {
                return Err(StoreError::Conflict(format!(
                    "该企业已有在办的“{}”申请 #{other};每家企业只享受一次",
                    p.name
                )));
            }
        }
        let (dept, _) = self.responsible_department(p);
        let status = ClaimStatus::filed(c.submit);
        let ts = self.now();
        let facts = serde_json::to_string(&c.facts).unwrap_or_else(|_| "{}".into());
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO claims (policy, uscc, county_code, department, funding_source, event_date, base_fen,
             approved_fen, project, facts, status, eval_status, amount_fen, trace, filed_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id",
        )
        .bind(&c.policy)
        .bind(&uscc)
        .bind(&county)
        .bind(&dept)
        .bind(funding_key(p))
        .bind(c.event_date.to_string())
        .bind(c.base.map(|f| f.0))
        .bind(c.approved.map(|f| f.0))
        .bind(project)
        .bind(&facts)
        .bind(status.code())
        .bind(o.status.as_str())
        .bind(o.amount.0)
        .bind(outcome_value(&o).to_string())
        .bind(&actor.username)
        .bind(&ts)
        .fetch_one(&mut *tx)
        .await?;
        let cleaned = clusterdesk_domain::text::clean(clusterdesk_domain::text::COMMENT, &c.comment)?;
        let comment = if cleaned.is_empty() {
            format!("申报;测算金额 {} 元", o.amount.yuan_string())
        } else {
            cleaned
        };
        self.add_event(&mut tx, actor, id, None, status, &comment).await?;
        tx.commit().await?;
        self.get_claim(actor, set, id).await
    }

    pub async fn get_claim(&self, actor: &Actor, set: &PolicySet, id: i64) -> Result<ClaimDetail> {
        let mut conn = self.pool().acquire().await?;
        let claim = self.claim_row(&mut conn, set, id).await?;
        if !Self::can_see_claim(actor, &claim) {
            return Err(StoreError::NotFound(format!("申请 #{id}")));
        }
        let events = sqlx::query(
            "SELECT at, actor, actor_role, from_status, to_status, comment FROM claim_events WHERE claim_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ClaimEvent {
                at: r.try_get(0)?,
                actor: r.try_get(1)?,
                actor_role: r.try_get(2)?,
                from_status: r
                    .try_get::<Option<String>, _>(3)?
                    .map(|s| stored_status(&s))
                    .transpose()?,
                to_status: stored_status(&r.try_get::<String, _>(4)?)?,
                comment: r.try_get(5)?,
            })
        })
        .collect::<Result<_>>()?;
        let evidence: Vec<EvidenceInfo> = sqlx::query_as(
            "SELECT id, file_name, content_type, size, sha256, uploaded_by, uploaded_at FROM claim_evidence
             WHERE claim_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let actions = self.claim_actions(actor, &claim);
        Ok(ClaimDetail {
            claim,
            events,
            evidence,
            actions,
        })
    }

    /// The claims the actor may see, newest first; with `queue`, only those waiting for the
    /// actor's own action.
    pub async fn list_claims(
        &self,
        actor: &Actor,
        set: &PolicySet,
        f: &ClaimFilter,
    ) -> Result<Vec<ClaimRow>> {
        let mut filter = crate::filter::Filter::scoped(actor, "c.county_code", "c.uscc")?;
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            let s =
                ClaimStatus::parse(s).ok_or_else(|| StoreError::Invalid(format!("status:未知状态“{s}”")))?;
            filter.add("c.status = ?", s.code().to_string());
        }
        if let Some(p) = f.policy.as_deref().filter(|s| !s.is_empty()) {
            filter.add("c.policy = ?", p.to_string());
        }
        if let Some(u) = f.uscc.as_deref().filter(|s| !s.is_empty()) {
            filter.add("c.uscc = ?", u.to_ascii_uppercase());
        }
        let sql = format!(
            "{}{} ORDER BY c.id DESC LIMIT 2000",
            Self::CLAIM_SELECT,
            filter.where_sql()
        );
        let rows = filter.query(&sql).fetch_all(self.pool()).await?;
        let mut out = Vec::new();
        for r in &rows {
            let c = self.claim_from_row(set, r)?;
            if f.queue && !claim::waits_for(c.status, self.who_for(actor, &c)) {
                continue;
            }
            out.push(c);
        }
        Ok(out)
    }
}

/// A stored state; one the workflow does not know is a broken row.
fn stored_status(code: &str) -> Result<ClaimStatus> {
    ClaimStatus::parse(code).ok_or_else(|| StoreError::Invalid(format!("未知的申请状态“{code}”")))
}
