-- Organisations whose every account signs in with a second factor (issue #13, item 4): beyond
-- the roles that always need one, the security administrator requires it per organisation.
CREATE TABLE org_second_factor (
    org_code TEXT PRIMARY KEY,
    required_by TEXT NOT NULL,
    required_at TEXT NOT NULL
);
