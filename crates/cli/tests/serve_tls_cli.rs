//! `clusterdesk serve --tls-cert --tls-key`: both or neither, a bad file is named before
//! anything starts, and a good pair starts an https:// server.

use crate::common;

use common::{bin, fixture_db};
use std::io::{BufRead, BufReader};
use std::process::Stdio;

fn temp_dir() -> (std::path::PathBuf, clusterdesk_store::testsupport::TempDir) {
    let dir = std::env::temp_dir().join(clusterdesk_store::testsupport::unique("cdtlscli"));
    std::fs::create_dir_all(&dir).unwrap();
    (dir.clone(), clusterdesk_store::testsupport::TempDir::folder(dir))
}

#[test]
fn a_missing_certificate_is_named_and_nothing_starts() {
    let (dir, _guard) = temp_dir();
    let db = dir.join("never.db");
    let out = bin()
        .current_dir(&dir)
        .arg("--db")
        .arg(&db)
        .args(["serve", "--bind", "127.0.0.1:0"])
        .args(["--tls-cert", "nonexistent.pem", "--tls-key", "x.pem"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("nonexistent.pem"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        !db.exists(),
        "the database is not created for a server that cannot start"
    );
}

#[test]
fn a_certificate_without_its_key_is_refused() {
    for args in [["--tls-cert", "cert.pem"], ["--tls-key", "key.pem"]] {
        let out = bin()
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        let other = if args[0] == "--tls-cert" {
            "--tls-key"
        } else {
            "--tls-cert"
        };
        assert!(err.contains(other), "{args:?}: {err}");
    }
}

#[tokio::test]
async fn with_a_certificate_the_server_prints_its_https_address() {
    let (_store, db, _db_guard) = fixture_db().await;
    let (dir, _guard) = temp_dir();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let mut child = bin()
        .args(["--db", &db, "serve", "--bind", "127.0.0.1:0", "--tls-cert"])
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let setup = lines
        .by_ref()
        .map(Result::unwrap)
        .find(|l| l.starts_with("首次使用"))
        .unwrap_or_default();
    child.kill().unwrap();
    child.wait().unwrap();
    let port = first
        .strip_prefix("clusterdesk 已启动:https://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{first}"));
    assert!(port.parse::<u16>().is_ok_and(|p| p > 0), "{first}");
    assert!(
        setup.contains(&format!("https://127.0.0.1:{port}/setup")),
        "{setup}"
    );
}
