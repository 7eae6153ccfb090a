//! What the crawling tests share (the confidentiality and the Chinese-pages crawls): a demo
//! city on the real server, the local links of a page and the kind of a link.

use super::{PASSWORD, TestApp, spawn_app};
use clusterdesk_domain::Period;
use clusterdesk_store::demo::{DemoOptions, generate};

/// The real server over a demo city of `enterprises` enterprises (2025-01 to 2026-11, seed 5).
pub async fn demo_app(enterprises: usize) -> TestApp {
    let app = spawn_app().await;
    generate(
        &app.store,
        &DemoOptions {
            enterprises,
            from: Period::parse("2025-01").unwrap(),
            to: Period::parse("2026-11").unwrap(),
            seed: 5,
            password: PASSWORD.into(),
            totp_secret: None,
        },
    )
    .await
    .expect("demo data");
    app
}

/// The local links of an HTML page, `&amp;` read back.
pub fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .filter(|h| !h.starts_with("/static/") && !h.starts_with("/logout"))
        .collect()
}

/// A link's kind: its path with codes, numbers and Chinese ids as `*`, and its query's keys.
/// A few of each kind are visited, not every enterprise's page.
pub fn kind_of(url: &str) -> String {
    let (path, query) = url.split_once('?').unwrap_or((url, ""));
    let path: Vec<&str> = path
        .split('/')
        .map(|seg| {
            if seg.len() >= 2 && seg.chars().any(|c| c.is_ascii_digit() || !c.is_ascii()) {
                "*"
            } else {
                seg
            }
        })
        .collect();
    let mut keys: Vec<&str> = query.split('&').filter_map(|kv| kv.split('=').next()).collect();
    keys.sort_unstable();
    format!("{}?{}", path.join("/"), keys.join("&"))
}
