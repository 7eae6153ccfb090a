-- Explanations of validation warnings (plan/validation.yaml), given by the submitter with a
-- submission; `at` is the time of that submission, so each submission round keeps its own.
CREATE TABLE validation_comments (
    id BIGSERIAL PRIMARY KEY,
    dataset TEXT NOT NULL,
    county_code TEXT NOT NULL REFERENCES org_units(code),
    period TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    unit_code TEXT NOT NULL,
    indicator TEXT NOT NULL DEFAULT '',
    comment TEXT NOT NULL,
    commented_by TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX validation_comments_key ON validation_comments(dataset, county_code, period);
