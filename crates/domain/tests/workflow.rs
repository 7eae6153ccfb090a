//! The two workflows as tables: every (state, action, caller) and the result, written out by
//! hand from the rules of 四(四) (reporting) and of the incentive policies (claims), so that a
//! change of one cell fails here.

use clusterdesk_domain::Role;
use clusterdesk_domain::workflow::Refusal;
use clusterdesk_domain::workflow::claim::{self, ClaimAction, ClaimStatus};
use clusterdesk_domain::workflow::submission::{self, SubmissionAction, SubmissionStatus};

/// One cell: `F` 403, `X` 409, anything else the state the step leads to.
fn cell<S: Copy>(r: Result<S, Refusal>, code: impl Fn(S) -> &'static str) -> &'static str {
    match r {
        Ok(s) => code(s),
        Err(Refusal::Forbidden(_)) => "F",
        Err(Refusal::Conflict(_)) => "X",
        Err(Refusal::Invalid(_)) => "I",
    }
}

// ------------------------------------------------------------------ submissions

fn sub_who(col: &str) -> submission::Who {
    let (role, own_county) = match col {
        "CA" => (Role::CityAdmin, false),
        "CD" => (Role::CityDepartment, false),
        "CO+" => (Role::CountyOperator, true),
        "CO-" => (Role::CountyOperator, false),
        "CL+" => (Role::CountyLeader, true),
        "CL-" => (Role::CountyLeader, false),
        "EN" => (Role::Enterprise, false),
        "LE" => (Role::Leader, false),
        "SY" => (Role::SystemAdmin, false),
        "SE" => (Role::SecurityAdmin, false),
        "AU" => (Role::Auditor, false),
        _ => unreachable!("{col}"),
    };
    submission::Who { role, own_county }
}

fn sub_code(s: SubmissionStatus) -> &'static str {
    match s {
        SubmissionStatus::Draft => "D",
        SubmissionStatus::Submitted => "S",
        SubmissionStatus::CountyApproved => "C",
        SubmissionStatus::Accepted => "A",
    }
}

/// Columns: city_admin, city_department, the county's operator (+) and another county's
/// (-), the county's leader and another county's, enterprise, leader and the three roles of
/// the separation of duties. D draft, S submitted, C county_approved, A accepted.
#[test]
fn submission_table() {
    use SubmissionAction::*;
    use SubmissionStatus::*;
    let cols = "CA CD CO+ CO- CL+ CL- EN LE SY SE AU";
    #[rustfmt::skip]
    let table = [
        (Draft, Submit,           "S  F  S   F   F   F   F  F  F  F  F"),
        (Draft, Approve,          "F  F  F   F   X   F   F  F  F  F  F"),
        (Draft, Accept,           "X  F  F   F   F   F   F  F  F  F  F"),
        (Draft, Return,           "X  F  F   F   X   F   F  F  F  F  F"),
        (Draft, Unlock,           "X  F  F   F   F   F   F  F  F  F  F"),
        (Submitted, Submit,       "X  F  X   F   F   F   F  F  F  F  F"),
        (Submitted, Approve,      "F  F  F   F   C   F   F  F  F  F  F"),
        (Submitted, Accept,       "X  F  F   F   F   F   F  F  F  F  F"),
        (Submitted, Return,       "D  F  F   F   D   F   F  F  F  F  F"),
        (Submitted, Unlock,       "X  F  F   F   F   F   F  F  F  F  F"),
        (CountyApproved, Submit,  "X  F  X   F   F   F   F  F  F  F  F"),
        (CountyApproved, Approve, "F  F  F   F   X   F   F  F  F  F  F"),
        (CountyApproved, Accept,  "A  F  F   F   F   F   F  F  F  F  F"),
        (CountyApproved, Return,  "D  F  F   F   X   F   F  F  F  F  F"),
        (CountyApproved, Unlock,  "X  F  F   F   F   F   F  F  F  F  F"),
        (Accepted, Submit,        "X  F  X   F   F   F   F  F  F  F  F"),
        (Accepted, Approve,       "F  F  F   F   X   F   F  F  F  F  F"),
        (Accepted, Accept,        "X  F  F   F   F   F   F  F  F  F  F"),
        (Accepted, Return,        "X  F  F   F   X   F   F  F  F  F  F"),
        (Accepted, Unlock,        "D  F  F   F   F   F   F  F  F  F  F"),
    ];
    assert_eq!(
        table.len(),
        SubmissionStatus::ALL.len() * SubmissionAction::ALL.len()
    );
    for (from, action, want) in table {
        for (col, want) in cols.split_whitespace().zip(want.split_whitespace()) {
            let got = cell(submission::transition(from, action, sub_who(col)), sub_code);
            assert_eq!(got, want, "{from:?} {action:?} by {col}");
        }
    }
}

#[test]
fn submission_allowed_steps_and_messages() {
    use SubmissionAction::*;
    use SubmissionStatus::*;
    let city = sub_who("CA");
    assert_eq!(submission::allowed(CountyApproved, city), [Accept, Return]);
    assert_eq!(submission::allowed(Submitted, sub_who("CL+")), [Approve, Return]);
    assert_eq!(submission::allowed(Accepted, sub_who("CO+")), []);
    assert_eq!(
        submission::transition(Accepted, Submit, sub_who("CO+")),
        Err(Refusal::Conflict("当前状态“市已接收(锁定)”下不能提交".into()))
    );
    assert_eq!(
        submission::transition(Submitted, Approve, sub_who("CO+")),
        Err(Refusal::Forbidden("您的角色不能县审核通过".into()))
    );
    assert_eq!(
        submission::check_reason(Return, "  "),
        Err(Refusal::Invalid("退回修改须填写理由".into()))
    );
    assert_eq!(
        submission::check_reason(Unlock, ""),
        Err(Refusal::Invalid("解锁须填写理由".into()))
    );
    assert_eq!(submission::check_reason(Return, "数据有误"), Ok(()));
    assert_eq!(submission::check_reason(Submit, ""), Ok(()));
    assert_eq!(submission::check_reason(Approve, ""), Ok(()));
    assert!(Draft.is_editable());
    assert!(!Submitted.is_editable() && !CountyApproved.is_editable() && !Accepted.is_editable());
}

#[test]
fn submission_text_forms() {
    let statuses = [
        (SubmissionStatus::Draft, "draft", "填报中"),
        (SubmissionStatus::Submitted, "submitted", "已提交待县审核"),
        (
            SubmissionStatus::CountyApproved,
            "county_approved",
            "县已审核待市接收",
        ),
        (SubmissionStatus::Accepted, "accepted", "市已接收(锁定)"),
    ];
    for (s, code, label) in statuses {
        assert_eq!((s.code(), s.label()), (code, label));
        assert_eq!(SubmissionStatus::parse(code), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), code);
        assert_eq!(
            serde_json::from_value::<SubmissionStatus>(code.into()).unwrap(),
            s
        );
    }
    let actions = [
        (SubmissionAction::Submit, "submit", "提交"),
        (SubmissionAction::Approve, "approve", "县审核通过"),
        (SubmissionAction::Accept, "accept", "市接收并锁定"),
        (SubmissionAction::Return, "return", "退回修改"),
        (SubmissionAction::Unlock, "unlock", "解锁"),
    ];
    for (a, code, label) in actions {
        assert_eq!((a.code(), a.label()), (code, label));
        assert_eq!(SubmissionAction::parse(code), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), code);
    }
    assert_eq!(SubmissionStatus::parse("Draft"), None);
    assert_eq!(SubmissionAction::parse("reject"), None);
}

// ------------------------------------------------------------------ claims

fn claim_who(col: &str) -> claim::Who {
    let w = |role| claim::Who {
        role,
        enterprise: false,
        county: false,
        department: false,
        finance: false,
    };
    match col {
        "EN+" => claim::Who {
            enterprise: true,
            ..w(Role::Enterprise)
        },
        "EN-" => w(Role::Enterprise),
        "CO+" => claim::Who {
            county: true,
            ..w(Role::CountyOperator)
        },
        "CO-" => w(Role::CountyOperator),
        "CL+" => claim::Who {
            county: true,
            ..w(Role::CountyLeader)
        },
        "CL-" => w(Role::CountyLeader),
        "CA" => w(Role::CityAdmin),
        "DP" => claim::Who {
            department: true,
            ..w(Role::CityDepartment)
        },
        "FN" => claim::Who {
            finance: true,
            ..w(Role::CityDepartment)
        },
        "DF" => claim::Who {
            department: true,
            finance: true,
            ..w(Role::CityDepartment)
        },
        "DX" => w(Role::CityDepartment),
        "LE" => w(Role::Leader),
        "SY" => w(Role::SystemAdmin),
        "SE" => w(Role::SecurityAdmin),
        "AU" => w(Role::Auditor),
        _ => unreachable!("{col}"),
    }
}

fn claim_code(s: ClaimStatus) -> &'static str {
    match s {
        ClaimStatus::Draft => "D",
        ClaimStatus::Submitted => "S",
        ClaimStatus::CountyReviewed => "V",
        ClaimStatus::Approved => "P",
        ClaimStatus::Held => "H",
        ClaimStatus::Disbursed => "B",
        ClaimStatus::Rejected => "R",
    }
}

/// Columns: the claiming enterprise (+) and another one (-), the claim county's operator and
/// another county's, the same for leaders, city_admin, the responsible department (DP), the
/// finance bureau when it is not (FN) and when it is (DF) the responsible department, another
/// city department (DX), leader and the three roles of the separation of duties.
/// D draft, S submitted, V county_reviewed, P approved, H held, B disbursed, R rejected.
#[test]
fn claim_table() {
    use ClaimAction::*;
    use ClaimStatus::*;
    let cols = "EN+ EN- CO+ CO- CL+ CL- CA DP FN DF DX LE SY SE AU";
    #[rustfmt::skip]
    let table = [
        (Draft, Submit,            "S   F   S   F   F   F   S  F  F  F  F  F  F  F  F"),
        (Draft, Review,            "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (Draft, Approve,           "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Draft, Release,           "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (Draft, Disburse,          "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (Draft, Reject,            "F   F   X   F   X   F   X  X  X  X  F  F  F  F  F"),
        (Submitted, Submit,        "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (Submitted, Review,        "F   F   V   F   V   F   F  F  F  F  F  F  F  F  F"),
        (Submitted, Approve,       "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Submitted, Release,       "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (Submitted, Disburse,      "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (Submitted, Reject,        "F   F   R   F   R   F   R  X  X  X  F  F  F  F  F"),
        (CountyReviewed, Submit,   "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (CountyReviewed, Review,   "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (CountyReviewed, Approve,  "F   F   F   F   F   F   P  P  F  P  F  F  F  F  F"),
        (CountyReviewed, Release,  "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (CountyReviewed, Disburse, "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (CountyReviewed, Reject,   "F   F   X   F   X   F   R  R  X  R  F  F  F  F  F"),
        (Approved, Submit,         "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (Approved, Review,         "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (Approved, Approve,        "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Approved, Release,        "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (Approved, Disburse,       "F   F   F   F   F   F   F  F  B  B  F  F  F  F  F"),
        (Approved, Reject,         "F   F   X   F   X   F   R  R  R  R  F  F  F  F  F"),
        (Held, Submit,             "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (Held, Review,             "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (Held, Approve,            "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Held, Release,            "F   F   F   F   F   F   P  P  P  P  F  F  F  F  F"),
        (Held, Disburse,           "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (Held, Reject,             "F   F   X   F   X   F   R  R  X  R  F  F  F  F  F"),
        (Disbursed, Submit,        "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (Disbursed, Review,        "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (Disbursed, Approve,       "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Disbursed, Release,       "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (Disbursed, Disburse,      "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (Disbursed, Reject,        "F   F   X   F   X   F   X  X  X  X  F  F  F  F  F"),
        (Rejected, Submit,         "X   F   X   F   F   F   X  F  F  F  F  F  F  F  F"),
        (Rejected, Review,         "F   F   X   F   X   F   F  F  F  F  F  F  F  F  F"),
        (Rejected, Approve,        "F   F   F   F   F   F   X  X  F  X  F  F  F  F  F"),
        (Rejected, Release,        "F   F   F   F   F   F   X  X  X  X  F  F  F  F  F"),
        (Rejected, Disburse,       "F   F   F   F   F   F   F  F  X  X  F  F  F  F  F"),
        (Rejected, Reject,         "F   F   X   F   X   F   X  X  X  X  F  F  F  F  F"),
    ];
    assert_eq!(table.len(), ClaimStatus::ALL.len() * ClaimAction::ALL.len());
    for (from, action, want) in table {
        for (col, want) in cols.split_whitespace().zip(want.split_whitespace()) {
            let got = cell(claim::transition(from, action, claim_who(col)), claim_code);
            assert_eq!(got, want, "{from:?} {action:?} by {col}");
        }
    }
}

#[test]
fn claim_who_may_file_and_add_evidence() {
    let cols = [
        "EN+", "EN-", "CO+", "CO-", "CL+", "CL-", "CA", "DP", "FN", "DF", "DX", "LE", "SY", "SE", "AU",
    ];
    let file: Vec<_> = cols.into_iter().filter(|c| claim_who(c).may_file()).collect();
    assert_eq!(file, ["EN+", "CO+", "CA"]);
    let filers: Vec<_> = Role::ALL
        .into_iter()
        .filter(|r| claim::files_claims(*r))
        .collect();
    assert_eq!(filers, [Role::CityAdmin, Role::CountyOperator, Role::Enterprise]);
    let evidence: Vec<_> = cols
        .into_iter()
        .filter(|c| claim_who(c).may_add_evidence())
        .collect();
    assert_eq!(evidence, ["EN+", "CO+", "CL+", "CA"]);
    let takes: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.takes_evidence())
        .collect();
    assert_eq!(takes, [ClaimStatus::Draft, ClaimStatus::Submitted]);
    let open: Vec<_> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| s.code())
        .collect();
    assert_eq!(
        open,
        ["draft", "submitted", "county_reviewed", "approved", "held"]
    );
    assert_eq!(ClaimStatus::filed(true), ClaimStatus::Submitted);
    assert_eq!(ClaimStatus::filed(false), ClaimStatus::Draft);
}

#[test]
fn claim_queue_messages_and_budget() {
    use ClaimAction::*;
    use ClaimStatus::*;
    // The county operator may reject a submitted claim, but it waits for their review.
    assert_eq!(claim::allowed(Submitted, claim_who("CO+")), [Review, Reject]);
    assert!(claim::waits_for(Submitted, claim_who("CO+")));
    // city_admin may only reject a submitted claim: it does not wait for the city.
    assert_eq!(claim::allowed(Submitted, claim_who("CA")), [Reject]);
    assert!(!claim::waits_for(Submitted, claim_who("CA")));
    assert_eq!(claim::allowed(Held, claim_who("DF")), [Release, Reject]);
    assert_eq!(claim::allowed(Approved, claim_who("FN")), [Disburse, Reject]);
    assert!(claim::waits_for(Approved, claim_who("FN")));
    assert_eq!(
        claim::transition(Submitted, Approve, claim_who("CO+")),
        Err(Refusal::Forbidden(
            "县(市)填报员不能对该申请执行“审批通过”".into()
        ))
    );
    assert_eq!(
        claim::transition(Rejected, Approve, claim_who("DP")),
        Err(Refusal::Conflict("当前状态为“已驳回”,不能执行“审批通过”".into()))
    );
    assert_eq!(
        claim::check_reason(Reject, Some(" ")),
        Err(Refusal::Invalid("reason:驳回必须填写理由".into()))
    );
    assert!(claim::check_reason(Reject, None).is_err());
    assert_eq!(claim::check_reason(Reject, Some("材料不全")), Ok(()));
    assert_eq!(claim::check_reason(Approve, None), Ok(()));
    // Short of budget: an approval or a disbursement is held, a release is refused.
    assert_eq!(claim::after_budget(Approve, Approved, true, ""), Ok(Approved));
    assert_eq!(claim::after_budget(Disburse, Disbursed, true, ""), Ok(Disbursed));
    assert_eq!(claim::after_budget(Approve, Approved, false, "x"), Ok(Held));
    assert_eq!(claim::after_budget(Disburse, Disbursed, false, "x"), Ok(Held));
    assert_eq!(
        claim::after_budget(Release, Approved, false, "未设置预算"),
        Err(Refusal::Conflict("仍不能恢复:未设置预算".into()))
    );
    let pays: Vec<_> = ClaimAction::ALL.into_iter().filter(|a| a.pays()).collect();
    assert_eq!(pays, [Approve, Release, Disburse]);
}

#[test]
fn claim_text_forms() {
    let statuses = [
        (ClaimStatus::Draft, "draft", "草稿"),
        (ClaimStatus::Submitted, "submitted", "已提交,待县(市)审核"),
        (
            ClaimStatus::CountyReviewed,
            "county_reviewed",
            "县(市)已审核,待市直部门审批",
        ),
        (ClaimStatus::Approved, "approved", "已审批,待市财政局拨付"),
        (ClaimStatus::Held, "held", "预算不足,暂缓"),
        (ClaimStatus::Disbursed, "disbursed", "已拨付"),
        (ClaimStatus::Rejected, "rejected", "已驳回"),
    ];
    for (s, code, label) in statuses {
        assert_eq!((s.code(), s.label()), (code, label));
        assert_eq!(ClaimStatus::parse(code), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), code);
        assert_eq!(serde_json::from_value::<ClaimStatus>(code.into()).unwrap(), s);
    }
    let actions = [
        (ClaimAction::Submit, "submit", "提交"),
        (ClaimAction::Review, "review", "县(市)审核通过"),
        (ClaimAction::Approve, "approve", "审批通过"),
        (ClaimAction::Release, "release", "预算到位,恢复审批"),
        (ClaimAction::Disburse, "disburse", "确认拨付"),
        (ClaimAction::Reject, "reject", "驳回"),
    ];
    for (a, code, label) in actions {
        assert_eq!((a.code(), a.label()), (code, label));
        assert_eq!(ClaimAction::parse(code), Some(a));
        assert_eq!(serde_json::to_value(a).unwrap(), code);
    }
    assert_eq!(ClaimStatus::parse("paid"), None);
}
