-- Identity to GB/T 22239-2019 level 3 (issue #13, item 4).
-- Failed sign-ins per (user name, address), so that a lock holds across a restart and one
-- address cannot lock out a user signing in from another. A row is the count within the
-- lock window ending at `last_at`; rows a day old are deleted as new failures come in.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_at TEXT NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE INDEX login_failures_address ON login_failures(address, last_at);
CREATE INDEX login_failures_last ON login_failures(last_at);

-- Sessions: the idle timeout reads `last_seen_at`; the session list shows where and what from.
ALTER TABLE sessions ADD COLUMN last_seen_at TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_user ON sessions(user_id);

-- Passwords: when each was set (for expiry), and the last ones (not to be used again).
ALTER TABLE users ADD COLUMN password_changed_at TEXT NOT NULL DEFAULT '';
CREATE TABLE password_history (
    user_id BIGINT NOT NULL REFERENCES users(id),
    password_hash TEXT NOT NULL,
    changed_at TEXT NOT NULL
);
CREATE INDEX password_history_user ON password_history(user_id, changed_at);
