//! `clusterdesk user unlock / disable / enable`: what the security administrator runs, checked
//! against the database the server reads.

use crate::common;

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
        .login("botou", PASSWORD, None, &Client::default())
        .await
        .unwrap()
        .signed_in()
        .expect("signs in");
    assert!(store.session_actor(&session.token).await.unwrap().is_some());
    run_ok(&db, &["user", "disable", "botou"]);
    assert!(store.session_actor(&session.token).await.unwrap().is_none());
    assert!(
        store
            .login("botou", PASSWORD, None, &Client::default())
            .await
            .unwrap()
            .signed_in()
            .is_none()
    );
    run_ok(&db, &["user", "enable", "botou"]);
    assert!(
        store
            .login("botou", PASSWORD, None, &Client::default())
            .await
            .unwrap()
            .signed_in()
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

/// An administrator created on the command line gets its second factor at once, printed for
/// its holder: the secret the database holds, its app address and ten recovery codes; `user
/// totp` replaces them, and a sign-in then needs the new code.
#[tokio::test]
async fn an_administrator_is_created_with_a_second_factor_and_it_can_be_replaced() {
    let (store, db, _guard) = fixture_db().await;
    let mut add = common::bin();
    add.args([
        "--db",
        &db,
        "user",
        "add",
        "--username",
        "sec1",
        "--role",
        "security_admin",
        "--org",
        "130900",
        "--password-stdin",
    ]);
    let mut child = add
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let secret_of = |text: &str| -> String {
        let line = text.lines().find(|l| l.contains("密钥")).expect("a secret line");
        line.rsplit(':').next().unwrap().trim().to_string()
    };
    let secret = secret_of(&text);
    let stored: String = sqlx::query_scalar("SELECT totp_secret FROM users WHERE username = 'sec1'")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(secret, stored);
    assert_eq!(secret.len(), 32, "160 bits in base32");
    assert!(text.contains("otpauth://totp/"), "{text}");
    let codes = text.lines().find(|l| l.contains("恢复码")).unwrap();
    assert_eq!(codes.matches('-').count(), 10, "{codes}");

    // Without a code the password alone is not enough.
    let refused = store
        .login("sec1", PASSWORD, None, &Client::default())
        .await
        .unwrap();
    assert!(matches!(
        refused,
        clusterdesk_store::sessions::Login::SecondFactor(clusterdesk_store::second_factor::Needed::Missing)
    ));
    let out = run_ok(&db, &["user", "totp", "sec1"]);
    let new = secret_of(&String::from_utf8_lossy(&out.stdout));
    assert_ne!(new, secret);
    use clusterdesk_domain::totp;
    let step = totp::step_of(store.clock().now().timestamp());
    let old_code = totp::code_text(&totp::base32_decode(&secret).unwrap(), step);
    let new_code = totp::code_text(&totp::base32_decode(&new).unwrap(), step);
    if old_code != new_code {
        assert!(
            store
                .login("sec1", PASSWORD, Some(&old_code), &Client::default())
                .await
                .unwrap()
                .signed_in()
                .is_none()
        );
    }
    assert!(
        store
            .login("sec1", PASSWORD, Some(&new_code), &Client::default())
            .await
            .unwrap()
            .signed_in()
            .is_some()
    );
}
