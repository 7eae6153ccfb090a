//! Incentive claims, their workflow, evidence, the ledger of payouts and yearly budgets.
//!
//! The store never computes money: every amount comes from [`PolicySet::evaluate`] over the
//! claim and the ledger of earlier payouts of the same enterprise (the `ledger` table), and
//! the outcome with its trace is kept on the claim and on the ledger row.
//!
//! Workflow (every step a `claim_events` row and a `change_log` row):
//!
//! | action | from | to | who |
//! |---|---|---|---|
//! | file | — | submitted (or draft) | the enterprise itself; a county operator for its county; city_admin |
//! | submit | draft | submitted | whoever may file for the enterprise |
//! | review | submitted | county_reviewed | county operator or county leader of the claim's county |
//! | approve | county_reviewed | approved, or held when the year's budget would be exceeded | the responsible city department (first department among the policy's 责任单位), or city_admin (市工信局, who coordinates the plan, 四(一)) |
//! | release | held | approved (if the budget now allows) | as approve, or 市财政局 |
//! | disburse | approved | disbursed (a ledger row) | 市财政局 only |
//! | reject | submitted → county roles and city_admin; county_reviewed / held → approvers; approved → approvers and 市财政局 | rejected, with a reason | |
//!
//! city_admin can do everything but the county review and the disbursement: the county's
//! check belongs to the county and payment to the finance bureau (separation of duties).

use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::{Datelike, NaiveDate};
use clusterdesk_domain::{Fen, Role, Uscc};
use clusterdesk_policy::{Claim, Kind, LedgerEntry, Outcome, Policy, PolicySet, Status};
use serde_json::Value;
use sqlx::Row;
use std::collections::BTreeMap;

/// Largest evidence file accepted.
pub const MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

pub const STATUSES: [(&str, &str); 7] = [
    ("draft", "草稿"),
    ("submitted", "已提交,待县(市)审核"),
    ("county_reviewed", "县(市)已审核,待市直部门审批"),
    ("approved", "已审批,待市财政局拨付"),
    ("held", "预算不足,暂缓"),
    ("disbursed", "已拨付"),
    ("rejected", "已驳回"),
];

pub fn status_label(s: &str) -> &'static str {
    STATUSES
        .iter()
        .find(|(c, _)| *c == s)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

/// The funding source a policy's payouts are counted against: the policy's `funding.source`,
/// with 市财政 and 市级财政 read as one source (the same city budget).
pub fn funding_key(p: &Policy) -> String {
    match p.funding.source.as_str() {
        "市财政" | "市级财政" => "市级财政".to_string(),
        other => other.to_string(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Submit,
    Review,
    Approve,
    Release,
    Disburse,
    Reject,
}

impl Action {
    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "submit" => Action::Submit,
            "review" => Action::Review,
            "approve" => Action::Approve,
            "release" => Action::Release,
            "disburse" => Action::Disburse,
            "reject" => Action::Reject,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Review => "review",
            Action::Approve => "approve",
            Action::Release => "release",
            Action::Disburse => "disburse",
            Action::Reject => "reject",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Submit => "提交",
            Action::Review => "县(市)审核通过",
            Action::Approve => "审批通过",
            Action::Release => "预算到位,恢复审批",
            Action::Disburse => "确认拨付",
            Action::Reject => "驳回",
        }
    }

    /// The statuses this action starts from.
    fn from(self) -> &'static [&'static str] {
        match self {
            Action::Submit => &["draft"],
            Action::Review => &["submitted"],
            Action::Approve => &["county_reviewed"],
            Action::Release => &["held"],
            Action::Disburse => &["approved"],
            Action::Reject => &["submitted", "county_reviewed", "held", "approved"],
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimRow {
    pub id: i64,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub uscc: String,
    pub enterprise_name: String,
    pub county_code: String,
    pub county_name: String,
    /// The responsible city department that approves (org code).
    pub department: String,
    pub department_name: String,
    pub funding_source: String,
    /// The event date (recognition, acceptance, investment).
    pub event_date: String,
    pub base_fen: Option<i64>,
    pub approved_fen: Option<i64>,
    pub project: Option<String>,
    #[schema(value_type = Object)]
    pub facts: Value,
    pub status: String,
    pub status_label: String,
    /// The engine's latest verdict: eligible, not_eligible or unknown.
    pub eval_status: String,
    pub amount_fen: i64,
    pub amount_yuan: String,
    /// The engine's latest outcome: status, amount, capped, missing, trace (each step cites its clause), flags.
    #[schema(value_type = Object)]
    pub outcome: Value,
    pub budget_year: Option<i64>,
    pub hold_reason: Option<String>,
    pub reject_reason: Option<String>,
    pub filed_by: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimEvent {
    pub at: String,
    pub actor: String,
    pub actor_role: String,
    pub from_status: Option<String>,
    pub to_status: String,
    pub comment: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct EvidenceInfo {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimDetail {
    pub claim: ClaimRow,
    pub events: Vec<ClaimEvent>,
    pub evidence: Vec<EvidenceInfo>,
    /// The actions the caller may take now.
    pub actions: Vec<String>,
}

/// A claim as filed, already parsed field by field.
#[derive(Debug, Clone)]
pub struct NewClaim {
    pub policy: String,
    pub uscc: String,
    pub event_date: NaiveDate,
    pub base: Option<Fen>,
    pub approved: Option<Fen>,
    pub facts: BTreeMap<String, Value>,
    /// False keeps it as a draft.
    pub submit: bool,
    pub comment: String,
}

#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub comment: String,
    /// Required to reject.
    pub reason: Option<String>,
    /// The amount the department approves under a cap-only rule (揭榜挂帅, 技改, …).
    pub approved: Option<Fen>,
}

#[derive(Debug, Clone, Default)]
pub struct ClaimFilter {
    pub status: Option<String>,
    /// Only the claims waiting for the caller's action.
    pub queue: bool,
    pub policy: Option<String>,
    pub uscc: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct LedgerRow {
    pub id: i64,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub uscc: Option<String>,
    pub enterprise_name: Option<String>,
    pub county_code: Option<String>,
    pub county_name: Option<String>,
    pub paid_date: String,
    pub paid_fen: i64,
    pub paid_yuan: String,
    pub project: Option<String>,
    pub funding_source: String,
    pub budget_year: i64,
    #[schema(value_type = Object)]
    pub outcome: Value,
    pub claim_id: Option<i64>,
    pub recorded_by: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct BudgetRow {
    pub year: i64,
    pub funding_source: String,
    pub amount_fen: i64,
    /// Approved, not yet paid.
    pub committed_fen: i64,
    pub paid_fen: i64,
    /// amount − committed − paid.
    pub remaining_fen: i64,
    /// Claims held for want of budget.
    pub held_fen: i64,
    pub updated_by: String,
    pub updated_at: String,
}

/// What an evaluation outcome is stored as: the contract of `policy calc`.
fn outcome_value(o: &Outcome) -> Value {
    clusterdesk_policy::json::outcome_json(o)
}

/// The reason an outcome gives for not paying: its last trace step.
pub fn outcome_reason(o: &Outcome) -> String {
    match o.status {
        Status::Unknown => format!("缺少:{}", o.missing.join("、")),
        _ => o.trace.last().map(|t| t.text.clone()).unwrap_or_default(),
    }
}

/// A ledger row as read: (policy, uscc, county, paid date, paid fen, project).
pub type LedgerRaw = (
    String,
    Option<String>,
    Option<String>,
    String,
    i64,
    Option<String>,
);

/// The ledger rows of one enterprise as the engine's ledger entries.
pub fn ledger_entries(rows: &[LedgerRaw]) -> Vec<LedgerEntry> {
    rows.iter()
        .filter_map(|(policy, uscc, county, date, paid, project)| {
            Some(LedgerEntry {
                policy: policy.clone(),
                enterprise: uscc.as_deref().and_then(|u| Uscc::parse(u).ok()),
                county: county.clone(),
                date: NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?,
                paid: Fen(*paid),
                project: project.clone(),
            })
        })
        .collect()
}

/// The engine's claim for a stored or new claim.
pub fn engine_claim(
    policy: &str,
    uscc: &str,
    date: NaiveDate,
    base: Option<Fen>,
    approved: Option<Fen>,
    facts: &BTreeMap<String, Value>,
) -> Claim {
    let mut c = Claim::new(policy, date);
    c.enterprise = Uscc::parse(uscc).ok();
    c.base = base;
    c.approved = approved;
    c.facts = facts.clone();
    c
}

fn policy_err(e: clusterdesk_policy::PolicyError) -> StoreError {
    StoreError::Invalid(e.to_string())
}

/// Evaluate one enterprise claim; exactly one outcome.
pub fn evaluate_one(set: &PolicySet, claim: &Claim, ledger: &[LedgerEntry]) -> Result<Outcome> {
    let mut outs = set.evaluate(claim, ledger).map_err(policy_err)?;
    if outs.len() != 1 {
        return Err(StoreError::Invalid("该政策不是企业申报类政策".into()));
    }
    Ok(outs.remove(0))
}

impl Store {
    /// The code and name of the city department responsible for approving a policy: the
    /// first of its 责任单位 that is a department of the plan.
    pub fn responsible_department(&self, p: &Policy) -> (String, String) {
        p.responsible
            .units
            .iter()
            .filter_map(|n| self.plan().org_unit_by_name(n))
            .find(|u| u.kind.code() == "department")
            .map(|u| (u.code.clone(), u.name.clone()))
            .unwrap_or_else(|| {
                let c = self.plan().city();
                (c.code.clone(), c.name.clone())
            })
    }

    /// The finance bureau (市财政局), who confirms disbursements and keeps the budgets.
    pub fn finance_department(&self) -> String {
        self.plan()
            .org_unit_by_name("市财政局")
            .map(|u| u.code.clone())
            .unwrap_or_else(|| "CZJ".into())
    }

    fn is_finance(&self, a: &Actor) -> bool {
        a.role == Role::CityDepartment && a.org_code == self.finance_department()
    }

    /// May file (or submit, or add evidence to) a claim for this enterprise.
    fn may_file(&self, a: &Actor, county: &str, uscc: &str) -> bool {
        match a.role {
            Role::Enterprise => a.org_code == uscc,
            Role::CountyOperator => a.org_code == county,
            Role::CityAdmin => true,
            _ => false,
        }
    }

    fn may_review(a: &Actor, county: &str) -> bool {
        matches!(a.role, Role::CountyOperator | Role::CountyLeader) && a.org_code == county
    }

    fn may_approve(a: &Actor, department: &str) -> bool {
        a.role == Role::CityAdmin || (a.role == Role::CityDepartment && a.org_code == department)
    }

    /// Whether the actor's role may ever take this action on this claim (403 otherwise);
    /// whether the claim's status allows it is checked after (409).
    fn role_allows(&self, a: &Actor, c: &ClaimRow, action: Action) -> bool {
        match action {
            Action::Submit => self.may_file(a, &c.county_code, &c.uscc),
            Action::Review => Self::may_review(a, &c.county_code),
            Action::Approve => Self::may_approve(a, &c.department),
            Action::Release => Self::may_approve(a, &c.department) || self.is_finance(a),
            Action::Disburse => self.is_finance(a),
            Action::Reject => {
                Self::may_review(a, &c.county_code)
                    || Self::may_approve(a, &c.department)
                    || self.is_finance(a)
            }
        }
    }

    /// Whether the actor may take the action on the claim in its present status.
    fn may_act_now(&self, a: &Actor, c: &ClaimRow, action: Action) -> bool {
        if !self.role_allows(a, c, action) || !action.from().contains(&c.status.as_str()) {
            return false;
        }
        if action == Action::Reject {
            return match c.status.as_str() {
                "submitted" => Self::may_review(a, &c.county_code) || a.role == Role::CityAdmin,
                "county_reviewed" | "held" => Self::may_approve(a, &c.department),
                "approved" => Self::may_approve(a, &c.department) || self.is_finance(a),
                _ => false,
            };
        }
        true
    }

    /// The actions the actor may take on the claim now.
    pub fn claim_actions(&self, a: &Actor, c: &ClaimRow) -> Vec<Action> {
        [
            Action::Submit,
            Action::Review,
            Action::Approve,
            Action::Release,
            Action::Disburse,
            Action::Reject,
        ]
        .into_iter()
        .filter(|x| self.may_act_now(a, c, *x))
        .collect()
    }

    fn can_see_claim(a: &Actor, c: &ClaimRow) -> bool {
        match a.scope() {
            Scope::City => true,
            Scope::County(k) => k == c.county_code,
            Scope::Enterprise(u) => u == c.uscc,
            Scope::Nothing => false,
        }
    }

    async fn ledger_of(&self, conn: &mut sqlx::AnyConnection, uscc: &str) -> Result<Vec<LedgerEntry>> {
        let rows = sqlx::query(
            "SELECT policy, uscc, county_code, paid_date, paid_fen, project FROM ledger WHERE uscc = $1 ORDER BY paid_date, id",
        )
        .bind(uscc)
        .fetch_all(&mut *conn)
        .await?;
        let raw = rows
            .iter()
            .map(|r| {
                Ok((
                    r.try_get::<String, _>(0)?,
                    r.try_get::<Option<String>, _>(1)?,
                    r.try_get::<Option<String>, _>(2)?,
                    r.try_get::<String, _>(3)?,
                    r.try_get::<i64, _>(4)?,
                    r.try_get::<Option<String>, _>(5)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ledger_entries(&raw))
    }

    const CLAIM_SELECT: &'static str = "SELECT c.id, c.policy, c.uscc, e.name AS enterprise_name, c.county_code, c.department,
        c.funding_source, c.event_date, c.base_fen, c.approved_fen, c.project, c.facts, c.status, c.eval_status,
        c.amount_fen, c.trace, c.budget_year, c.hold_reason, c.reject_reason, c.filed_by, c.created_at, c.updated_at
        FROM claims c JOIN enterprises e ON e.uscc = c.uscc";

    fn claim_from_row(&self, set: &PolicySet, r: &sqlx::any::AnyRow) -> Result<ClaimRow> {
        let policy: String = r.try_get("policy")?;
        let p = set.get(&policy);
        let county: String = r.try_get("county_code")?;
        let dept: String = r.try_get("department")?;
        let status: String = r.try_get("status")?;
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
            status_label: status_label(&status).into(),
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

    async fn claim_row(&self, conn: &mut sqlx::AnyConnection, set: &PolicySet, id: i64) -> Result<ClaimRow> {
        let r = sqlx::query(&format!("{} WHERE c.id = $1", Self::CLAIM_SELECT))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("申请 #{id}")))?;
        self.claim_from_row(set, &r)
    }

    async fn add_event(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        id: i64,
        from: Option<&str>,
        to: &str,
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
        .bind(from.map(str::to_string))
        .bind(to)
        .bind(comment)
        .execute(&mut *conn)
        .await?;
        self.log_change(
            conn,
            actor,
            "claim",
            &id.to_string(),
            to,
            from.map(str::to_string),
            Some(to.to_string()),
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
        if !self.may_file(actor, &county, &uscc) {
            return Err(StoreError::Forbidden(format!("无权为企业“{name}”申报")));
        }
        if c.event_date > self.today() {
            return Err(StoreError::Invalid(format!(
                "event_date:事件日期 {} 晚于今天",
                c.event_date
            )));
        }
        let project = c.facts.get("project").and_then(Value::as_str).map(str::to_string);
        let mut tx = self.pool().begin().await?;
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
                        o.missing.join("、")
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
            let open: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM claims WHERE uscc = $1 AND policy = $2
                 AND status IN ('draft', 'submitted', 'county_reviewed', 'approved', 'held') ORDER BY id LIMIT 1",
            )
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
        let status = if c.submit { "submitted" } else { "draft" };
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
        .bind(status)
        .bind(o.status.as_str())
        .bind(o.amount.0)
        .bind(outcome_value(&o).to_string())
        .bind(&actor.username)
        .bind(&ts)
        .fetch_one(&mut *tx)
        .await?;
        let comment = if c.comment.trim().is_empty() {
            format!("申报;测算金额 {} 元", o.amount.yuan_string())
        } else {
            c.comment.trim().to_string()
        };
        self.add_event(&mut tx, actor, id, None, status, &comment).await?;
        tx.commit().await?;
        self.get_claim(actor, set, id).await
    }

    pub async fn get_claim(&self, actor: &Actor, set: &PolicySet, id: i64) -> Result<ClaimDetail> {
        let mut conn = self.pool().acquire().await?;
        let claim = self.claim_row(&mut conn, set, id).await?;
        if !Self::can_see_claim(actor, &claim) {
            return Err(StoreError::Forbidden(format!("申请 #{id} 不属于您的管辖范围")));
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
                from_status: r.try_get(3)?,
                to_status: r.try_get(4)?,
                comment: r.try_get(5)?,
            })
        })
        .collect::<Result<_>>()?;
        let evidence = sqlx::query(
            "SELECT id, file_name, content_type, size, sha256, uploaded_by, uploaded_at FROM claim_evidence
             WHERE claim_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| {
            Ok(EvidenceInfo {
                id: r.try_get(0)?,
                file_name: r.try_get(1)?,
                content_type: r.try_get(2)?,
                size: r.try_get(3)?,
                sha256: r.try_get(4)?,
                uploaded_by: r.try_get(5)?,
                uploaded_at: r.try_get(6)?,
            })
        })
        .collect::<Result<_>>()?;
        let actions = self
            .claim_actions(actor, &claim)
            .into_iter()
            .map(|a| a.code().to_string())
            .collect();
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
        let mut conds: Vec<String> = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: String| {
            binds.push(v);
            conds.push(cond.replace('?', &format!("${}", binds.len())));
        };
        match actor.scope() {
            Scope::City => {}
            Scope::County(c) => add("c.county_code = ?", c),
            Scope::Enterprise(u) => add("c.uscc = ?", u),
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        }
        if let Some(s) = f.status.as_deref().filter(|s| !s.is_empty()) {
            if status_label(s).is_empty() {
                return Err(StoreError::Invalid(format!("status:未知状态“{s}”")));
            }
            add("c.status = ?", s.to_string());
        }
        if let Some(p) = f.policy.as_deref().filter(|s| !s.is_empty()) {
            add("c.policy = ?", p.to_string());
        }
        if let Some(u) = f.uscc.as_deref().filter(|s| !s.is_empty()) {
            add("c.uscc = ?", u.to_ascii_uppercase());
        }
        let rows = {
            let sql = format!(
                "{}{} ORDER BY c.id DESC LIMIT 2000",
                Self::CLAIM_SELECT,
                if conds.is_empty() {
                    String::new()
                } else {
                    format!(" WHERE {}", conds.join(" AND "))
                }
            );
            let mut q = sqlx::query(&sql);
            for b in &binds {
                q = q.bind(b.clone());
            }
            q.fetch_all(self.pool()).await?
        };
        let mut out = Vec::new();
        for r in &rows {
            let c = self.claim_from_row(set, r)?;
            if f.queue {
                let waiting = self
                    .claim_actions(actor, &c)
                    .into_iter()
                    .any(|a| a != Action::Reject);
                if !waiting {
                    continue;
                }
            }
            out.push(c);
        }
        Ok(out)
    }

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
        let mut tx = self.pool().begin().await?;
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
            return Err(StoreError::Forbidden(format!("申请 #{id} 不属于您的管辖范围")));
        }
        if !self.role_allows(actor, &c, action) {
            return Err(StoreError::Forbidden(format!(
                "{}不能对该申请执行“{}”",
                actor.role.label(),
                action.label()
            )));
        }
        if !self.may_act_now(actor, &c, action) {
            return Err(StoreError::Conflict(format!(
                "申请 #{id} 当前状态为“{}”,不能执行“{}”",
                status_label(&c.status),
                action.label()
            )));
        }
        let comment = input.comment.trim().to_string();
        let p = set
            .get(&c.policy)
            .ok_or_else(|| StoreError::Invalid(format!("申请 #{id} 的政策“{}”已不在政策库中", c.policy)))?;
        let ts = self.now();
        let mut event_comment = comment.clone();
        let to: &str = match action {
            Action::Submit => "submitted",
            Action::Review => "county_reviewed",
            Action::Reject => {
                let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
                if reason.is_empty() {
                    return Err(StoreError::Invalid("reason:驳回必须填写理由".into()));
                }
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
                "rejected"
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
                if !fits {
                    let reason = match room {
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
                    if action == Action::Release {
                        return Err(StoreError::Conflict(format!("仍不能恢复:{reason}")));
                    }
                    sqlx::query(
                        "UPDATE claims SET status = 'held', budget_year = $2, hold_reason = $3, updated_at = $4 WHERE id = $1",
                    )
                    .bind(id)
                    .bind(year)
                    .bind(&reason)
                    .bind(&ts)
                    .execute(&mut *tx)
                    .await?;
                    let note = if comment.is_empty() {
                        reason
                    } else {
                        format!("{reason};{comment}")
                    };
                    self.add_event(&mut tx, actor, id, Some(&c.status), "held", &note)
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
                if action == Action::Disburse {
                    "disbursed"
                } else {
                    "approved"
                }
            }
        };
        sqlx::query("UPDATE claims SET status = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(to)
            .bind(&ts)
            .execute(&mut *tx)
            .await?;
        self.add_event(&mut tx, actor, id, Some(&c.status), to, &event_comment)
            .await?;
        tx.commit().await?;
        self.get_claim(actor, set, id).await
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

    /// Attach an evidence file to a claim that is still a draft or waiting for the county.
    pub async fn add_evidence(
        &self,
        actor: &Actor,
        set: &PolicySet,
        id: i64,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Result<EvidenceInfo> {
        let name = file_name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("file:请选择要上传的文件".into()));
        }
        if bytes.is_empty() {
            return Err(StoreError::Invalid(format!("file:文件“{name}”是空的")));
        }
        if bytes.len() > MAX_EVIDENCE_BYTES {
            return Err(StoreError::Invalid(format!(
                "file:文件“{name}”超过 {} MB",
                MAX_EVIDENCE_BYTES / 1024 / 1024
            )));
        }
        let mut tx = self.pool().begin().await?;
        let c = self.claim_row(&mut tx, set, id).await?;
        if !Self::can_see_claim(actor, &c) {
            return Err(StoreError::Forbidden(format!("申请 #{id} 不属于您的管辖范围")));
        }
        if !self.may_file(actor, &c.county_code, &c.uscc) && !Self::may_review(actor, &c.county_code) {
            return Err(StoreError::Forbidden(
                "只有申报人或所在县(市)可以上传证明材料".into(),
            ));
        }
        if !matches!(c.status.as_str(), "draft" | "submitted") {
            return Err(StoreError::Conflict(format!(
                "申请 #{id} 当前状态为“{}”,不能再上传材料",
                status_label(&c.status)
            )));
        }
        use sha2::Digest;
        let sha = sha2::Sha256::digest(bytes);
        let sha: String = sha.iter().map(|b| format!("{b:02x}")).collect();
        let ts = self.now();
        let ctype = if content_type.trim().is_empty() {
            "application/octet-stream"
        } else {
            content_type.trim()
        };
        let ev_id: i64 = sqlx::query_scalar(
            "INSERT INTO claim_evidence (claim_id, file_name, content_type, size, sha256, bytes, uploaded_by, uploaded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(id)
        .bind(name)
        .bind(ctype)
        .bind(bytes.len() as i64)
        .bind(&sha)
        .bind(bytes.to_vec())
        .bind(&actor.username)
        .bind(&ts)
        .fetch_one(&mut *tx)
        .await?;
        self.log_change(
            &mut tx,
            actor,
            "claim_evidence",
            &id.to_string(),
            "upload",
            None,
            Some(serde_json::json!({"file": name, "sha256": sha, "size": bytes.len()}).to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(EvidenceInfo {
            id: ev_id,
            file_name: name.to_string(),
            content_type: ctype.to_string(),
            size: bytes.len() as i64,
            sha256: sha,
            uploaded_by: actor.username.clone(),
            uploaded_at: ts,
        })
    }

    /// One evidence file: (name, content type, bytes).
    pub async fn get_evidence(
        &self,
        actor: &Actor,
        set: &PolicySet,
        id: i64,
        evidence: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        self.get_claim(actor, set, id).await?;
        let r = sqlx::query(
            "SELECT file_name, content_type, bytes FROM claim_evidence WHERE id = $1 AND claim_id = $2",
        )
        .bind(evidence)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("材料 #{evidence}")))?;
        Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
    }

    /// Payouts the actor may see, newest first.
    pub async fn list_ledger(
        &self,
        actor: &Actor,
        set: &PolicySet,
        year: Option<i64>,
    ) -> Result<Vec<LedgerRow>> {
        let mut conds = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        match actor.scope() {
            Scope::City => {}
            Scope::County(c) => {
                binds.push(c);
                conds.push(format!("l.county_code = ${}", binds.len()));
            }
            Scope::Enterprise(u) => {
                binds.push(u);
                conds.push(format!("l.uscc = ${}", binds.len()));
            }
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        }
        if let Some(y) = year {
            conds.push(format!("l.budget_year = {y}"));
        }
        let sql = format!(
            "SELECT l.id, l.policy, l.uscc, e.name, l.county_code, l.paid_date, l.paid_fen, l.project, l.funding_source,
             l.budget_year, l.trace, l.claim_id, l.recorded_by, l.recorded_at
             FROM ledger l LEFT JOIN enterprises e ON e.uscc = l.uscc{} ORDER BY l.paid_date DESC, l.id DESC LIMIT 5000",
            if conds.is_empty() {
                String::new()
            } else {
                format!(" WHERE {}", conds.join(" AND "))
            }
        );
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b.clone());
        }
        q.fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let policy: String = r.try_get(1)?;
                let p = set.get(&policy);
                let county: Option<String> = r.try_get(4)?;
                let paid: i64 = r.try_get(6)?;
                let trace: String = r.try_get(10)?;
                Ok(LedgerRow {
                    id: r.try_get(0)?,
                    policy_name: p.map(|p| p.name.clone()).unwrap_or_else(|| policy.clone()),
                    clause: p.map(|p| p.clause.clone()).unwrap_or_default(),
                    policy,
                    uscc: r.try_get(2)?,
                    enterprise_name: r.try_get(3)?,
                    county_name: county
                        .as_deref()
                        .and_then(|c| self.plan().org_unit(c))
                        .map(|u| u.name.clone()),
                    county_code: county,
                    paid_date: r.try_get(5)?,
                    paid_fen: paid,
                    paid_yuan: Fen(paid).yuan_string(),
                    project: r.try_get(7)?,
                    funding_source: r.try_get(8)?,
                    budget_year: r.try_get(9)?,
                    outcome: serde_json::from_str(&trace).unwrap_or(Value::Null),
                    claim_id: r.try_get(11)?,
                    recorded_by: r.try_get(12)?,
                    recorded_at: r.try_get(13)?,
                })
            })
            .collect()
    }

    /// Budgets with what is committed (approved, unpaid), paid and remaining. City scope only.
    pub async fn list_budgets(&self, actor: &Actor) -> Result<Vec<BudgetRow>> {
        if actor.scope() != Scope::City {
            return Err(StoreError::Forbidden("预算只对市级用户开放".into()));
        }
        let rows = sqlx::query(
            "SELECT b.year, b.funding_source, b.amount_fen, b.updated_by, b.updated_at,
             CAST(COALESCE((SELECT SUM(c.amount_fen) FROM claims c WHERE c.status = 'approved'
                AND c.budget_year = b.year AND c.funding_source = b.funding_source), 0) AS BIGINT),
             CAST(COALESCE((SELECT SUM(l.paid_fen) FROM ledger l WHERE l.budget_year = b.year
                AND l.funding_source = b.funding_source), 0) AS BIGINT),
             CAST(COALESCE((SELECT SUM(c.amount_fen) FROM claims c WHERE c.status = 'held'
                AND c.budget_year = b.year AND c.funding_source = b.funding_source), 0) AS BIGINT)
             FROM budgets b ORDER BY b.year DESC, b.funding_source",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let amount: i64 = r.try_get(2)?;
                let committed: i64 = r.try_get(5)?;
                let paid: i64 = r.try_get(6)?;
                Ok(BudgetRow {
                    year: r.try_get(0)?,
                    funding_source: r.try_get(1)?,
                    amount_fen: amount,
                    committed_fen: committed,
                    paid_fen: paid,
                    remaining_fen: amount - committed - paid,
                    held_fen: r.try_get(7)?,
                    updated_by: r.try_get(3)?,
                    updated_at: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Set a year's budget for a funding source. 市财政局 only (and the command line).
    pub async fn set_budget(&self, actor: &Actor, year: i64, source: &str, amount: Fen) -> Result<()> {
        let cli = actor.user_id == 0 && actor.role == Role::CityAdmin;
        if !self.is_finance(actor) && !cli {
            return Err(StoreError::Forbidden("只有市财政局可以设置预算".into()));
        }
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!("year:年度“{year}”无效")));
        }
        let source = source.trim();
        if source.is_empty() {
            return Err(StoreError::Invalid("funding_source:资金来源不能为空".into()));
        }
        if amount.is_negative() {
            return Err(StoreError::Invalid("amount_yuan:预算不能为负".into()));
        }
        let mut tx = self.pool().begin().await?;
        let old: Option<i64> =
            sqlx::query_scalar("SELECT amount_fen FROM budgets WHERE year = $1 AND funding_source = $2")
                .bind(year)
                .bind(source)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO budgets (year, funding_source, amount_fen, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (year, funding_source) DO UPDATE SET amount_fen = excluded.amount_fen,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(year)
        .bind(source)
        .bind(amount.0)
        .bind(&actor.username)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        self.log_change(
            &mut tx,
            actor,
            "budget",
            &format!("{year}/{source}"),
            if old.is_some() { "update" } else { "create" },
            old.map(|f| f.to_string()),
            Some(amount.0.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// One finding of the eligibility scan, with the names people read.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScanRow {
    pub uscc: String,
    pub enterprise_name: String,
    pub county_code: String,
    pub county_name: String,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub event_date: String,
    /// eligible or unknown.
    pub status: String,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub missing: Vec<String>,
    pub basis: String,
    pub flags: Vec<String>,
    #[schema(value_type = Object)]
    pub facts: Value,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub from: String,
    pub to: String,
    pub enterprises: usize,
    pub eligible: usize,
    pub eligible_fen: i64,
    pub unknown: usize,
    pub rows: Vec<ScanRow>,
    /// Milliseconds spent reading the registry and running the engine.
    pub load_ms: f64,
    pub scan_ms: f64,
}

/// The event window of a scan: one year, or from the plan's issue (the first date any
/// policy parameter is in force) to today.
pub fn scan_window(set: &PolicySet, year: Option<i32>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    match year {
        Some(y) => (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default(),
        ),
        None => (
            set.policies()
                .filter_map(|p| p.first_date())
                .min()
                .unwrap_or_default(),
            today,
        ),
    }
}

/// The qualification kinds the scan reads.
const SCAN_KINDS: &str = "'above_scale', 'little_giant', 'green_factory', 'well_known_trademark', 'listed'";

impl Store {
    /// 免申即享: every enterprise in the actor's scope that qualifies for an incentive it has
    /// not claimed (from its dated qualifications and the ledger), with the amount, and those
    /// that stay unknown with what is missing. See `clusterdesk_policy::scan`.
    pub async fn eligibility_scan(
        &self,
        actor: &Actor,
        set: &PolicySet,
        year: Option<i32>,
    ) -> Result<ScanReport> {
        use clusterdesk_policy::scan::{EnterpriseFacts, QualFact, ScanOptions, scan};
        use std::collections::HashMap;
        let t0 = std::time::Instant::now();
        let (from, to) = scan_window(set, year, self.today());
        let (scope_cond, scope_bind) = match actor.scope() {
            Scope::City => ("1 = 1".to_string(), None),
            Scope::County(c) => ("e.county_code = $3".to_string(), Some(c)),
            Scope::Enterprise(u) => ("e.uscc = $3".to_string(), Some(u)),
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        };
        let bind3 = scope_bind.clone().unwrap_or_default();
        let mut conn = self.pool().acquire().await?;
        // Qualifications in the window, with the enterprise's name and county.
        let rows = sqlx::query(&format!(
            "SELECT q.uscc, e.name, e.county_code, q.kind, q.level, q.valid_from FROM qualifications q
             JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind IN ({SCAN_KINDS}) AND q.valid_from >= $1 AND q.valid_from <= $2 AND ($3 = $3) AND {scope_cond}
             ORDER BY e.county_code, q.uscc, q.valid_from, q.id"
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?;
        let mut ents: Vec<EnterpriseFacts> = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for r in &rows {
            let uscc: String = r.try_get(0)?;
            let Ok(u) = Uscc::parse(&uscc) else { continue };
            let Ok(kind) = clusterdesk_domain::QualKind::parse(&r.try_get::<String, _>(3)?) else {
                continue;
            };
            let Ok(from) = NaiveDate::parse_from_str(&r.try_get::<String, _>(5)?, "%Y-%m-%d") else {
                continue;
            };
            let q = QualFact {
                kind,
                level: r.try_get(4)?,
                from,
            };
            match ents.last_mut() {
                Some(e) if e.uscc.as_str() == uscc => e.quals.push(q),
                _ => {
                    names.insert(uscc.clone(), r.try_get(1)?);
                    ents.push(EnterpriseFacts {
                        uscc: u,
                        county: r.try_get(2)?,
                        quals: vec![q],
                        first_data_year: None,
                    });
                }
            }
        }
        // The first year each enterprise with an above-scale event reported its revenue.
        // One index lookup per enterprise (the key of data_values starts with the unit).
        let first: HashMap<String, String> = sqlx::query(&format!(
            "SELECT q.uscc, (SELECT MIN(v.period) FROM data_values v
                WHERE v.unit_code = q.uscc AND v.indicator_code = 'revenue')
             FROM qualifications q JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind = 'above_scale' AND q.valid_from >= $1 AND q.valid_from <= $2 AND ($3 = $3) AND {scope_cond}"
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .filter_map(|r| {
            let u: String = r.try_get(0).ok()?;
            let p: Option<String> = r.try_get(1).ok()?;
            Some((u, p?))
        })
        .collect();
        for e in &mut ents {
            e.first_data_year = first
                .get(e.uscc.as_str())
                .and_then(|p| p.get(..4))
                .and_then(|y| y.parse().ok());
        }
        // The ledger and the open or paid claims of the enterprises in scope.
        let mut ledger: HashMap<String, Vec<LedgerEntry>> = HashMap::new();
        let lrows = sqlx::query(&format!(
            "SELECT l.policy, l.uscc, l.county_code, l.paid_date, l.paid_fen, l.project FROM ledger l
             JOIN enterprises e ON e.uscc = l.uscc WHERE ($1 = $1) AND {}",
            scope_cond.replace("$3", "$1")
        ))
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?;
        for r in &lrows {
            let raw = (
                r.try_get::<String, _>(0)?,
                r.try_get::<Option<String>, _>(1)?,
                r.try_get::<Option<String>, _>(2)?,
                r.try_get::<String, _>(3)?,
                r.try_get::<i64, _>(4)?,
                r.try_get::<Option<String>, _>(5)?,
            );
            if let (Some(u), Some(entry)) = (raw.1.clone(), ledger_entries(&[raw]).pop()) {
                ledger.entry(u).or_default().push(entry);
            }
        }
        let claimed_rows: Vec<(String, String)> = sqlx::query(&format!(
            "SELECT c.uscc, c.policy FROM claims c JOIN enterprises e ON e.uscc = c.uscc
             WHERE c.status <> 'rejected' AND ($1 = $1) AND {}",
            scope_cond.replace("$3", "$1")
        ))
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_>>()?;
        let mut claimed: HashMap<String, Vec<String>> = HashMap::new();
        for (u, p) in claimed_rows {
            claimed.entry(u).or_default().push(p);
        }
        let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let t1 = std::time::Instant::now();
        let findings = scan(set, &ents, &ledger, &claimed, ScanOptions { from, to });
        let scan_ms = t1.elapsed().as_secs_f64() * 1000.0;
        let mut report = ScanReport {
            from: from.to_string(),
            to: to.to_string(),
            enterprises: ents.len(),
            eligible: 0,
            eligible_fen: 0,
            unknown: 0,
            rows: Vec::with_capacity(findings.len()),
            load_ms,
            scan_ms,
        };
        for f in findings {
            match f.status {
                Status::Eligible => {
                    report.eligible += 1;
                    report.eligible_fen += f.amount.0;
                }
                _ => report.unknown += 1,
            }
            let p = set.get(&f.policy);
            report.rows.push(ScanRow {
                enterprise_name: names.get(&f.uscc).cloned().unwrap_or_default(),
                county_name: self
                    .plan()
                    .org_unit(&f.county)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                county_code: f.county,
                policy_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                policy: f.policy,
                clause: f.clause,
                event_date: f.event_date.to_string(),
                status: f.status.as_str().into(),
                amount_fen: f.amount.0,
                amount_yuan: f.amount.yuan_string(),
                missing: f.missing,
                basis: f.basis,
                flags: f.flags,
                facts: serde_json::to_value(&f.facts).unwrap_or(Value::Null),
                uscc: f.uscc,
            });
        }
        Ok(report)
    }
}
