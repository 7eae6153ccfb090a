//! Sign-in limits: who is asking from where, and whether the password may be checked now.
//! The rules are `clusterdesk_domain::lockout`; the counts live in the database.

use crate::AppState;
use crate::error::WebError;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use clusterdesk_domain::lockout::{self, Limits, MAX_USERNAME_CHARS, Verdict};
use clusterdesk_store::Store;
use clusterdesk_store::audit::AuditEntry;
use clusterdesk_store::sessions::Client;
use std::net::{IpAddr, SocketAddr};

/// The limits and the proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct LoginLimiter {
    pub limits: Limits,
    /// `CLUSTERDESK_TRUSTED_PROXIES`: addresses of reverse proxies in front of the server.
    pub trusted_proxies: Vec<IpAddr>,
}

impl LoginLimiter {
    /// The default limits, with the trusted proxies from `CLUSTERDESK_TRUSTED_PROXIES`
    /// (comma-separated addresses; entries that are not addresses are ignored with a warning).
    pub fn from_env() -> Self {
        let mut trusted = Vec::new();
        if let Ok(list) = std::env::var("CLUSTERDESK_TRUSTED_PROXIES") {
            for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match item.parse::<IpAddr>() {
                    Ok(ip) => trusted.push(ip),
                    Err(_) => tracing::warn!(item, "CLUSTERDESK_TRUSTED_PROXIES: not an address"),
                }
            }
        }
        LoginLimiter {
            limits: Limits::default(),
            trusted_proxies: trusted,
        }
    }

    /// Refuse before the password is checked: an overlong user name as a wrong password (it
    /// cannot exist), a locked pair or address with the wait.
    pub async fn check(&self, store: &Store, username: &str, address: &str) -> Result<(), WebError> {
        if username.chars().count() > MAX_USERNAME_CHARS {
            return Err(bad_credentials());
        }
        let failures = store.login_failures(username, address, &self.limits).await?;
        let now = store.clock().now();
        match lockout::judge(&failures, &self.limits, now) {
            Verdict::Try => Ok(()),
            Verdict::WaitUntil(t) => {
                let e = AuditEntry::new("-", "login_refused", username).from_address(address);
                store.audit(e).await?;
                Err(WebError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    lockout::wait_message(t, now),
                ))
            }
        }
    }

    pub async fn failure(&self, store: &Store, username: &str, address: &str) -> Result<(), WebError> {
        store
            .record_login_failure(username, address, &self.limits)
            .await?;
        tracing::info!(username, address, "sign-in failed");
        Ok(())
    }

    pub async fn success(&self, store: &Store, username: &str, address: &str) -> Result<(), WebError> {
        store.clear_login_failures(username, address).await?;
        Ok(())
    }
}

pub fn bad_credentials() -> WebError {
    WebError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "用户名或密码错误")
}

/// The client's address: the peer of the connection, or, when the peer is a trusted proxy,
/// the nearest address in `X-Forwarded-For` that is not one.
pub fn client_address(peer: Option<IpAddr>, forwarded_for: Option<&str>, trusted: &[IpAddr]) -> String {
    let Some(peer) = peer else {
        return "unknown".into();
    };
    if !trusted.contains(&peer) {
        return peer.to_string();
    }
    let hops = forwarded_for.unwrap_or("").split(',').rev().map(str::trim);
    for hop in hops {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return ip.to_string(),
            // A hop that is no address was written by someone we cannot trust: stop at the proxy.
            Err(_) => break,
        }
    }
    peer.to_string()
}

/// The caller's address, as [`client_address`] finds it, and its user agent.
pub struct ClientInfo(pub Client);

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let xff = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        let user_agent = parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        Ok(ClientInfo(Client {
            address: client_address(peer, xff, &st.login_limiter.trusted_proxies),
            user_agent,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::client_address;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_addresses_are_believed_only_from_a_trusted_proxy() {
        let proxy = [ip("127.0.0.1")];
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), Some("6.6.6.6"), &proxy),
            "10.1.2.3"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("6.6.6.6, 10.9.8.7"), &proxy),
            "10.9.8.7"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("10.9.8.7, 127.0.0.1"), &proxy),
            "10.9.8.7"
        );
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("junk"), &proxy),
            "127.0.0.1"
        );
        assert_eq!(client_address(Some(ip("127.0.0.1")), None, &proxy), "127.0.0.1");
        assert_eq!(client_address(None, Some("6.6.6.6"), &proxy), "unknown");
    }
}
