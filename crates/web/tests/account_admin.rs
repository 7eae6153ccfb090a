//! 三员分立 in the web pages (issue 13 item 2): the security administrator creates accounts,
//! disables and enables them, unlocks, resets passwords and second factors and assigns roles,
//! each recorded in the audit trail, and may require a second factor of a whole organisation;
//! nobody else does, nor to their own account; the system
//! administrator has its own page; the first account made at setup is a security
//! administrator.

use crate::common;

use clusterdesk_domain::Role;
use clusterdesk_store::{Actor, StoreError};
use common::{PASSWORD, TestApp, spawn_app};
use serde_json::{Value, json};

/// The text between `id="<id>">` and the next `<`.
fn by_id(html: &str, id: &str) -> Option<String> {
    let key = format!("id=\"{id}\">");
    let i = html.find(&key)? + key.len();
    Some(html[i..i + html[i..].find('<')?].to_string())
}

async fn login(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.anonymous()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": username, "password": password, "totp": app.totp_code(username).await}))
        .send()
        .await
        .unwrap()
}

/// `action` (disable, unlock, assign …) on `user`'s account with the button on its page, as `c`:
/// the status and the page.
async fn on_account(
    app: &TestApp,
    c: &reqwest::Client,
    user: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let page = format!("/admin/users/{user}");
    app.post_form_as(c, &page, &format!("{page}/{action}"), fields)
        .await
}

/// An account made on the form of `/admin/users/new`, as `c`: the status and the page.
async fn create(app: &TestApp, c: &reqwest::Client, fields: &[(&str, &str)]) -> (u16, String) {
    app.post_form_as(c, "/admin/users/new", "/admin/users/new", fields)
        .await
}

/// Require a second factor of all of `org`'s accounts (`required` "1") or no longer ("0"), as
/// `c` on the form of the account list: the status and the page.
async fn second_factor(app: &TestApp, c: &reqwest::Client, org: &str, required: &str) -> (u16, String) {
    let fields = [("org", org), ("required", required)];
    app.post_form_as(c, "/admin/users", "/admin/orgs/second-factor", &fields)
        .await
}

async fn cast() -> TestApp {
    let app = spawn_app().await.with_cast().await;
    app.add_user("secadmin", Role::SecurityAdmin, "130900").await;
    app.add_user("sysadmin", Role::SystemAdmin, "130900").await;
    app.add_user("auditor", Role::Auditor, "130900").await;
    app
}

#[tokio::test]
async fn the_security_administrator_runs_accounts_in_the_pages() {
    let app = cast().await;
    let sec = app.client_for("secadmin").await;

    // The list: every account, its role and organisation by name.
    let (s, html) = app.get_as(&sec, "/admin/users").await;
    assert_eq!(s, 200);
    for want in [
        "botou",
        "县(市)填报员",
        "泊头市",
        "renqiu",
        "任丘市",
        "安全审计员",
    ] {
        assert!(html.contains(want), "{want}");
    }

    // A name with a direction override is refused on the form, and no account is made.
    let (s, html) = create(
        &app,
        &sec,
        &[
            ("username", "huanghua"),
            ("display_name", "黄骅\u{202E}员报填"),
            ("role", "county_operator"),
            ("org", "130983"),
            ("uscc", ""),
        ],
    )
    .await;
    assert!(html.contains("姓名含有文字方向控制字符 U+202E"), "{s} {html}");
    assert!(by_id(&html, "temp-password").is_none());

    // A county operator for 黄骅市: a temporary password, no second factor for that role.
    let (s, html) = create(
        &app,
        &sec,
        &[
            ("username", "huanghua"),
            ("display_name", "黄骅填报员"),
            ("role", "county_operator"),
            ("org", "130983"),
            ("uscc", ""),
        ],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let temp = by_id(&html, "temp-password").expect("the temporary password is shown");
    assert_eq!(temp.len(), 14, "{temp}");
    assert!(
        by_id(&html, "totp-secret").is_none(),
        "a county operator has no second factor"
    );
    let r = login(&app, "huanghua", &temp).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user"]["must_change_password"], true, "{v}");
    assert_eq!(v["user"]["org_code"], "130983");

    // The bureau's role signs in with two factors: the secret and ten codes are shown once.
    let (s, html) = create(
        &app,
        &sec,
        &[("username", "bureau2"), ("role", "city_admin"), ("org", "130900")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    let secret: String = sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = 'bureau2'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(by_id(&html, "totp-secret").as_deref(), Some(secret.as_str()));
    let codes = &html[html.find("class=\"codes\"").unwrap()..];
    let codes = &codes[..codes.find("</ol>").unwrap()];
    assert_eq!(codes.matches("<li>").count(), 10, "ten recovery codes");

    // Refusals beside the form, nothing created.
    for (fields, want) in [
        (
            vec![("username", "x1"), ("role", "county_operator"), ("org", "KJJ")],
            "应为县(市)行政区划代码",
        ),
        (
            vec![
                ("username", "botou"),
                ("role", "county_operator"),
                ("org", "130981"),
            ],
            "已存在",
        ),
        (
            vec![("username", "x2"), ("role", "enterprise"), ("org", "")],
            "统一社会信用代码",
        ),
        (
            vec![("username", "x3"), ("role", ""), ("org", "130900")],
            "请选择角色",
        ),
        (
            vec![("username", "x 4"), ("role", "leader"), ("org", "130900")],
            "用户名只能由",
        ),
    ] {
        let (s, html) = create(&app, &sec, &fields).await;
        assert_eq!(s, 422, "{fields:?}");
        assert!(html.contains(want), "{fields:?}: {want}");
    }
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE username IN ('x1', 'x2', 'x3', 'x 4')")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 0);

    // Disable: the open session ends at once and the password no longer opens one.
    let botou = app.client_for("botou").await;
    let (s, html) = on_account(&app, &sec, "botou", "disable", &[]).await;
    assert_eq!(s, 200);
    assert!(html.contains("账户已停用"), "{html}");
    assert_eq!(by_id(&html, "account-state").as_deref(), Some("已停用"));
    assert_eq!(app.get_as(&botou, "/api/v1/me").await.0, 401);
    assert_eq!(login(&app, "botou", PASSWORD).await.status(), 401);
    let (s, _) = on_account(&app, &sec, "botou", "enable", &[]).await;
    assert_eq!(s, 200);
    assert_eq!(login(&app, "botou", PASSWORD).await.status(), 200);

    // Unlock: five wrong passwords lock 任丘's operator out; the administrator lifts it.
    for _ in 0..5 {
        login(&app, "renqiu", "Wrong-Password-1").await;
    }
    assert_eq!(login(&app, "renqiu", PASSWORD).await.status(), 429);
    let (_, html) = app.get_as(&sec, "/admin/users/renqiu").await;
    assert!(html.contains("5次"), "the failures are shown: {html}");
    let (s, html) = on_account(&app, &sec, "renqiu", "unlock", &[]).await;
    assert_eq!(s, 200);
    assert!(html.contains("已解除锁定"), "{html}");
    assert_eq!(login(&app, "renqiu", PASSWORD).await.status(), 200);

    // Reset: the old password stops working, the temporary one must be changed.
    let (s, html) = on_account(&app, &sec, "botou", "reset-password", &[]).await;
    assert_eq!(s, 200);
    let temp = by_id(&html, "temp-password").expect("shown once");
    assert_eq!(login(&app, "botou", PASSWORD).await.status(), 401);
    let v: Value = login(&app, "botou", &temp).await.json().await.unwrap();
    assert_eq!(v["user"]["must_change_password"], true);

    // Assign: 任丘's operator becomes its leader; the session ends, the new role holds.
    let renqiu = app.client_for("renqiu").await;
    let (s, html) = on_account(
        &app,
        &sec,
        "renqiu",
        "assign",
        &[("role", "county_leader"), ("org", "130982"), ("uscc", "")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("已改为县(市)审核领导(任丘市)"), "{html}");
    assert_eq!(app.get_as(&renqiu, "/api/v1/me").await.0, 401);
    let v: Value = login(&app, "renqiu", PASSWORD).await.json().await.unwrap();
    assert_eq!(v["user"]["role"], "county_leader");
    // To the bureau's role: two factors, so a secret is handed over.
    let (s, html) = on_account(
        &app,
        &sec,
        "renqiu",
        "assign",
        &[("role", "city_admin"), ("org", "130900")],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(by_id(&html, "totp-secret").is_some(), "{html}");
    assert_eq!(
        login(&app, "renqiu", PASSWORD).await.status(),
        200,
        "with the new code"
    );

    // Not its own account.
    let (s, _) = on_account(&app, &sec, "secadmin", "disable", &[]).await;
    assert_eq!(s, 403);
    let (_, html) = app.get_as(&sec, "/admin/users/secadmin").await;
    assert!(html.contains("不能更改自己的账户"), "{html}");
    assert!(
        !html.contains("/admin/users/secadmin/disable"),
        "no buttons on one's own account"
    );
    assert_eq!(login(&app, "secadmin", PASSWORD).await.status(), 200);

    // Each step is in the audit trail under the administrator's name.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action || ':' || target FROM audit_log WHERE actor = 'secadmin' AND action LIKE 'user_%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    for want in [
        "user_create:huanghua",
        "user_create:bureau2",
        "user_disable:botou",
        "user_enable:botou",
        "user_unlock:renqiu",
        "user_reset_password:botou",
        "user_assign:renqiu",
    ] {
        assert!(actions.iter().any(|a| a == want), "{want} in {actions:?}");
    }
    assert_eq!(actions.iter().filter(|a| a.starts_with("user_assign")).count(), 2);
}

#[tokio::test]
async fn nobody_else_manages_accounts() {
    let app = cast().await;
    for user in ["admin", "sysadmin", "auditor", "botou"] {
        let c = app.client_for(user).await;
        let (s, _) = app.get_as(&c, "/admin/users").await;
        assert_eq!(s, 403, "{user} reads the account list");
        let r = c
            .post(app.url("/admin/users/new"))
            .form(&[("username", "sneak"), ("role", "city_admin"), ("org", "130900")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{user} creates an account");
    }
    // The store refuses too, whatever the caller: a program going around the pages.
    for role in [
        Role::CityAdmin,
        Role::SystemAdmin,
        Role::Auditor,
        Role::CountyOperator,
    ] {
        let by = Actor {
            user_id: 1,
            username: "someone".into(),
            display_name: "someone".into(),
            role,
            org_code: "130900".into(),
            must_change_password: false,
        };
        let s = &app.store;
        let refused = |r: Result<(), StoreError>, what: &str| {
            assert!(
                matches!(r, Err(StoreError::Forbidden(_))),
                "{role:?} {what}: {r:?}"
            );
        };
        refused(
            s.create_account(&by, "sneak", "", Role::CityAdmin, "130900")
                .await
                .map(|_| ()),
            "create",
        );
        refused(s.set_user_disabled(&by, "botou", true).await, "disable");
        refused(s.unlock_user(&by, "botou").await.map(|_| ()), "unlock");
        refused(s.reset_password(&by, "botou").await.map(|_| ()), "reset");
        refused(
            s.enrol_totp(&by, "botou", None).await.map(|_| ()),
            "second factor",
        );
        refused(
            s.assign_role(&by, "botou", Role::CityAdmin, "130900")
                .await
                .map(|_| ()),
            "assign",
        );
    }
    assert_eq!(
        login(&app, "botou", PASSWORD).await.status(),
        200,
        "botou untouched"
    );
}

#[tokio::test]
async fn each_administrator_starts_at_its_own_work() {
    let app = cast().await;
    for (user, home) in [
        ("secadmin", "/admin/users"),
        ("sysadmin", "/admin/system"),
        ("auditor", "/audit"),
    ] {
        let c = app.client_for(user).await;
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.headers()["location"], home, "{user}");
    }
    let sys = app.client_for("sysadmin").await;
    let (s, html) = app.get_as(&sys, "/admin/system").await;
    assert_eq!(s, 200);
    assert!(html.contains("SQLite") || html.contains("PostgreSQL"), "{html}");
    // The counts, not the rows: six accounts were made above.
    assert!(html.contains("<td>账户</td><td class=\"num\">6</td>"), "{html}");
    assert!(html.contains("30分钟"), "the idle timeout: {html}");
    for user in ["admin", "secadmin", "auditor"] {
        let c = app.client_for(user).await;
        assert_eq!(app.get_as(&c, "/admin/system").await.0, 403, "{user}");
    }
}

/// A second factor required per organisation (issue 13 item 4): once 泊头 requires it, its
/// accounts without a secret lose their sessions and are refused at sign-in until the
/// security administrator gives each one; 任丘's accounts are untouched; lifting it lets an
/// account without a secret in on its password again. Only the security administrator sets
/// it, only for the city, a county or a department, and each step is audited.
#[tokio::test]
async fn an_organisation_can_require_two_factors_of_all_its_accounts() {
    let app = cast().await;
    app.add_user("botou_leader", Role::CountyLeader, "130981").await;
    let botou = app.client_for("botou").await;
    let sec = app.client_for("secadmin").await;
    let (s, html) = second_factor(&app, &sec, "130981", "1").await;
    assert_eq!(s, 200, "{html}");
    assert!(
        html.contains("已要求泊头市的全部账户使用动态口令登录;尚未设置的账户结束了1个会话"),
        "{html}"
    );
    assert!(html.contains("未设置(所属单位要求设置,设置前不能登录)"), "{html}");
    assert_eq!(
        app.get_as(&botou, "/api/v1/me").await.0,
        401,
        "a session opened with one factor ends"
    );
    for user in ["botou", "botou_leader"] {
        let r = login(&app, user, PASSWORD).await;
        assert_eq!(r.status(), 401);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "second_factor_not_enrolled", "{v}");
        assert!(
            v["error"]["message"].as_str().unwrap().contains("用户账户"),
            "{v}"
        );
    }
    assert_eq!(login(&app, "renqiu", PASSWORD).await.status(), 200);

    // The administrator gives botou a secret; then botou signs in with a code, not without.
    let (s, html) = on_account(&app, &sec, "botou", "second-factor", &[]).await;
    assert_eq!(s, 200, "{html}");
    assert!(by_id(&html, "totp-secret").is_some(), "{html}");
    assert_eq!(login(&app, "botou", PASSWORD).await.status(), 200);
    let r = app
        .anonymous()
        .post(app.url("/api/v1/login"))
        .json(&json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // A new 泊头 account is created with a secret to hand over.
    let (s, html) = create(
        &app,
        &sec,
        &[
            ("username", "botou2"),
            ("display_name", "泊头二"),
            ("role", "county_operator"),
            ("org", "130981"),
        ],
    )
    .await;
    assert_eq!(s, 200, "{html}");
    assert!(by_id(&html, "totp-secret").is_some(), "{html}");

    // Lifted: the leader, without a secret, signs in on the password; botou keeps its code.
    let (s, html) = second_factor(&app, &sec, "130981", "0").await;
    assert_eq!(s, 200, "{html}");
    assert!(html.contains("已取消对泊头市的要求"), "{html}");
    assert_eq!(login(&app, "botou_leader", PASSWORD).await.status(), 200);

    // Not an enterprise or an unknown code; not anyone but the security administrator.
    let (s, html) = second_factor(&app, &sec, "130999", "1").await;
    assert_eq!(s, 422, "{html}");
    assert!(
        html.contains("单位代码“130999”不是本市、县(市)或市直部门"),
        "{html}"
    );
    let admin = app.client_for("admin").await;
    let (s, _) = app
        .post_form_as(
            &admin,
            "/",
            "/admin/orgs/second-factor",
            &[("org", "130982"), ("required", "1")],
        )
        .await;
    assert_eq!(s, 403);
    let err = app
        .store
        .set_org_second_factor(
            &Actor {
                user_id: 1,
                username: "admin".into(),
                display_name: "admin".into(),
                role: Role::CityAdmin,
                org_code: "130900".into(),
                must_change_password: false,
            },
            "130982",
            true,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Forbidden(_)), "{err:?}");
    assert!(
        app.store
            .org_second_factor_requirements()
            .await
            .unwrap()
            .is_empty()
    );

    let trail: Vec<String> = sqlx::query_scalar(
        "SELECT action || ':' || target || ':' || detail FROM audit_log WHERE action LIKE 'org_second_factor%' ORDER BY seq",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(
        trail,
        [
            "org_second_factor_on:130981:{\"sessions_ended\":1}",
            "org_second_factor_off:130981:{\"sessions_ended\":0}"
        ]
    );
}

/// Two security administrators requiring it of 泊头 at the same moment: both are told it is
/// required, it is recorded once, and no request fails.
#[tokio::test]
async fn two_requirements_at_once_are_one() {
    let app = cast().await;
    app.add_user("secadmin2", Role::SecurityAdmin, "130900").await;
    let mut forms = Vec::new();
    for who in ["secadmin", "secadmin2"] {
        let c = app.client_for(who).await;
        let csrf = app.csrf_as(&c, "/admin/users").await;
        forms.push((c, csrf));
    }
    let send = |(c, csrf): &(reqwest::Client, String)| {
        c.post(app.url("/admin/orgs/second-factor"))
            .form(&[("csrf", csrf.as_str()), ("org", "130981"), ("required", "1")])
            .send()
    };
    let (a, b) = tokio::join!(send(&forms[0]), send(&forms[1]));
    assert_eq!(
        (a.unwrap().status().as_u16(), b.unwrap().status().as_u16()),
        (200, 200)
    );
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'org_second_factor_on'")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(app.store.org_second_factor_requirements().await.unwrap().len(), 1);
}
