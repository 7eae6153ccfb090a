-- The version of the business data (issue #14, item 2): every write transaction of business
-- data adds one to it before its first change, so computed results (progress, metrics, the
-- assessment, the dashboard) are reused until the version moves, and every server sharing
-- the database sees the same version.
CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
