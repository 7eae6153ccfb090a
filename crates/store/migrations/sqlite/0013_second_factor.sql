-- Two-factor sign-in (issue #13, item 4; GB/T 22239-2019 8.1.4.1 d): each account's TOTP
-- secret (RFC 6238, base32; empty when the account has none), the last step a code was
-- accepted for (a code is good once), and the one-time recovery codes, stored as hashes.
ALTER TABLE users ADD COLUMN totp_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN totp_last_step BIGINT NOT NULL DEFAULT 0;
CREATE TABLE recovery_codes (
    user_id BIGINT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, code_hash)
);
