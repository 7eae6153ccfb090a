-- Foundation schema. Dates are TEXT 'YYYY-MM-DD', times TEXT RFC 3339 UTC, money BIGINT fen,
-- flags BIGINT 0/1, so that the same queries run on SQLite and PostgreSQL.

CREATE TABLE org_units (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    parent TEXT REFERENCES org_units(code),
    sort_key BIGINT NOT NULL
);

CREATE TABLE clusters (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    full_name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    attachment BIGINT NOT NULL,
    industries TEXT NOT NULL
);

-- The fields of each cluster's own plan (四(二)), filled in by the county.
CREATE TABLE cluster_plans (
    cluster_code TEXT PRIMARY KEY REFERENCES clusters(code),
    status_quo TEXT NOT NULL DEFAULT '',
    problems TEXT NOT NULL DEFAULT '',
    solutions TEXT NOT NULL DEFAULT '',
    levers TEXT NOT NULL DEFAULT '',
    responsibility_list TEXT NOT NULL DEFAULT '',
    target_list TEXT NOT NULL DEFAULT '',
    measure_list TEXT NOT NULL DEFAULT '',
    updated_by TEXT,
    updated_at TEXT
);

CREATE TABLE indicators (
    code TEXT PRIMARY KEY,
    name_zh TEXT NOT NULL,
    unit TEXT NOT NULL,
    value_type TEXT NOT NULL,
    scale BIGINT NOT NULL
);

CREATE TABLE enterprises (
    uscc TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    industry_code TEXT NOT NULL,
    address TEXT NOT NULL DEFAULT '',
    contact TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX enterprises_county ON enterprises(county_code);
CREATE INDEX enterprises_name ON enterprises(name);

-- Dated cluster membership: history keeps the old attribution.
CREATE TABLE memberships (
    id BIGSERIAL PRIMARY KEY,
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    cluster_code TEXT NOT NULL REFERENCES clusters(code),
    valid_from TEXT NOT NULL,
    valid_to TEXT
);
CREATE INDEX memberships_uscc ON memberships(uscc);
CREATE INDEX memberships_cluster ON memberships(cluster_code);

-- Dated qualifications: 规上, 高企, 创新型, 专精特新, 小巨人, listing, green factory, trademark, platform.
CREATE TABLE qualifications (
    id BIGSERIAL PRIMARY KEY,
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    kind TEXT NOT NULL,
    level TEXT NOT NULL DEFAULT '',
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX qualifications_uscc ON qualifications(uscc);
CREATE INDEX qualifications_kind ON qualifications(kind, valid_from);

-- Typed values keyed by (org unit or enterprise, indicator, period). Numbers are integers in
-- the indicator's scale (money in fen).
CREATE TABLE data_values (
    unit_code TEXT NOT NULL,
    indicator_code TEXT NOT NULL REFERENCES indicators(code),
    period TEXT NOT NULL,
    num_value BIGINT,
    text_value TEXT,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, indicator_code, period)
);
CREATE INDEX data_values_indicator_period ON data_values(indicator_code, period);

-- Who changed what, when, and the previous value.
CREATE TABLE change_log (
    id BIGSERIAL PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_key TEXT NOT NULL,
    action TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT
);
CREATE INDEX change_log_entity ON change_log(entity, entity_key);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    org_code TEXT NOT NULL,
    must_change_password BIGINT NOT NULL DEFAULT 0,
    disabled BIGINT NOT NULL DEFAULT 0,
    failed_logins BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
