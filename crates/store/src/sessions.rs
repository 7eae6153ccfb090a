//! Sessions: signing in, the actor behind a cookie, the idle and absolute timeouts, the list a
//! user sees of their own sessions, and revoking them. The lifetimes are
//! `clusterdesk_domain::session::SessionRules`, set on the store by the server.

use crate::accounts::{Session, UserInfo, random_token, token_hash, verify_password};
use crate::audit::AuditEntry;
use crate::second_factor::{Needed, Verdict};
use crate::{Actor, Result, Store};
use chrono::{DateTime, SecondsFormat, Utc};
use sqlx::Row;

/// How a sign-in ended.
pub enum Login {
    SignedIn(UserInfo, Session),
    /// Unknown user, wrong password or a disabled account: one answer for all three.
    Refused,
    /// The password was right; the second factor was missing, wrong or not set up.
    SecondFactor(Needed),
}

impl Login {
    /// The user and session when signed in.
    pub fn signed_in(self) -> Option<(UserInfo, Session)> {
        match self {
            Login::SignedIn(u, s) => Some((u, s)),
            _ => None,
        }
    }
}

/// Where a sign-in comes from, kept with the session for its owner's list.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

/// One open session, as its owner sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// A handle for ending it: the first 16 hex digits of the token's hash, not the token.
    pub id: String,
    pub created_at: String,
    pub last_seen_at: String,
    pub address: String,
    pub user_agent: String,
    /// The session this request came with.
    pub current: bool,
}

/// A time as stored on sign-in records (sessions, lockouts): RFC 3339 in UTC, to the millisecond.
pub(crate) fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn instant(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The longest user agent kept: enough to tell browsers apart, bounded against junk.
const AGENT_CHARS: usize = 200;

impl Store {
    /// Check a username and password; on success open a session. A password past its age is
    /// marked to be changed before anything else (the temporary-password path).
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        second: Option<&str>,
        from: &Client,
    ) -> Result<Login> {
        let row = sqlx::query(
            "SELECT id, username, display_name, password_hash, role, org_code, must_change_password, disabled,
                    password_changed_at, created_at
             FROM users WHERE username = $1",
        )
        .bind(username.trim())
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            // Spend the same time as a real check, so that timing does not reveal usernames.
            let _ = verify_password(
                password,
                "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$ZmFrZWZha2VmYWtlZmFrZWZha2VmYWtlZmFrZQ",
            );
            return Ok(Login::Refused);
        };
        let hash: String = row.try_get("password_hash")?;
        let disabled: i64 = row.try_get("disabled")?;
        if disabled != 0 || !verify_password(password, &hash) {
            if disabled == 0 {
                sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE username = $1")
                    .bind(username.trim())
                    .execute(self.pool())
                    .await?;
            }
            return Ok(Login::Refused);
        }
        let mut user = Self::row_to_user(&row)?;
        // A wrong code is a failed sign-in like a wrong password: the caller counts it (and the
        // audit trail records it) through the lockout.
        if let Verdict::Refused(needed) = self.second_factor(user.id, user.role, second).await? {
            return Ok(Login::SecondFactor(needed));
        }
        let now = self.clock().now();
        let rules = *self.session_rules();
        let changed: String = row.try_get("password_changed_at")?;
        let created: String = row.try_get("created_at")?;
        let set_at = instant(&changed).or_else(|| instant(&created));
        let expired = set_at.is_some_and(|t| rules.password_expired(t, now));
        if expired {
            user.must_change_password = true;
        }
        let session = Session {
            token: random_token(),
            csrf_token: random_token(),
        };
        let agent: String = from.user_agent.chars().take(AGENT_CHARS).collect();
        let mut tx = self.begin_account_write().await?;
        sqlx::query("UPDATE users SET failed_logins = 0, must_change_password = $2 WHERE id = $1")
            .bind(user.id)
            .bind(user.must_change_password as i64)
            .execute(&mut *tx)
            .await?;
        // Expired sessions of anyone go as new ones come, so the table stays the size of use.
        sqlx::query(
            "DELETE FROM sessions WHERE expires_at < $1 OR (last_seen_at <> '' AND last_seen_at < $2)",
        )
        .bind(stamp(now))
        .bind(stamp(now - rules.idle))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, last_seen_at, address, user_agent)
             VALUES ($1, $2, $3, $4, $5, $4, $6, $7)",
        )
        .bind(token_hash(&session.token))
        .bind(user.id)
        .bind(&session.csrf_token)
        .bind(stamp(now))
        .bind(stamp(now + rules.absolute))
        .bind(&from.address)
        .bind(&agent)
        .execute(&mut *tx)
        .await?;
        // Past the per-user cap the oldest sessions end.
        let hashes: Vec<String> = sqlx::query_scalar(
            "SELECT token_hash FROM sessions WHERE user_id = $1 ORDER BY created_at DESC, token_hash",
        )
        .bind(user.id)
        .fetch_all(&mut *tx)
        .await?;
        for h in hashes.iter().skip(rules.per_user) {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(h)
                .execute(&mut *tx)
                .await?;
        }
        let e = AuditEntry::new(&user.username, "login", &user.username)
            .from_address(&from.address)
            .with(serde_json::json!({"password_expired": expired}));
        self.audit_in(&mut tx, e).await?;
        tx.commit().await?;
        Ok(Login::SignedIn(user, session))
    }

    /// The actor behind a session cookie, with the session's CSRF token; None if unknown,
    /// past its absolute lifetime or idle too long (the row is then deleted).
    pub async fn session_actor(&self, token: &str) -> Result<Option<(Actor, String)>> {
        let hash = token_hash(token);
        let row = sqlx::query(
            "SELECT u.id, u.username, u.display_name, u.role, u.org_code, u.must_change_password,
                    s.csrf_token, s.created_at, s.last_seen_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = $1 AND u.disabled = 0",
        )
        .bind(&hash)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let now = self.clock().now();
        let rules = self.session_rules();
        let created = instant(&row.try_get::<String, _>("created_at")?);
        let seen = instant(&row.try_get::<String, _>("last_seen_at")?).or(created);
        let (Some(created), Some(seen)) = (created, seen) else {
            return Ok(None);
        };
        if !rules.alive(created, seen, now) {
            let name: String = row.try_get("username")?;
            self.end_token(token, Some((&name, "session_timeout"))).await?;
            return Ok(None);
        }
        if rules.needs_touch(seen, now) {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
                .bind(&hash)
                .bind(stamp(now))
                .execute(self.pool())
                .await?;
        }
        let u = Self::row_to_user(&row)?;
        let actor = Actor {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            role: u.role,
            org_code: u.org_code,
            must_change_password: u.must_change_password,
        };
        Ok(Some((actor, row.try_get("csrf_token")?)))
    }

    /// Sign out: the session ends, and the audit trail says who left.
    pub async fn logout(&self, token: &str) -> Result<()> {
        let name: Option<String> = sqlx::query_scalar(
            "SELECT u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(self.pool())
        .await?;
        match name {
            Some(n) => self.end_token(token, Some((&n, "logout"))).await,
            None => Ok(()),
        }
    }

    async fn end_token(&self, token: &str, audit: Option<(&str, &str)>) -> Result<()> {
        let mut tx = self.begin_account_write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash(token))
            .execute(&mut *tx)
            .await?;
        if let Some((name, action)) = audit
            && done.rows_affected() > 0
        {
            self.audit_in(&mut tx, AuditEntry::new(name, action, name))
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The open sessions of a user, newest first; `current` marks the caller's own.
    pub async fn list_sessions(&self, user_id: i64, current_token: &str) -> Result<Vec<SessionInfo>> {
        let mine = token_hash(current_token);
        let now = self.clock().now();
        let rules = self.session_rules();
        let rows = sqlx::query(
            "SELECT token_hash, created_at, last_seen_at, address, user_agent FROM sessions
             WHERE user_id = $1 ORDER BY created_at DESC, token_hash",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for r in rows {
            let hash: String = r.try_get("token_hash")?;
            let created_at: String = r.try_get("created_at")?;
            let mut last_seen_at: String = r.try_get("last_seen_at")?;
            if last_seen_at.is_empty() {
                last_seen_at = created_at.clone();
            }
            let open = match (instant(&created_at), instant(&last_seen_at)) {
                (Some(c), Some(s)) => rules.alive(c, s, now),
                _ => false,
            };
            if !open {
                continue;
            }
            out.push(SessionInfo {
                id: hash[..16].to_string(),
                current: hash == mine,
                created_at,
                last_seen_at,
                address: r.try_get("address")?,
                user_agent: r.try_get("user_agent")?,
            });
        }
        Ok(out)
    }

    /// End one of the user's own sessions by its handle; false when none matched.
    pub async fn end_session(&self, actor: &Actor, id: &str) -> Result<bool> {
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let mut tx = self.begin_account_write().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2")
            .bind(actor.user_id)
            .bind(id.to_ascii_lowercase())
            .execute(&mut *tx)
            .await?;
        let ended = done.rows_affected() > 0;
        if ended {
            let e = AuditEntry::new(&actor.username, "session_end", &actor.username)
                .with(serde_json::json!({"session": id}));
            self.audit_in(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(ended)
    }

    /// End every session of a user but `keep` (the one changing the password, if any).
    pub(crate) async fn revoke_sessions(
        &self,
        conn: &mut sqlx::AnyConnection,
        user_id: i64,
        keep: Option<&str>,
    ) -> Result<u64> {
        let keep = keep.map(token_hash).unwrap_or_default();
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(conn)
            .await?;
        Ok(done.rows_affected())
    }
}
