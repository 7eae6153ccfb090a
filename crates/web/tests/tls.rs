//! Built-in TLS (`serve --tls-cert --tls-key`) over real connections: the server speaks HTTPS
//! only, every request counts as HTTPS (`Secure` cookie, HSTS), plain HTTP is unchanged, and a
//! bad certificate or key is refused naming the file.

use crate::common;

use clusterdesk_domain::Role;
use clusterdesk_web::tls;
use common::{PASSWORD, TestApp, self_signed, spawn_app, spawn_tls_app};
use std::path::Path;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn login(app: &TestApp) -> reqwest::Response {
    app.anonymous()
        .post(app.url("/api/v1/login"))
        .json(&serde_json::json!({"username": "botou", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn over_tls_the_health_check_answers_and_hsts_is_sent() {
    let (app, _certs) = spawn_tls_app().await;
    assert!(app.addr.starts_with("https://127.0.0.1:"), "{}", app.addr);
    let r = app.anonymous().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    assert_eq!(r.text().await.unwrap(), "ok");
}

#[tokio::test]
async fn over_tls_the_session_cookie_is_secure() {
    let (app, _certs) = spawn_tls_app().await;
    app.add_user("botou", Role::CountyOperator, "130981").await;
    let r = login(&app).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.ends_with("; Secure"),
        "{cookie}"
    );
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // The browser sends the `Secure` cookie back over HTTPS: the session works.
    let c = app.client_for("botou").await;
    let me = c.get(app.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(me.status(), 200);
    assert_eq!(me.headers()["strict-transport-security"], "max-age=31536000");
}

#[tokio::test]
async fn plain_http_to_the_tls_port_gets_no_page() {
    let (app, _certs) = spawn_tls_app().await;
    let host = app.addr.trim_start_matches("https://").to_string();
    // A program speaking HTTP to the port.
    let r = reqwest::Client::new()
        .get(format!("http://{host}/healthz"))
        .send()
        .await;
    assert!(
        r.as_ref().is_err() || !r.as_ref().unwrap().status().is_success(),
        "{r:?}"
    );
    // And byte by byte: whatever comes back is no HTTP answer.
    let mut s = tokio::net::TcpStream::connect(&host).await.unwrap();
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut back = Vec::new();
    let read = tokio::time::timeout(std::time::Duration::from_secs(10), s.read_to_end(&mut back)).await;
    assert!(read.is_ok(), "the server closes the connection");
    assert!(
        !back.starts_with(b"HTTP/"),
        "{:?}",
        String::from_utf8_lossy(&back)
    );
    // The server is still there for HTTPS.
    assert_eq!(app.get_as(&app.anonymous(), "/healthz").await.0, 200);
}

#[tokio::test]
async fn over_plain_http_the_cookie_is_not_secure_and_there_is_no_hsts() {
    let app = spawn_app().await;
    assert!(app.addr.starts_with("http://"));
    app.add_user("botou", Role::CountyOperator, "130981").await;
    let r = login(&app).await;
    assert_eq!(r.status(), 200);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly") && !cookie.contains("Secure"),
        "{cookie}"
    );
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = app.anonymous().get(app.url("/healthz")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
}

fn load_err(cert: &Path, key: &Path) -> String {
    match tls::load(cert, key) {
        Ok(_) => panic!("{} / {} loaded", cert.display(), key.display()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_bad_certificate_or_key_is_refused_naming_the_file() {
    let (cert, key, _guard) = self_signed();
    let dir = cert.parent().unwrap();
    assert!(tls::load(&cert, &key).is_ok());

    let missing = dir.join("nonexistent.pem");
    let e = load_err(&missing, &key);
    assert!(
        e.contains("无法读取证书文件") && e.contains("nonexistent.pem"),
        "{e}"
    );
    let e = load_err(&cert, &missing);
    assert!(
        e.contains("无法读取私钥文件") && e.contains("nonexistent.pem"),
        "{e}"
    );

    let junk = dir.join("junk.pem");
    std::fs::write(&junk, "not a certificate\n").unwrap();
    let e = load_err(&junk, &key);
    assert!(e.contains("证书文件") && e.contains("junk.pem"), "{e}");
    let e = load_err(&cert, &junk);
    assert!(e.contains("私钥文件") && e.contains("junk.pem"), "{e}");
    // Certificate and key swapped: neither file holds what it should.
    let e = load_err(&key, &cert);
    assert!(e.contains("key.pem"), "{e}");

    // A PEM block whose contents are no certificate.
    let broken = dir.join("broken.pem");
    std::fs::write(
        &broken,
        "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let e = load_err(&broken, &key);
    assert!(e.contains("broken.pem"), "{e}");

    // Another certificate's key.
    let (_, other_key, _other) = self_signed();
    let e = load_err(&cert, &other_key);
    assert!(e.contains("不匹配") && e.contains("cert.pem"), "{e}");
}

/// The DER of the SEC1 `ECPrivateKey` that a P-256 PKCS#8 document wraps (its last element,
/// an OCTET STRING), given the curve as SEC1 keys written by `openssl ec` carry it.
fn sec1_of(pkcs8: &[u8]) -> Vec<u8> {
    // PKCS#8 from ring: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { ECPrivateKey } }
    let inner = pkcs8
        .windows(2)
        .position(|w| w == [0x04, 0x6d])
        .expect("the wrapped key");
    let ec = &pkcs8[inner + 2..];
    assert_eq!(ec[0], 0x30, "ECPrivateKey is a SEQUENCE");
    // Insert `parameters [0] prime256v1` before `publicKey [1]`, after the version and the
    // 32-byte private key.
    let body = &ec[2..];
    let at = 3 + 2 + 32;
    assert_eq!(body[at], 0xa1, "publicKey follows the private key");
    let params = [
        0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
    ];
    let mut out = vec![0x30, (body.len() + params.len()) as u8];
    out.extend_from_slice(&body[..at]);
    out.extend_from_slice(&params);
    out.extend_from_slice(&body[at..]);
    out
}

#[test]
fn a_sec1_ec_key_loads_too() {
    use base64::Engine;
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).unwrap();
    let (cert, _, guard) = self_signed();
    let dir = guard.path().unwrap();
    std::fs::write(&cert, made.cert.pem()).unwrap();
    let sec1 = sec1_of(&made.signing_key.serialize_der());
    let b64 = base64::engine::general_purpose::STANDARD.encode(sec1);
    let key = dir.join("ec.pem");
    std::fs::write(
        &key,
        format!("-----BEGIN EC PRIVATE KEY-----\n{b64}\n-----END EC PRIVATE KEY-----\n"),
    )
    .unwrap();
    tls::load(&cert, &key).expect("a SEC1 key loads");
}
