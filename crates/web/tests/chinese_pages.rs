//! Chinese everywhere a user reads (#12 item 4). Each demo account walks its home page, every
//! page route of the registry and the links on the pages it got (a few of each kind), and the
//! text a person reads on every 200 HTML page (the visible text, `<option>`s, and the
//! `title`, `placeholder`, `aria-label` and `alt` attributes, and the labels of buttons) is
//! searched for what only a developer reads: ISO timestamps and dates, snake_case codes,
//! `true`/`false`/`null`/`None`/`Some(`, and English words outside a short allow-list.
//! All findings are reported at once, each with its page, the accounts and the text around it.

use crate::common::crawl::{demo_app, kind_of, links};

use axum::http::Method;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

const ACCOUNTS: [&str; 12] = [
    "admin",
    "gxj",
    "kjj",
    "czj",
    "leader",
    "botou",
    "botou_leader",
    "renqiu",
    "sysadmin",
    "secadmin",
    "auditor",
    "qiye",
];

/// English a Chinese official reads as it is, each with why.
const ALLOWED_WORDS: &[&str] = &[
    "kWh",   // 千瓦时, the unit of the plan's energy figures
    "tce",   // 吨标准煤, the plan's energy unit
    "Excel", // the spreadsheet program the offices use, named on the download buttons
    "CSV",   // the plain table format offered beside Excel
    "UTF",   // UTF-8, the standard name of a CSV file's encoding, beside GB18030
    "SHA",   // SHA-256, the standard name of an evidence file's check value (校验值)
    "HHI",   // the standard abbreviation of the concentration index, beside 集中度
    "SQLite",
    "PostgreSQL", // the database products, on the system administrator's page
    // Authenticator apps by the names their stores list them under (second-factor page).
    "App",
    "Google",
    "Authenticator",
];

/// Fill a registered path with the objects of 泊头市.
fn fill(path: &str, uscc: &str) -> String {
    path.replace(
        "{code}",
        if path.starts_with("/counties/") {
            "130981"
        } else {
            "C17"
        },
    )
    .replace("{county}", "130981")
    .replace("{uscc}", uscc)
    .replace("{target}", "二.1a")
    .replace("{year}", "2025")
    .replace("{dataset}", "enterprise_monthly")
    .replace("{period}", "2026-10")
}

/// `&amp;`, `&lt;`, `&#39;`, `&#x27;` and the like read back.
fn decode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest
            .char_indices()
            .take(10)
            .find(|(_, c)| *c == ';')
            .map(|(i, _)| i);
        let Some(end) = end else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One attribute's value in a tag's text (`name="…"`), decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find(name) {
        let at = from + i;
        from = at + name.len();
        let before_ok = at > 0 && lower.as_bytes()[at - 1].is_ascii_whitespace();
        let after = &tag[from..];
        if !before_ok || !after.starts_with('=') {
            continue;
        }
        let after = &after[1..];
        let q = after.chars().next()?;
        let value = if q == '"' || q == '\'' {
            after[1..].split(q).next()?
        } else {
            after.split(|c: char| c.is_whitespace() || c == '>').next()?
        };
        return Some(decode(value));
    }
    None
}

/// The text a person reads on a page: the visible text with each tag as a space, then the
/// attributes people read, each on a line of its own.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut attrs = String::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        text.push_str(&decode(&rest[..i]));
        rest = &rest[i..];
        if rest.starts_with("<!--") {
            rest = rest.find("-->").map_or("", |e| &rest[e + 3..]);
            continue;
        }
        let end = tag_end(rest);
        let tag = &rest[..end];
        rest = &rest[end..];
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            rest = rest.to_ascii_lowercase().find(&close).map_or("", |e| &rest[e..]);
            continue;
        }
        for a in ["title", "placeholder", "aria-label", "alt"] {
            if let Some(v) = attr(tag, a) {
                attrs.push_str(&v);
                attrs.push('\n');
            }
        }
        let kind = attr(tag, "type").unwrap_or_default();
        if name == "input" && ["submit", "button", "reset"].contains(&kind.as_str()) {
            attrs.push_str(&attr(tag, "value").unwrap_or_default());
            attrs.push('\n');
        }
        text.push(' ');
    }
    text.push_str(&decode(rest));
    text.push('\n');
    text.push_str(&attrs);
    text
}

/// Where a tag that starts `s` ends (after its `>`), quotes respected.
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// Codes a person reads as codes, blanked so that their letters are not taken for words:
/// `codes` (the demo's account names, which people sign in with, `botou_leader` among them;
/// `demo`, the actor the audit trail names for the loaded demo data; the plan's unit codes
/// such as GXJ 市工信局 and its target ids such as 二.3c-main), the 18-character USCC, the
/// first characters of a digest (`efc43aaab02b63c1…`, the chain's head), the database's address on the system
/// page, and on the audit trail the address each request asked for.
fn strip_codes(text: &str, codes: &[String], audit: bool) -> String {
    let mut out = blank_runs(text, |run, next| {
        // A USCC: 18 digits and capitals. A digest's start: 8 or more hex digits and `…`, or
        // 16 or more (the audit chain's head).
        let hex = run
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
        (run.len() == 18 && run.bytes().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()))
            || (hex && (run.len() >= 16 || (run.len() >= 8 && next == Some('…'))))
    });
    for c in codes {
        out = out.replace(c.as_str(), " ");
    }
    // A downloaded file's name as it is saved (集群分析_2025.xlsx).
    out = out.replace(".xlsx", " ").replace(".csv", " ");
    out.split_inclusive(char::is_whitespace)
        .map(|w| {
            let bare = w.trim_end();
            let address = bare.contains("sqlite:") || bare.contains("postgres://");
            let path = audit && bare.starts_with('/');
            if address || path { " " } else { w }
        })
        .collect()
}

/// `text` with each run of ASCII letters and digits that `blank(run, the next character)`
/// picks replaced by a space.
fn blank_runs(text: &str, blank: impl Fn(&str, Option<char>) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let run_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        if run_len == 0 {
            let c = rest.chars().next().unwrap();
            out.push(c);
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let (run, after) = rest.split_at(run_len);
        out.push_str(if blank(run, after.chars().next()) {
            " "
        } else {
            run
        });
        rest = after;
    }
    out
}

/// The text around byte `at` of `text`, on one line.
fn around(text: &str, at: usize, len: usize) -> String {
    let mut start = at.saturating_sub(30);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + len + 30).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    text[start..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a developer reads in a page's text: (what, the text around it).
fn findings(text: &str, codes: &[String], audit: bool) -> Vec<(String, String)> {
    let text = strip_codes(text, codes, audit);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let digits =
        |from: usize, n: usize| from + n <= b.len() && b[from..from + n].iter().all(u8::is_ascii_digit);
    // Dates and times in ISO notation: 2026-12-02, 2026-12-02T04:33, 04:33:16Z, 04:33Z.
    let mut i = 0;
    while i < b.len() {
        if digits(i, 4)
            && b.get(i + 4) == Some(&b'-')
            && digits(i + 5, 2)
            && b.get(i + 7) == Some(&b'-')
            && digits(i + 8, 2)
        {
            let what = if b.get(i + 10) == Some(&b'T') {
                "ISO 时间"
            } else {
                "ISO 日期"
            };
            out.push((what.to_string(), around(&text, i, 10)));
            i += 10;
            while i < b.len() && (b[i].is_ascii_digit() || b"T:.Z+-".contains(&b[i])) {
                i += 1;
            }
            continue;
        }
        if digits(i, 2) && b.get(i + 2) == Some(&b':') && digits(i + 3, 2) {
            let mut j = i + 5;
            while j < b.len() && (b[j].is_ascii_digit() || b[j] == b':' || b[j] == b'.') {
                j += 1;
            }
            if b.get(j) == Some(&b'Z') {
                out.push(("UTC 时间".to_string(), around(&text, i, j - i)));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    // Words of ASCII letters, digits and underscores.
    let mut i = 0;
    while i < b.len() {
        if !(b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let word = &text[start..i];
        let has_letters = word.bytes().any(|c| c.is_ascii_alphabetic());
        if word.contains('_') && has_letters {
            out.push(("snake_case".to_string(), around(&text, start, word.len())));
            continue;
        }
        if ["true", "false", "null", "None", "Some"].contains(&word) {
            out.push(("代码值".to_string(), around(&text, start, word.len())));
            continue;
        }
        for run in word.split(|c: char| !c.is_ascii_alphabetic()) {
            if run.len() >= 3 && !ALLOWED_WORDS.contains(&run) {
                out.push((format!("英文 {run}"), around(&text, start, word.len())));
            }
        }
    }
    out
}

#[tokio::test]
async fn every_page_a_user_reads_is_in_chinese() {
    let started = std::time::Instant::now();
    let app = demo_app(60).await;
    let uscc: String =
        sqlx::query_scalar("SELECT uscc FROM enterprises WHERE county_code = '130981' ORDER BY uscc LIMIT 1")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    let plan = clusterdesk_plan::Plan::embedded().unwrap();
    let mut codes: Vec<String> = ACCOUNTS.iter().map(|a| a.to_string()).collect();
    codes.push("demo".into());
    codes.extend(plan.org_units.iter().map(|o| o.code.clone()));
    codes.extend(plan.targets.iter().map(|t| t.id.clone()));
    // Longest first, so that `sysadmin` goes before `admin`.
    codes.sort_by_key(|c| std::cmp::Reverse(c.len()));
    // Two claims, so that the claim pages are read, and the calculator's answers: one it
    // cannot decide (the receiving body is missing), one with a fact as typed, one that fails.
    let botou = app.client_for("botou").await;
    for (policy, date, facts) in [
        ("green_factory_provincial", "2024-03-01", serde_json::json!({})),
        (
            "listing_a_share_accepted",
            "2025-06-01",
            serde_json::json!({"accepted_by": "sse"}),
        ),
    ] {
        let r = botou
            .post(app.url("/api/v1/claims"))
            .json(&serde_json::json!({"policy": policy, "uscc": uscc, "event_date": date, "facts": facts}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201, "{policy}: {}", r.text().await.unwrap());
    }
    let calculations = [
        format!("/policies/calc?policy=listing_a_share_accepted&date=2025-06-01&uscc={uscc}"),
        "/policies/calc?policy=design_center_national&date=2022-01-05&fact.recognised_national_design_center=true".into(),
        "/policies/calc?policy=little_giant&date=2025-06-01&fact.recognition_level=national".into(),
        "/policies/calc?policy=informatization&date=2025-06-01".into(),
        "/policies/calc?policy=informatization&date=2025-06-01&base=1999999.99".into(),
    ];
    let rules = clusterdesk_web::features::rules();
    // (page, what was found, the text around it) -> the accounts that saw it.
    let mut found: BTreeMap<(String, String, String), BTreeSet<&str>> = BTreeMap::new();
    let mut pages_read = 0;
    for user in ACCOUNTS {
        let c = app.client_for(user).await;
        let mut queue: VecDeque<String> = VecDeque::from(vec!["/".to_string()]);
        queue.extend(calculations.iter().cloned());
        for r in rules
            .iter()
            .filter(|r| r.method == Method::GET && !r.api && !r.path.contains("{id}"))
        {
            queue.push_back(fill(&r.path, &uscc));
        }
        let mut seen = BTreeSet::new();
        let mut per_kind: HashMap<String, usize> = HashMap::new();
        while let Some(url) = queue.pop_front() {
            if !seen.insert(url.clone()) {
                continue;
            }
            let n = per_kind.entry(kind_of(&url)).or_default();
            *n += 1;
            if *n > 2 {
                continue;
            }
            let r = c.get(app.url(&url)).send().await.unwrap();
            let status = r.status().as_u16();
            assert!(status < 500, "{user} GET {url}: {status}");
            let html = r
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.contains("text/html"));
            if status != 200 || !html {
                continue;
            }
            pages_read += 1;
            let body = r.text().await.unwrap();
            for (what, snippet) in findings(&visible_text(&body), &codes, url.starts_with("/audit")) {
                found
                    .entry((url.clone(), what, snippet))
                    .or_default()
                    .insert(user);
            }
            queue.extend(links(&body).into_iter().filter(|h| !h.starts_with("/api/")));
        }
    }
    let report: Vec<String> = found
        .iter()
        .map(|((url, what, snippet), users)| {
            let users: Vec<&str> = users.iter().copied().collect();
            format!("{url} [{}] {what}: {snippet}", users.join(","))
        })
        .collect();
    eprintln!("{pages_read} pages read in {:?}", started.elapsed());
    assert!(
        report.is_empty(),
        "{} findings:\n{}",
        report.len(),
        report.join("\n")
    );
    assert!(pages_read > 150, "only {pages_read} pages read");
}

#[test]
fn the_checks_find_what_a_developer_reads() {
    let html = r#"<p title="amount_yuan">时间 2026-12-02T04:33:16.978Z</p>
        <script>var x = "english";</script><p>true(申请所述) 指标 revenue 1.5 kWh</p>
        <p>91130981MA0CXXXX1A 二.1a botou_leader efc43aaab02b63c1…</p><input type="submit" value="Save">"#;
    let found: Vec<String> = findings(&visible_text(html), &["botou_leader".into()], false)
        .into_iter()
        .map(|(what, _)| what)
        .collect();
    assert_eq!(
        found,
        ["ISO 时间", "代码值", "英文 revenue", "snake_case", "英文 Save"],
        "{found:?}"
    );
}
