//! `clusterdesk user unlock / disable / enable`: what the security administrator runs, checked
//! against the database the server reads.

mod common;

use clusterdesk_domain::lockout::Limits;
use clusterdesk_store::sessions::Client;
use common::{fixture_db, run_ok};

const PASSWORD: &str = "Test-Password-2026!";

#[tokio::test]
async fn unlock_lifts_every_address_and_disable_ends_the_sessions() {
    let (store, db, _guard) = fixture_db().await;
    let mut add = common::bin();
    add.args([
        "--db",
        &db,
        "user",
        "add",
        "--username",
        "botou",
        "--role",
        "county_operator",
        "--org",
        "130981",
        "--password-stdin",
    ]);
    let mut child = add.stdin(std::process::Stdio::piped()).spawn().unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success());

    let limits = Limits::default();
    for addr in ["10.0.0.1", "10.0.0.2"] {
        for _ in 0..5 {
            store.record_login_failure("botou", addr, &limits).await.unwrap();
        }
    }
    let before = store.login_failures("botou", "10.0.0.1", &limits).await.unwrap();
    assert_eq!((before.pair, before.user), (5, 10));
    let out = run_ok(&db, &["user", "unlock", "botou"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "已解除用户 botou 的登录锁定(2 个来源地址)"
    );
    let after = store.login_failures("botou", "10.0.0.1", &limits).await.unwrap();
    assert_eq!((after.pair, after.user), (0, 0));
    let out = run_ok(&db, &["user", "unlock", "botou"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "用户 botou 没有登录锁定"
    );

    let (_, session) = store
        .login("botou", PASSWORD, &Client::default())
        .await
        .unwrap()
        .expect("signs in");
    assert!(store.session_actor(&session.token).await.unwrap().is_some());
    run_ok(&db, &["user", "disable", "botou"]);
    assert!(store.session_actor(&session.token).await.unwrap().is_none());
    assert!(
        store
            .login("botou", PASSWORD, &Client::default())
            .await
            .unwrap()
            .is_none()
    );
    run_ok(&db, &["user", "enable", "botou"]);
    assert!(
        store
            .login("botou", PASSWORD, &Client::default())
            .await
            .unwrap()
            .is_some()
    );

    let out = common::bin()
        .args(["--db", &db, "user", "disable", "nobody"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nobody"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
