//! What the audit trail hears from the web edge (GB/T 22239-2019 8.1.4.3 a): every refusal
//! of a signed-in caller (403) and every download (a response sent as an attachment), with
//! who, from where and what. Data changes are recorded by the store in their own
//! transactions; this layer sees only what has no transaction: reading and being refused.

use crate::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use clusterdesk_store::audit::AuditEntry;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    /// The signed-in caller of the request being answered, once the session is resolved.
    static CALLER: Arc<Mutex<Option<String>>>;
}

/// Marks a response whose handler has written its own, fuller audit record.
#[derive(Clone, Copy)]
pub struct Recorded;

/// Names the request's caller for this layer (`auth::CurrentUser` calls it).
pub fn record_caller(username: &str) {
    let _ = CALLER.try_with(|c| {
        if let Ok(mut c) = c.lock() {
            *c = Some(username.to_string());
        }
    });
}

/// The attachment's file name a response carries, if it is a download.
fn attachment(res: &Response) -> Option<String> {
    let v = res.headers().get(header::CONTENT_DISPOSITION)?.to_str().ok()?;
    if !v.starts_with("attachment") {
        return None;
    }
    // `filename*=UTF-8''…` is percent-encoded; the plain `filename=` is the ASCII fallback.
    let name = v
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("filename*=UTF-8''"))
        .map(percent_decode)
        .or_else(|| {
            v.split(';')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("filename="))
                .map(|s| s.trim_matches('"').to_string())
        })
        .unwrap_or_default();
    Some(name)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

pub async fn layer(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let target = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let xff = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let caller = Arc::new(Mutex::new(None));
    let res = CALLER.scope(caller.clone(), next.run(req)).await;
    let who = caller.lock().ok().and_then(|c| c.clone());
    let recorded = res.extensions().get::<Recorded>().is_some();
    let entry = match (res.status(), attachment(&res).filter(|_| !recorded), who) {
        (StatusCode::FORBIDDEN, _, Some(who)) => {
            Some(AuditEntry::new(who, "denied", format!("{method} {target}")))
        }
        (s, Some(file), Some(who)) if s.is_success() => {
            Some(AuditEntry::new(who, "download", target).with(serde_json::json!({"file": file})))
        }
        _ => None,
    };
    if let Some(e) = entry {
        let address = crate::limiter::client_address(peer, xff.as_deref(), &st.login_limiter.trusted_proxies);
        // A trail that cannot be written is the system's failure, logged; the caller's answer
        // stands (the refusal or the file was already decided).
        if let Err(err) = st.store.audit(e.from_address(address)).await {
            tracing::error!(error = %err, "could not append to the audit trail");
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_of_an_attachment() {
        let res = |v: &str| {
            Response::builder()
                .header(header::CONTENT_DISPOSITION, v)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(
            attachment(&res(
                "attachment; filename=\"a.csv\"; filename*=UTF-8''%E4%BC%81%E4%B8%9A.csv"
            )),
            Some("企业.csv".to_string())
        );
        assert_eq!(
            attachment(&res("attachment; filename=\"b.xlsx\"")),
            Some("b.xlsx".into())
        );
        assert_eq!(attachment(&res("inline")), None);
    }
}
