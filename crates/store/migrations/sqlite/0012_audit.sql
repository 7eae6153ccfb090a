-- The audit trail (issue #13, item 1): append-only, each record chained to the one before by
-- SHA-256 over its canonical form (`clusterdesk_domain::audit`). `clusterdesk audit verify`
-- walks it in `seq` order and names the first record that does not fit.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    address TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor, at);
