//! The reporting workflow of 四(四): draft → submitted (county operator) → approved by the
//! county leader → accepted by the city bureau, which locks the period; either reviewer may
//! return it with a reason, and only the bureau unlocks an accepted period, with a reason.
//! The city bureau may also submit for a county.

use super::Refusal;
use crate::Role;

/// The state of one (data set, county, period); stored and sent as its `code()`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionStatus {
    Draft,
    Submitted,
    CountyApproved,
    Accepted,
}

impl SubmissionStatus {
    pub const ALL: [SubmissionStatus; 4] = [
        SubmissionStatus::Draft,
        SubmissionStatus::Submitted,
        SubmissionStatus::CountyApproved,
        SubmissionStatus::Accepted,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "draft",
            SubmissionStatus::Submitted => "submitted",
            SubmissionStatus::CountyApproved => "county_approved",
            SubmissionStatus::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionStatus> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionStatus::Draft => "填报中",
            SubmissionStatus::Submitted => "已提交待县审核",
            SubmissionStatus::CountyApproved => "县已审核待市接收",
            SubmissionStatus::Accepted => "市已接收(锁定)",
        }
    }

    /// Values may be entered only while the period is a draft.
    pub fn is_editable(self) -> bool {
        self == SubmissionStatus::Draft
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubmissionAction {
    Submit,
    Approve,
    Accept,
    Return,
    Unlock,
}

impl SubmissionAction {
    pub const ALL: [SubmissionAction; 5] = [
        SubmissionAction::Submit,
        SubmissionAction::Approve,
        SubmissionAction::Accept,
        SubmissionAction::Return,
        SubmissionAction::Unlock,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SubmissionAction::Submit => "submit",
            SubmissionAction::Approve => "approve",
            SubmissionAction::Accept => "accept",
            SubmissionAction::Return => "return",
            SubmissionAction::Unlock => "unlock",
        }
    }

    pub fn parse(s: &str) -> Option<SubmissionAction> {
        Self::ALL.into_iter().find(|x| x.code() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SubmissionAction::Submit => "提交",
            SubmissionAction::Approve => "县审核通过",
            SubmissionAction::Accept => "市接收并锁定",
            SubmissionAction::Return => "退回修改",
            SubmissionAction::Unlock => "解锁",
        }
    }

    /// Returning and unlocking undo someone's work, so they need a reason.
    pub fn needs_reason(self) -> bool {
        matches!(self, SubmissionAction::Return | SubmissionAction::Unlock)
    }
}

/// Who asks: the role, and whether the caller's organisation is the submission's county.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who {
    pub role: Role,
    pub own_county: bool,
}

/// The state a step leads to, or why it is refused: 403 when the role (or a county role of
/// another county) may never take the step, 409 when it may but not in the state `from`.
pub fn transition(
    from: SubmissionStatus,
    action: SubmissionAction,
    who: Who,
) -> Result<SubmissionStatus, Refusal> {
    use SubmissionAction as A;
    use SubmissionStatus as S;
    let city = who.role == Role::CityAdmin;
    let operator = who.role == Role::CountyOperator && who.own_county;
    let leader = who.role == Role::CountyLeader && who.own_county;
    let to = match (from, action) {
        (S::Draft, A::Submit) if operator || city => Some(S::Submitted),
        (S::Submitted, A::Approve) if leader => Some(S::CountyApproved),
        (S::CountyApproved, A::Accept) if city => Some(S::Accepted),
        (S::Submitted, A::Return) if leader || city => Some(S::Draft),
        (S::CountyApproved, A::Return) if city => Some(S::Draft),
        (S::Accepted, A::Unlock) if city => Some(S::Draft),
        _ => None,
    };
    if let Some(to) = to {
        return Ok(to);
    }
    let may_ever = match action {
        A::Submit => matches!(who.role, Role::CountyOperator | Role::CityAdmin),
        A::Approve => who.role == Role::CountyLeader,
        A::Return => matches!(who.role, Role::CountyLeader | Role::CityAdmin),
        A::Accept | A::Unlock => city,
    };
    Err(if may_ever && (city || who.own_county) {
        Refusal::Conflict(format!("当前状态“{}”下不能{}", from.label(), action.label()))
    } else {
        Refusal::Forbidden(format!("您的角色不能{}", action.label()))
    })
}

/// The steps the caller may take now, in the order of [`SubmissionAction::ALL`].
pub fn allowed(from: SubmissionStatus, who: Who) -> Vec<SubmissionAction> {
    SubmissionAction::ALL
        .into_iter()
        .filter(|a| transition(from, *a, who).is_ok())
        .collect()
}

/// A return or an unlock without a reason is refused.
pub fn check_reason(action: SubmissionAction, comment: &str) -> Result<(), Refusal> {
    if action.needs_reason() && comment.trim().is_empty() {
        return Err(Refusal::Invalid(format!("{}须填写理由", action.label())));
    }
    Ok(())
}
