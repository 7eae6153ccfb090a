//! Validation rules on a hand-made fixture; every expected finding is worked out below.
//! Runs on SQLite, and on PostgreSQL when CLUSTERDESK_TEST_PG names a server.
//!
//! The plan is the embedded one with its validation.yaml replaced by the rules of `RULES`, one
//! or two per kind. County 泊头 (130981), clusters C17, C18, C19; 1万元 = 1,000,000 fen.

use clusterdesk_domain::{Role, Uscc, uscc};
use clusterdesk_plan::{Plan, SourceFile};
use clusterdesk_store::registry::EnterpriseInput;
use clusterdesk_store::reporting::{Action, Status};
use clusterdesk_store::testsupport::{TempDir, fresh_db};
use clusterdesk_store::validation::{Finding, WarningComment};
use clusterdesk_store::values::Value;
use clusterdesk_store::{Actor, Store, StoreError};
use std::sync::Arc;

const WAN: i64 = 1_000_000;

const RULES: &str = r#"rules:
  - id: t_va
    dataset: cluster_monthly
    name: 增加值不大于营收
    importance: error
    clause: 四(四)
    kind: compare
    left: value_added
    operator: "<="
    right: revenue
    message: 工业增加值不应大于营业收入
  - id: t_tax
    dataset: cluster_monthly
    name: 税金不超过营收一成
    importance: warning
    clause: 四(四)
    kind: compare
    left: tax_paid
    operator: "<="
    right: 0.1 * revenue
    missing: zero
    message: 实缴税金超过营业收入的10%
  - id: t_ent
    dataset: cluster_monthly
    name: 企业之和不超过集群
    importance: error
    clause: 四(四)
    kind: compare
    left: sum(enterprise_monthly.revenue)
    operator: "<="
    right: revenue
    message: 企业营业收入之和超过集群营业收入
  - id: t_req
    dataset: cluster_monthly
    name: 必填
    importance: error
    clause: 四(四)
    kind: required
    indicators: [revenue, value_added]
    message: 必填
  - id: t_neg
    dataset: cluster_monthly
    name: 非负
    importance: error
    clause: 四(四)
    kind: non_negative
    indicators: [park_entries]
    message: 不得为负
  - id: t_cum
    dataset: cluster_monthly
    name: 累计
    importance: error
    clause: 四(四)
    kind: cumulative_monotonic
    indicators: [revenue]
    message: 累计数须完整
  - id: t_mom
    dataset: cluster_monthly
    name: 环比
    importance: warning
    clause: 四(四)
    kind: outlier
    indicator: revenue
    change: mom
    message: 环比异常
  - id: t_yoy
    dataset: cluster_monthly
    name: 同比
    importance: warning
    clause: 四(四)
    kind: outlier
    indicator: revenue
    change: yoy
    message: 同比异常
"#;

fn make_uscc(n: u32) -> String {
    let s = format!("91130981MA{n:07}");
    let c = uscc::check_char(s.as_bytes()).unwrap();
    format!("{s}{c}")
}

fn v(unit: &str, ind: &str, period: &str, n: i64) -> Value {
    Value {
        unit_code: unit.into(),
        indicator_code: ind.into(),
        period: period.into(),
        num_value: Some(n),
        text_value: None,
    }
}

fn plan() -> Arc<Plan> {
    let mut files = Plan::embedded_files();
    files.retain(|f| f.path != "validation.yaml");
    files.push(SourceFile {
        path: "validation.yaml".into(),
        text: RULES.into(),
    });
    Arc::new(Plan::from_files(files).unwrap())
}

async fn open() -> (Store, Option<TempDir>) {
    let (url, dir) = fresh_db().await;
    (Store::open(&url, plan()).await.unwrap(), dir)
}

/// Three enterprises: E1 and E2 in C17; E3 in C18 until 2025-03-01 (it has left by the end of
/// March, so its March revenue no longer counts for C18).
async fn enterprises(store: &Store) -> [String; 3] {
    let admin = Actor::system("test");
    let [e1, e2, e3] = [make_uscc(1), make_uscc(2), make_uscc(3)];
    let ent = |u: &str, cluster: &str| EnterpriseInput {
        uscc: Uscc::parse(u).unwrap(),
        name: format!("测试企业{}", &u[14..]),
        county_code: "130981".into(),
        industry: store.plan().cluster(cluster).unwrap().industries[0].clone(),
        cluster_code: Some(cluster.into()),
        cluster_since: Some("2020-01-01".into()),
        address: String::new(),
        contact: String::new(),
    };
    store
        .upsert_enterprises(
            &admin,
            &[ent(&e1, "C17"), ent(&e2, "C17"), ent(&e3, "C18")],
            false,
        )
        .await
        .unwrap()
        .unwrap();
    sqlx::query("UPDATE memberships SET valid_to = '2025-03-01' WHERE uscc = $1")
        .bind(&e3)
        .execute(store.pool())
        .await
        .unwrap();
    [e1, e2, e3]
}

fn keys(f: &[Finding]) -> Vec<(String, String, String, String)> {
    let mut k: Vec<_> = f
        .iter()
        .map(|f| {
            (
                f.rule_id.clone(),
                f.unit_code.clone(),
                f.indicator.clone(),
                f.importance.code().to_string(),
            )
        })
        .collect();
    k.sort();
    k
}

fn k(rule: &str, unit: &str, ind: &str, imp: &str) -> (String, String, String, String) {
    (rule.into(), unit.into(), ind.into(), imp.into())
}

#[tokio::test]
async fn compare_required_non_negative_cumulative_and_enterprise_sums() {
    let (store, _dir) = open().await;
    let [e1, e2, e3] = enterprises(&store).await;
    let admin = Actor::system("test");
    let vals = vec![
        // C17: revenue 100万 each month of 2025 Q1; value added 120万 in March > 100万 → t_va.
        // No tax: with missing = zero, 0 ≤ 0.1 × 100万 holds.
        v("C17", "revenue", "2025-01", 100 * WAN),
        v("C17", "revenue", "2025-02", 100 * WAN),
        v("C17", "revenue", "2025-03", 100 * WAN),
        v("C17", "value_added", "2025-03", 120 * WAN),
        // Enterprises of C17 in March: 70万 + 40万 = 110万 > 100万 → t_ent.
        v(&e1, "revenue", "2025-03", 70 * WAN),
        v(&e2, "revenue", "2025-03", 40 * WAN),
        // E3 left C18 on 2025-03-01: its 100万 would exceed C18's 50万, but does not count.
        v(&e3, "revenue", "2025-03", 100 * WAN),
        // C18: only March: tax 8万 > 0.1 × 50万 = 5万 → t_tax (warning); January and February
        // revenue missing → t_cum (gap); park entries −1 → t_neg.
        v("C18", "revenue", "2025-03", 50 * WAN),
        v("C18", "value_added", "2025-03", 10 * WAN),
        v("C18", "tax_paid", "2025-03", 8 * WAN),
        v("C18", "park_entries", "2025-03", -1),
        // C19: value added without revenue → t_req on revenue; t_va skips (revenue missing).
        v("C19", "value_added", "2025-03", 10 * WAN),
    ];
    store.upsert_values(&Actor::system("test"), &vals).await.unwrap();
    let f = store
        .validate(&admin, "cluster_monthly", "130981", "2025-03")
        .await
        .unwrap();
    assert_eq!(
        keys(&f),
        vec![
            k("t_cum", "C18", "revenue", "error"),
            k("t_ent", "C17", "revenue", "error"),
            k("t_neg", "C18", "park_entries", "error"),
            k("t_req", "C19", "revenue", "error"),
            k("t_tax", "C18", "tax_paid", "warning"),
            k("t_va", "C17", "value_added", "error"),
        ],
        "{f:#?}"
    );
    // Errors come first.
    assert!(f.last().unwrap().rule_id == "t_tax");
    let by = |id: &str| f.iter().find(|x| x.rule_id == id).unwrap();
    // Sides are shown as entered: money in 万元.
    assert_eq!(
        (by("t_va").left.as_str(), by("t_va").right.as_str()),
        ("120 万元", "100 万元")
    );
    assert_eq!(
        (by("t_ent").left.as_str(), by("t_ent").right.as_str()),
        ("110 万元", "100 万元")
    );
    assert_eq!(
        (by("t_tax").left.as_str(), by("t_tax").right.as_str()),
        ("8 万元", "5 万元")
    );
    assert_eq!(by("t_va").unit_name, "环保设备");
    assert!(
        by("t_cum")
            .message
            .contains("2025年1月、2025年2月尚未填报营业收入"),
        "{}",
        by("t_cum").message
    );
    assert!(by("t_neg").message.contains("-1"), "{}", by("t_neg").message);

    // The would-be state: an overlay that fixes C17's value added (90万 ≤ 100万) and gives C19
    // its revenue clears those two findings without writing anything.
    let overlay = [
        v("C17", "value_added", "2025-03", 90 * WAN),
        v("C19", "revenue", "2025-03", 20 * WAN),
    ];
    let f2 = store
        .validate_with(&admin, "cluster_monthly", "130981", "2025-03", &overlay)
        .await
        .unwrap();
    let ids: Vec<_> = keys(&f2).into_iter().map(|k| (k.0, k.1)).collect();
    assert!(!ids.contains(&("t_va".into(), "C17".into())), "{ids:?}");
    assert!(!ids.contains(&("t_req".into(), "C19".into())), "{ids:?}");
    // C19 now has March revenue but no January or February: the cumulative gap appears.
    assert!(ids.contains(&("t_cum".into(), "C19".into())), "{ids:?}");
    // The stored state is unchanged.
    assert_eq!(
        store
            .validate(&admin, "cluster_monthly", "130981", "2025-03")
            .await
            .unwrap(),
        f
    );

    // Another county's operator may not validate 泊头's data.
    let renqiu = Actor {
        role: Role::CountyOperator,
        org_code: "130982".into(),
        ..Actor::system("renqiu")
    };
    assert!(matches!(
        store
            .validate(&renqiu, "cluster_monthly", "130981", "2025-03")
            .await,
        Err(StoreError::Forbidden(_))
    ));
    // A quarter is not a period of a monthly data set.
    assert!(matches!(
        store
            .validate(&admin, "cluster_monthly", "130981", "2025Q1")
            .await,
        Err(StoreError::Invalid(_))
    ));
}

#[tokio::test]
async fn outliers_are_judged_against_the_same_month_of_earlier_years() {
    let (store, _dir) = open().await;
    let admin = Actor::system("test");
    let mut vals = Vec::new();
    // C17: January 100万 every year; February 60, 62, 58, 61万 in 2021–2024 (the Spring
    // Festival dip), value added present so t_req is satisfied.
    for (y, feb) in [(2021, 60), (2022, 62), (2023, 58), (2024, 61), (2025, 61)] {
        for (m, r) in [(1, 100), (2, feb)] {
            let p = format!("{y}-{m:02}");
            vals.push(v("C17", "revenue", &p, r * WAN));
            vals.push(v("C17", "value_added", &p, WAN));
        }
    }
    // C18: only 2024 and 2025 → one earlier February ratio, below the minimum of 3: skipped.
    for y in [2024, 2025] {
        vals.push(v("C18", "revenue", &format!("{y}-01"), 100 * WAN));
        vals.push(v(
            "C18",
            "revenue",
            &format!("{y}-02"),
            if y == 2025 { 300 } else { 60 } * WAN,
        ));
        vals.push(v("C18", "value_added", &format!("{y}-02"), WAN));
    }
    store.upsert_values(&Actor::system("test"), &vals).await.unwrap();
    let outliers = |f: Vec<Finding>| -> Vec<Finding> {
        f.into_iter()
            .filter(|f| f.rule_id == "t_mom" || f.rule_id == "t_yoy")
            .collect()
    };
    // 2025-02 = 61: Feb/Jan 0.61 against 0.60, 0.62, 0.58, 0.61 (median 0.605, MAD 0.01):
    // z = 0.6745 × 0.005 / 0.01 = 0.34. Year on year 61/61 = 1.0 against earlier yoy ratios
    // [1.0, 61/58, 1.0, 58/62, 1.0, 62/60, 1.0] whose median is 1.0: z = 0. Nothing flagged.
    let f = store
        .validate(&admin, "cluster_monthly", "130981", "2025-02")
        .await
        .unwrap();
    assert!(outliers(f).is_empty());
    // 2025-02 = 100万 (no dip): Feb/Jan 1.0 → z = 0.6745 × (1.0 − 0.605) / 0.01 = 26.64 → t_mom.
    // Year on year 100/61 = 1.639 (+63.9%) against median 1.0 → t_yoy. C18 is not judged.
    store
        .upsert_values(&admin, &[v("C17", "revenue", "2025-02", 100 * WAN)])
        .await
        .unwrap();
    let f = outliers(
        store
            .validate(&admin, "cluster_monthly", "130981", "2025-02")
            .await
            .unwrap(),
    );
    assert_eq!(
        keys(&f),
        vec![
            k("t_mom", "C17", "revenue", "warning"),
            k("t_yoy", "C17", "revenue", "warning")
        ]
    );
    let mom = f.iter().find(|x| x.rule_id == "t_mom").unwrap();
    assert_eq!(mom.left, "环比 +0.0%");
    assert_eq!(mom.right, "往年同期环比中位数 -39.5%");
    assert!(mom.message.contains("稳健标准分 26.6"), "{}", mom.message);
    let yoy = f.iter().find(|x| x.rule_id == "t_yoy").unwrap();
    assert_eq!(yoy.left, "同比 +63.9%");
}

#[tokio::test]
async fn submission_needs_no_errors_and_an_explanation_for_each_warning() {
    let (store, _dir) = open().await;
    let admin = Actor::system("test");
    let op = Actor {
        role: Role::CountyOperator,
        org_code: "130981".into(),
        ..Actor::system("botou")
    };
    let leader = Actor {
        role: Role::CountyLeader,
        org_code: "130981".into(),
        ..Actor::system("botou_leader")
    };
    // C17 in January: value added 120万 > revenue 100万 (t_va, error) and tax 20万 > 10万 (t_tax).
    store
        .upsert_values(
            &Actor::system("test"),
            &[
                v("C17", "revenue", "2025-01", 100 * WAN),
                v("C17", "value_added", "2025-01", 120 * WAN),
                v("C17", "tax_paid", "2025-01", 20 * WAN),
            ],
        )
        .await
        .unwrap();
    let submit = |c: Vec<WarningComment>| {
        let (store, op) = (store.clone(), op.clone());
        async move {
            store
                .transition_with_comments(
                    &op,
                    "cluster_monthly",
                    "130981",
                    "2025-01",
                    Action::Submit,
                    "",
                    &c,
                )
                .await
        }
    };
    let Err(StoreError::Invalid(m)) = submit(vec![]).await else {
        panic!("submitted with an error")
    };
    assert!(
        m.contains("1项校验错误须先改正") && m.contains("1项警告须逐项填写说明"),
        "{m}"
    );
    assert!(m.contains("工业增加值不应大于营业收入"), "{m}");
    // Fix the error; the warning still needs its explanation (a blank one does not count).
    store
        .upsert_values(&op, &[v("C17", "value_added", "2025-01", 30 * WAN)])
        .await
        .unwrap();
    let comment = |text: &str| WarningComment {
        rule_id: "t_tax".into(),
        unit_code: "C17".into(),
        indicator: "tax_paid".into(),
        comment: text.into(),
    };
    let Err(StoreError::Invalid(m)) = submit(vec![comment("  ")]).await else {
        panic!("submitted with an unexplained warning")
    };
    assert!(m.contains("1项警告须逐项填写说明") && !m.contains("错误"), "{m}");
    // Explained: submitted, and the explanation kept for this round.
    let s = submit(vec![comment("1月补缴2024年度企业所得税")]).await.unwrap();
    assert_eq!(s.status, Status::Submitted);
    let c = store
        .validation_comments(&leader, "cluster_monthly", "130981", "2025-01")
        .await
        .unwrap();
    assert_eq!(c.len(), 1);
    assert_eq!(
        (c[0].comment.as_str(), c[0].by.as_str(), Some(c[0].at.clone())),
        ("1月补缴2024年度企业所得税", "botou", s.submitted_at.clone())
    );
    // The plain transition (no explanations) is held to the same rules.
    store
        .transition(
            &leader,
            "cluster_monthly",
            "130981",
            "2025-01",
            Action::Return,
            "请核实税金",
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .transition(&op, "cluster_monthly", "130981", "2025-01", Action::Submit, "")
            .await,
        Err(StoreError::Invalid(_))
    ));
    // A second round keeps its own explanation beside the first.
    let s2 = submit(vec![comment("已核实:含补缴税款")]).await.unwrap();
    let c = store
        .validation_comments(&admin, "cluster_monthly", "130981", "2025-01")
        .await
        .unwrap();
    assert_eq!(c.len(), 2);
    assert_eq!(Some(c[1].at.clone()), s2.submitted_at);
}
