//! The workflow of an incentive claim:
//!
//! | action | from | to | who |
//! |---|---|---|---|
//! | file | — | submitted (or draft) | the enterprise itself; a county operator for its county; city_admin |
//! | submit | draft | submitted | whoever may file for the enterprise |
//! | review | submitted | county_reviewed | county operator or county leader of the claim's county |
//! | approve | county_reviewed | approved, or held when the year's budget would be exceeded | the responsible city department, or city_admin (市工信局, who coordinates the plan, 四(一)) |
//! | release | held | approved (if the budget now allows) | as approve, or 市财政局 |
//! | disburse | approved | disbursed (a ledger row), or held when the budget no longer allows | 市财政局 only |
//! | reject | submitted → county roles and city_admin; county_reviewed / held → approvers; approved → approvers and 市财政局 | rejected, with a reason | |
//!
//! city_admin can do everything but the county review and the disbursement: the county's
//! check belongs to the county and payment to the finance bureau (separation of duties).

use super::Refusal;
use crate::Role;

/// The state of a claim; stored and sent as its `code()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Draft,
    Submitted,
    CountyReviewed,
    Approved,
    Held,
    Disbursed,
    Rejected,
}

impl ClaimStatus {
    pub const ALL: [ClaimStatus; 7] = [
        ClaimStatus::Draft,
        ClaimStatus::Submitted,
        ClaimStatus::CountyReviewed,
        ClaimStatus::Approved,
        ClaimStatus::Held,
        ClaimStatus::Disbursed,
        ClaimStatus::Rejected,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::Draft => "draft",
            ClaimStatus::Submitted => "submitted",
            ClaimStatus::CountyReviewed => "county_reviewed",
            ClaimStatus::Approved => "approved",
            ClaimStatus::Held => "held",
            ClaimStatus::Disbursed => "disbursed",
            ClaimStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimStatus> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimStatus::Draft => "草稿",
            ClaimStatus::Submitted => "已提交,待县(市)审核",
            ClaimStatus::CountyReviewed => "县(市)已审核,待市直部门审批",
            ClaimStatus::Approved => "已审批,待市财政局拨付",
            ClaimStatus::Held => "预算不足,暂缓",
            ClaimStatus::Disbursed => "已拨付",
            ClaimStatus::Rejected => "已驳回",
        }
    }

    /// The state a claim is filed in: submitted, or kept as a draft.
    pub fn filed(submit: bool) -> ClaimStatus {
        if submit {
            ClaimStatus::Submitted
        } else {
            ClaimStatus::Draft
        }
    }

    /// Still in progress: a once-per-enterprise reward cannot be claimed a second time
    /// while one of these is open.
    pub fn is_open(self) -> bool {
        !matches!(self, ClaimStatus::Disbursed | ClaimStatus::Rejected)
    }

    /// Evidence may be added until the county has reviewed the claim.
    pub fn takes_evidence(self) -> bool {
        matches!(self, ClaimStatus::Draft | ClaimStatus::Submitted)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimAction {
    Submit,
    Review,
    Approve,
    Release,
    Disburse,
    Reject,
}

impl ClaimAction {
    pub const ALL: [ClaimAction; 6] = [
        ClaimAction::Submit,
        ClaimAction::Review,
        ClaimAction::Approve,
        ClaimAction::Release,
        ClaimAction::Disburse,
        ClaimAction::Reject,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClaimAction::Submit => "submit",
            ClaimAction::Review => "review",
            ClaimAction::Approve => "approve",
            ClaimAction::Release => "release",
            ClaimAction::Disburse => "disburse",
            ClaimAction::Reject => "reject",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimAction> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ClaimAction::Submit => "提交",
            ClaimAction::Review => "县(市)审核通过",
            ClaimAction::Approve => "审批通过",
            ClaimAction::Release => "预算到位,恢复审批",
            ClaimAction::Disburse => "确认拨付",
            ClaimAction::Reject => "驳回",
        }
    }

    /// The money steps: the engine re-evaluates the claim against the ledger and the
    /// year's budget before the step is written.
    pub fn pays(self) -> bool {
        matches!(
            self,
            ClaimAction::Approve | ClaimAction::Release | ClaimAction::Disburse
        )
    }
}

/// Whether the role files claims at all (for some enterprise): the pages offer 申报 to these.
pub fn files_claims(role: Role) -> bool {
    matches!(role, Role::Enterprise | Role::CountyOperator | Role::CityAdmin)
}

/// Who asks, and how the caller's organisation relates to the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    pub role: Role,
    /// The caller's organisation is the claiming enterprise.
    pub enterprise: bool,
    /// The caller's organisation is the enterprise's county.
    pub county: bool,
    /// The caller's organisation is the department responsible for the policy.
    pub department: bool,
    /// The caller's organisation is the finance bureau (市财政局).
    pub finance: bool,
}

impl Who {
    /// May file (or submit) a claim for the enterprise.
    pub fn may_file(self) -> bool {
        match self.role {
            Role::Enterprise => self.enterprise,
            Role::CountyOperator => self.county,
            Role::CityAdmin => true,
            _ => false,
        }
    }

    /// The county's check.
    pub fn may_review(self) -> bool {
        matches!(self.role, Role::CountyOperator | Role::CountyLeader) && self.county
    }

    pub fn may_approve(self) -> bool {
        self.role == Role::CityAdmin || (self.role == Role::CityDepartment && self.department)
    }

    pub fn is_finance(self) -> bool {
        self.role == Role::CityDepartment && self.finance
    }

    /// May add evidence: whoever may file, and the county that reviews.
    pub fn may_add_evidence(self) -> bool {
        self.may_file() || self.may_review()
    }

    /// Whether the role may ever take this action on this claim (403 otherwise).
    pub fn may_ever(self, action: ClaimAction) -> bool {
        match action {
            ClaimAction::Submit => self.may_file(),
            ClaimAction::Review => self.may_review(),
            ClaimAction::Approve => self.may_approve(),
            ClaimAction::Release => self.may_approve() || self.is_finance(),
            ClaimAction::Disburse => self.is_finance(),
            ClaimAction::Reject => self.may_review() || self.may_approve() || self.is_finance(),
        }
    }
}

/// The state a step leads to, or why it is refused: 403 when the caller may never take it
/// on this claim, 409 when the claim's state does not allow it. The conflict's message names
/// no claim; the caller puts the claim's number before it. A money step's `to` is where it
/// goes when the budget allows: see [`after_budget`].
pub fn transition(from: ClaimStatus, action: ClaimAction, who: Who) -> Result<ClaimStatus, Refusal> {
    use ClaimAction as A;
    use ClaimStatus as S;
    if !who.may_ever(action) {
        return Err(Refusal::Forbidden(format!(
            "{}不能对该申请执行“{}”",
            who.role.label(),
            action.label()
        )));
    }
    let to = match (from, action) {
        (S::Draft, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Review) => Some(S::CountyReviewed),
        (S::CountyReviewed, A::Approve) => Some(S::Approved),
        (S::Held, A::Release) => Some(S::Approved),
        (S::Approved, A::Disburse) => Some(S::Disbursed),
        (S::Submitted, A::Reject) if who.may_review() || who.role == Role::CityAdmin => Some(S::Rejected),
        (S::CountyReviewed | S::Held, A::Reject) if who.may_approve() => Some(S::Rejected),
        (S::Approved, A::Reject) if who.may_approve() || who.is_finance() => Some(S::Rejected),
        _ => None,
    };
    to.ok_or_else(|| {
        Refusal::Conflict(format!(
            "当前状态为“{}”,不能执行“{}”",
            from.label(),
            action.label()
        ))
    })
}

/// The steps the caller may take now, in the order of [`ClaimAction::ALL`].
pub fn allowed(from: ClaimStatus, who: Who) -> Vec<ClaimAction> {
    ClaimAction::ALL
        .into_iter()
        .filter(|a| transition(from, *a, who).is_ok())
        .collect()
}

/// The claim waits for the caller: a step other than a rejection is open to them.
pub fn waits_for(from: ClaimStatus, who: Who) -> bool {
    allowed(from, who).into_iter().any(|a| a != ClaimAction::Reject)
}

/// A rejection needs a reason.
pub fn check_reason(action: ClaimAction, reason: Option<&str>) -> Result<(), Refusal> {
    if action == ClaimAction::Reject && reason.map(str::trim).unwrap_or("").is_empty() {
        return Err(Refusal::Invalid("reason:驳回必须填写理由".into()));
    }
    Ok(())
}

/// Where a money step lands once the year's budget is known: its `to` when the amount fits;
/// otherwise the claim is held, except that a release that still does not fit is refused
/// (`short` says why the budget does not allow it).
pub fn after_budget(
    action: ClaimAction,
    to: ClaimStatus,
    fits: bool,
    short: &str,
) -> Result<ClaimStatus, Refusal> {
    if fits {
        Ok(to)
    } else if action == ClaimAction::Release {
        Err(Refusal::Conflict(format!("仍不能恢复:{short}")))
    } else {
        Ok(ClaimStatus::Held)
    }
}
