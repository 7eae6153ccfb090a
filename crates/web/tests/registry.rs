//! The feature registry seen from outside: the menu each role sees, the OpenAPI document, and
//! the access rule of the routes, over the real server with the demo accounts.

use crate::common;

use clusterdesk_domain::Period;
use clusterdesk_store::demo::{DemoOptions, generate};
use common::{PASSWORD, TestApp, spawn_app};
use std::collections::BTreeSet;

/// A server over a small demo city (its twelve accounts, one per role and more).
async fn demo_app() -> TestApp {
    let app = spawn_app().await;
    generate(
        &app.store,
        &DemoOptions {
            enterprises: 120,
            from: Period::parse("2026-01").unwrap(),
            to: Period::parse("2026-11").unwrap(),
            seed: 11,
            password: PASSWORD.into(),
            totp_secret: None,
        },
    )
    .await
    .expect("demo data");
    app
}

/// The menu of a page: (href, label) of each link in the side navigation.
fn menu(html: &str) -> Vec<(String, String)> {
    let start = html.find("<nav class=\"side\"").expect("a side navigation");
    let end = start + html[start..].find("</nav>").expect("nav closes");
    let mut out = Vec::new();
    let mut rest = &html[start..end];
    while let Some(i) = rest.find("<a href=\"") {
        rest = &rest[i + 9..];
        let href = &rest[..rest.find('"').unwrap()];
        let text_start = rest.find('>').unwrap() + 1;
        let text_end = text_start + rest[text_start..].find(['<']).unwrap();
        out.push((href.to_string(), rest[text_start..text_end].to_string()));
    }
    out
}

#[tokio::test]
async fn each_role_sees_its_menu() {
    let app = demo_app().await;
    // Written from the menu of each role as it was before the registry (ui::Layout::new).
    let expected: [(&str, &[&str]); 12] = [
        (
            "admin",
            &[
                "/ 首页",
                "/progress 目标进度",
                "/reporting 数据填报",
                "/reporting/status 报送情况",
                "/reporting/overdue 逾期催报",
                "/clusters/metrics 集群分析",
                "/assessment 考核排名",
                "/enterprises 企业名录",
                "/enterprises/new 新增企业",
                "/enterprises/import 批量导入",
                "/policies 政策目录",
                "/policies/calc 政策计算器",
                "/claims 申报审批",
                "/scan 免申即享",
                "/ledger 资金台账",
                "/budgets 预算",
                "/account/password 修改密码",
            ],
        ),
        ("gxj", CITY_DEPARTMENT),
        ("kjj", CITY_DEPARTMENT),
        ("czj", CITY_DEPARTMENT),
        (
            "leader",
            &[
                "/ 首页",
                "/progress 目标进度",
                "/clusters/metrics 集群分析",
                "/assessment 考核排名",
                "/enterprises 企业名录",
                "/policies 政策目录",
                "/policies/calc 政策计算器",
                "/ledger 资金台账",
                "/budgets 预算",
                "/account/password 修改密码",
            ],
        ),
        ("botou", COUNTY_OPERATOR),
        ("renqiu", COUNTY_OPERATOR),
        (
            "botou_leader",
            &[
                "/ 首页",
                "/reporting/inbox 催报提醒",
                "/progress 目标进度",
                "/reporting 数据填报",
                "/reporting/status 报送情况",
                "/clusters/metrics 集群分析",
                "/assessment 考核排名",
                "/enterprises 企业名录",
                "/policies 政策目录",
                "/policies/calc 政策计算器",
                "/claims 申报审核",
                "/scan 免申即享",
                "/ledger 资金台账",
                "/account/password 修改密码",
            ],
        ),
        (
            "qiye",
            &[
                "/ 首页",
                "/reporting/inbox 催报提醒",
                "/enterprises 本企业",
                "/policies 政策目录",
                "/policies/calc 政策计算器",
                "/claims 我的申报",
                "/claims/new 新建申报",
                "/scan 免申即享",
                "/ledger 资金台账",
                "/account/password 修改密码",
            ],
        ),
        (
            "sysadmin",
            &["/ 首页", "/admin/system 系统运行", "/account/password 修改密码"],
        ),
        (
            "secadmin",
            &["/ 首页", "/admin/users 用户账户", "/account/password 修改密码"],
        ),
        (
            "auditor",
            &["/ 首页", "/audit 审计日志", "/account/password 修改密码"],
        ),
    ];
    for (user, items) in expected {
        let c = app.client_for(user).await;
        let r = c.get(app.url("/account/password")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{user}");
        let got: Vec<String> = menu(&r.text().await.unwrap())
            .into_iter()
            .map(|(href, label)| format!("{href} {label}"))
            .collect();
        assert_eq!(got, items, "the menu of {user}");
    }
}

const CITY_DEPARTMENT: &[&str] = &[
    "/ 首页",
    "/progress 目标进度",
    "/clusters/metrics 集群分析",
    "/assessment 考核排名",
    "/enterprises 企业名录",
    "/policies 政策目录",
    "/policies/calc 政策计算器",
    "/claims 申报审批",
    "/scan 免申即享",
    "/ledger 资金台账",
    "/budgets 预算",
    "/account/password 修改密码",
];

const COUNTY_OPERATOR: &[&str] = &[
    "/ 首页",
    "/reporting/inbox 催报提醒",
    "/progress 目标进度",
    "/reporting 数据填报",
    "/reporting/status 报送情况",
    "/clusters/metrics 集群分析",
    "/assessment 考核排名",
    "/enterprises 企业名录",
    "/enterprises/new 新增企业",
    "/enterprises/import 批量导入",
    "/policies 政策目录",
    "/policies/calc 政策计算器",
    "/claims 申报审核",
    "/claims/new 代企业申报",
    "/scan 免申即享",
    "/ledger 资金台账",
    "/account/password 修改密码",
];

/// The 46 operations of the API, from the `#[utoipa::path]` of each handler.
const OPERATIONS: &[&str] = &[
    "delete /api/v1/account/sessions/{id}",
    "get /api/v1/account/sessions",
    "get /api/v1/assessment",
    "get /api/v1/assessment/above-scale-targets",
    "get /api/v1/assessment/{year}/transfer",
    "get /api/v1/budgets",
    "get /api/v1/claims",
    "get /api/v1/claims/{id}",
    "get /api/v1/claims/{id}/evidence/{evidence}",
    "get /api/v1/cluster-metrics",
    "get /api/v1/clusters",
    "get /api/v1/clusters/{code}",
    "get /api/v1/counties",
    "get /api/v1/datasets",
    "get /api/v1/enterprises",
    "get /api/v1/enterprises/{uscc}",
    "get /api/v1/inbox",
    "get /api/v1/ledger",
    "get /api/v1/me",
    "get /api/v1/policies",
    "get /api/v1/progress",
    "get /api/v1/progress/targets/{target}",
    "get /api/v1/reporting/compare",
    "get /api/v1/reporting/overdue",
    "get /api/v1/reporting/reminders",
    "get /api/v1/reporting/revisions",
    "get /api/v1/scan",
    "get /api/v1/submissions/{dataset}/{county}/{period}",
    "get /api/v1/submissions/{dataset}/{county}/{period}/validation",
    "get /api/v1/values",
    "post /api/v1/account/password",
    "post /api/v1/assessment/{year}/transfer",
    "post /api/v1/assessment/{year}/transfer/revoke",
    "post /api/v1/claims",
    "post /api/v1/claims/{id}/evidence",
    "post /api/v1/claims/{id}/{action}",
    "post /api/v1/datasets/{code}/values",
    "post /api/v1/enterprises",
    "post /api/v1/enterprises/{uscc}/qualifications",
    "post /api/v1/inbox/read",
    "post /api/v1/login",
    "post /api/v1/logout",
    "post /api/v1/policies/calc",
    "post /api/v1/reporting/reminders",
    "post /api/v1/submissions/{dataset}/{county}/{period}",
    "put /api/v1/assessment/above-scale-targets",
    "put /api/v1/budgets",
    "put /api/v1/progress/milestones",
];

/// The schemas of the document: the ones its operations use, the error body, and the rest
/// the hand-written document listed before the registry.
const SCHEMAS: &[&str] = &[
    "AboveScaleEvent",
    "AboveScaleRow",
    "AboveScaleTarget",
    "AboveScaleTargets",
    "ActionIn",
    "AssessmentReport",
    "BudgetIn",
    "BudgetRow",
    "ClaimDetail",
    "ClaimEvent",
    "ClaimIn",
    "ClaimRow",
    "ClusterMetrics",
    "ClusterMetricsReport",
    "ClusterRow",
    "CompareOut",
    "Contributor",
    "CountyResult",
    "CountyRow",
    "CountyShare",
    "DatasetInfo",
    "DiffRow",
    "EnterpriseDetail",
    "EnterpriseIn",
    "EnterprisePage",
    "EnterpriseRow",
    "ErrorBody",
    "ErrorDetail",
    "EvidenceInfo",
    "FinalizedRow",
    "FinalizedTransfer",
    "Finding",
    "ForecastOut",
    "InboxItem",
    "IndicatorInfo",
    "IndicatorValue",
    "ItemKind",
    "LedgerRow",
    "LoginRequest",
    "LoginResponse",
    "Me",
    "Membership",
    "MilestoneEdit",
    "MilestonesIn",
    "Overdue",
    "ParkEntryTransfer",
    "PasswordChange",
    "PhaseStep",
    "PolicyOut",
    "ProgressReport",
    "Provenance",
    "ProvenanceRow",
    "Qualification",
    "QualificationIn",
    "QuotaProgress",
    "QuotaUnit",
    "ReadIn",
    "ReadOut",
    "RefusedOut",
    "RemindIn",
    "Reminder",
    "RevisionInfo",
    "RevokeIn",
    "RowIn",
    "ScanReport",
    "ScanRow",
    "SeriesPoint",
    "StoredComment",
    "SubmissionOut",
    "Target",
    "TargetDetail",
    "TargetProgress",
    "TargetsIn",
    "TransferDecision",
    "TransferRevocation",
    "TransferRow",
    "TransferStatus",
    "SessionInfo",
    "TransitionIn",
    "UserInfo",
    "ValidationOut",
    "ValueChange",
    "ValuesIn",
    "ValuesOut",
    "ValuesRefused",
    "WarningComment",
    "WriteSummary",
    "YearToDate",
];

#[tokio::test]
async fn the_openapi_document_keeps_every_operation_and_schema() {
    let app = demo_app().await;
    let c = app.client_for("admin").await;
    let (_, doc) = app.json_as(&c, "/api/v1/openapi.json").await;
    let mut ops = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete", "patch"].contains(&method.as_str()) {
                ops.insert(format!("{method} {path}"));
            }
        }
    }
    let want: BTreeSet<String> = OPERATIONS.iter().map(|s| s.to_string()).collect();
    assert_eq!(ops, want);
    let schemas: BTreeSet<&str> = doc["components"]["schemas"]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    let want: BTreeSet<&str> = SCHEMAS.iter().copied().collect();
    assert_eq!(schemas, want);
    assert_eq!(doc["info"]["title"], "clusterdesk API");
    if let Ok(path) = std::env::var("CLUSTERDESK_DUMP_OPENAPI") {
        std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    }
}

#[tokio::test]
async fn an_unknown_api_route_answers_json_and_an_unknown_page_a_bare_404() {
    let app = spawn_app().await;
    let c = app.anonymous();
    let (s, body) = app.json_as(&c, "/api/v1/nowhere").await;
    assert_eq!(s, 404);
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(app.get_as(&c, "/nowhere").await.0, 404);
}
