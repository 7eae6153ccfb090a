-- Incentives: claims and their workflow, evidence files, the ledger of payouts, yearly budgets.
-- Money BIGINT fen; dates TEXT 'YYYY-MM-DD'; times TEXT RFC 3339 UTC; JSON as TEXT.

-- One claim for one incentive. `status`: draft, submitted, county_reviewed, approved,
-- disbursed, rejected, held. `amount_fen` and `trace` are the latest evaluation by the policy
-- engine (never computed here); `department` is the responsible city department that approves.
CREATE TABLE claims (
    id BIGSERIAL PRIMARY KEY,
    policy TEXT NOT NULL,
    uscc TEXT NOT NULL REFERENCES enterprises(uscc),
    county_code TEXT NOT NULL REFERENCES org_units(code),
    department TEXT NOT NULL,
    funding_source TEXT NOT NULL,
    event_date TEXT NOT NULL,
    base_fen BIGINT,
    approved_fen BIGINT,
    project TEXT,
    facts TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    eval_status TEXT NOT NULL DEFAULT '',
    amount_fen BIGINT NOT NULL DEFAULT 0,
    trace TEXT NOT NULL DEFAULT '[]',
    budget_year BIGINT,
    hold_reason TEXT,
    reject_reason TEXT,
    filed_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX claims_status ON claims(status);
CREATE INDEX claims_county ON claims(county_code, status);
CREATE INDEX claims_uscc ON claims(uscc, policy);

-- Every transition of a claim: who, when, from, to, comment.
CREATE TABLE claim_events (
    id BIGSERIAL PRIMARY KEY,
    claim_id BIGINT NOT NULL REFERENCES claims(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
);
CREATE INDEX claim_events_claim ON claim_events(claim_id);

CREATE TABLE claim_evidence (
    id BIGSERIAL PRIMARY KEY,
    claim_id BIGINT NOT NULL REFERENCES claims(id),
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BYTEA NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX claim_evidence_claim ON claim_evidence(claim_id);

-- Payouts: the ledger the policy engine reads for one-time and cumulative limits.
CREATE TABLE ledger (
    id BIGSERIAL PRIMARY KEY,
    policy TEXT NOT NULL,
    uscc TEXT,
    county_code TEXT,
    paid_date TEXT NOT NULL,
    paid_fen BIGINT NOT NULL,
    project TEXT,
    funding_source TEXT NOT NULL,
    budget_year BIGINT NOT NULL,
    trace TEXT NOT NULL DEFAULT '[]',
    claim_id BIGINT REFERENCES claims(id),
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX ledger_uscc ON ledger(uscc, policy);
CREATE INDEX ledger_budget ON ledger(budget_year, funding_source);

-- Yearly budgets per funding source.
CREATE TABLE budgets (
    year BIGINT NOT NULL,
    funding_source TEXT NOT NULL,
    amount_fen BIGINT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (year, funding_source)
);
