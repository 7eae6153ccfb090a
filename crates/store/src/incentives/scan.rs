//! 免申即享: the eligibility scan over the enterprises in scope.

use super::engine::ledger_entries;
use crate::{Actor, Result, Scope, Store, StoreError};
use chrono::NaiveDate;
use clusterdesk_domain::Uscc;
use clusterdesk_policy::{LedgerEntry, PolicySet, Status};
use serde_json::Value;
use sqlx::Row;

/// One finding of the eligibility scan, with the names people read.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScanRow {
    pub uscc: String,
    pub enterprise_name: String,
    pub county_code: String,
    pub county_name: String,
    pub policy: String,
    pub policy_name: String,
    pub clause: String,
    pub event_date: String,
    /// eligible or unknown.
    #[schema(value_type = String)]
    pub status: Status,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub missing: Vec<String>,
    pub basis: String,
    pub flags: Vec<String>,
    #[schema(value_type = Object)]
    pub facts: Value,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub from: String,
    pub to: String,
    pub enterprises: usize,
    pub eligible: usize,
    pub eligible_fen: i64,
    pub unknown: usize,
    pub rows: Vec<ScanRow>,
    /// Milliseconds spent reading the registry and running the engine.
    pub load_ms: f64,
    pub scan_ms: f64,
}

/// The event window of a scan: one year, or from the plan's issue (the first date any
/// policy parameter is in force) to today.
pub fn scan_window(set: &PolicySet, year: Option<i32>, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    match year {
        Some(y) => (
            NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or_default(),
            NaiveDate::from_ymd_opt(y, 12, 31).unwrap_or_default(),
        ),
        None => (
            set.policies()
                .filter_map(|p| p.first_date())
                .min()
                .unwrap_or_default(),
            today,
        ),
    }
}

/// The qualification kinds the scan reads.
const SCAN_KINDS: &str = "'above_scale', 'little_giant', 'green_factory', 'well_known_trademark', 'listed'";

impl Store {
    /// 免申即享: every enterprise in the actor's scope that qualifies for an incentive it has
    /// not claimed (from its dated qualifications and the ledger), with the amount, and those
    /// that stay unknown with what is missing. See `clusterdesk_policy::scan`.
    pub async fn eligibility_scan(
        &self,
        actor: &Actor,
        set: &PolicySet,
        year: Option<i32>,
    ) -> Result<ScanReport> {
        if actor.scope() == Scope::Nothing {
            return Err(StoreError::Forbidden("该角色不能查看业务数据".into()));
        }
        // Reused until the data, the day (the scan window) or the policies change.
        let key = format!(
            "scan|{:?}|{year:?}|{}|{:x}",
            actor.scope(),
            self.today(),
            set.fingerprint()
        );
        self.cached(key, self.run_scan(actor, set, year)).await
    }

    async fn run_scan(&self, actor: &Actor, set: &PolicySet, year: Option<i32>) -> Result<ScanReport> {
        use clusterdesk_policy::scan::{EnterpriseFacts, QualFact, ScanOptions, scan};
        use std::collections::HashMap;
        let t0 = std::time::Instant::now();
        let (from, to) = scan_window(set, year, self.today());
        let (scope_cond, scope_bind) = match actor.scope() {
            Scope::City => ("1 = 1".to_string(), None),
            Scope::County(c) => ("e.county_code = $3".to_string(), Some(c)),
            Scope::Enterprise(u) => ("e.uscc = $3".to_string(), Some(u)),
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        };
        let bind3 = scope_bind.clone().unwrap_or_default();
        let mut conn = self.pool().acquire().await?;
        // Qualifications in the window, with the enterprise's name and county.
        let rows = sqlx::query(&format!(
            "SELECT q.uscc, e.name, e.county_code, q.kind, q.level, q.valid_from FROM qualifications q
             JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind IN ({SCAN_KINDS}) AND q.valid_from >= $1 AND q.valid_from <= $2 AND ($3 = $3) AND {scope_cond}
             ORDER BY e.county_code, q.uscc, q.valid_from, q.id"
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?;
        let mut ents: Vec<EnterpriseFacts> = Vec::new();
        let mut names: HashMap<String, String> = HashMap::new();
        for r in &rows {
            let uscc: String = r.try_get(0)?;
            let Ok(u) = Uscc::parse(&uscc) else { continue };
            let Ok(kind) = clusterdesk_domain::QualKind::parse(&r.try_get::<String, _>(3)?) else {
                continue;
            };
            let Ok(from) = NaiveDate::parse_from_str(&r.try_get::<String, _>(5)?, "%Y-%m-%d") else {
                continue;
            };
            let q = QualFact {
                kind,
                level: r.try_get(4)?,
                from,
            };
            match ents.last_mut() {
                Some(e) if e.uscc.as_str() == uscc => e.quals.push(q),
                _ => {
                    names.insert(uscc.clone(), r.try_get(1)?);
                    ents.push(EnterpriseFacts {
                        uscc: u,
                        county: r.try_get(2)?,
                        quals: vec![q],
                        first_data_year: None,
                    });
                }
            }
        }
        // The first year each enterprise with an above-scale event reported its revenue.
        // One index lookup per enterprise (the key of data_values starts with the unit).
        let first: HashMap<String, String> = sqlx::query(&format!(
            "SELECT q.uscc, (SELECT MIN(v.period) FROM data_values v
                WHERE v.unit_code = q.uscc AND v.indicator_code = 'revenue')
             FROM qualifications q JOIN enterprises e ON e.uscc = q.uscc
             WHERE q.kind = 'above_scale' AND q.valid_from >= $1 AND q.valid_from <= $2 AND ($3 = $3) AND {scope_cond}"
        ))
        .bind(from.to_string())
        .bind(to.to_string())
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .filter_map(|r| {
            let u: String = r.try_get(0).ok()?;
            let p: Option<String> = r.try_get(1).ok()?;
            Some((u, p?))
        })
        .collect();
        for e in &mut ents {
            e.first_data_year = first
                .get(e.uscc.as_str())
                .and_then(|p| p.get(..4))
                .and_then(|y| y.parse().ok());
        }
        // The ledger and the open or paid claims of the enterprises in scope.
        let mut ledger: HashMap<String, Vec<LedgerEntry>> = HashMap::new();
        let lrows: Vec<super::engine::LedgerRaw> = sqlx::query_as(&format!(
            "SELECT l.policy, l.uscc, l.county_code, l.paid_date, l.paid_fen, l.project FROM ledger l
             JOIN enterprises e ON e.uscc = l.uscc WHERE ($1 = $1) AND {}",
            scope_cond.replace("$3", "$1")
        ))
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?;
        for raw in lrows {
            if let (Some(u), Some(entry)) = (raw.1.clone(), ledger_entries(&[raw]).pop()) {
                ledger.entry(u).or_default().push(entry);
            }
        }
        let claimed_rows: Vec<(String, String)> = sqlx::query(&format!(
            "SELECT c.uscc, c.policy FROM claims c JOIN enterprises e ON e.uscc = c.uscc
             WHERE c.status <> 'rejected' AND ($1 = $1) AND {}",
            scope_cond.replace("$3", "$1")
        ))
        .bind(&bind3)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
        .collect::<Result<_>>()?;
        let mut claimed: HashMap<String, Vec<String>> = HashMap::new();
        for (u, p) in claimed_rows {
            claimed.entry(u).or_default().push(p);
        }
        let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
        let t1 = std::time::Instant::now();
        let findings = scan(set, &ents, &ledger, &claimed, ScanOptions { from, to });
        let scan_ms = t1.elapsed().as_secs_f64() * 1000.0;
        let mut report = ScanReport {
            from: from.to_string(),
            to: to.to_string(),
            enterprises: ents.len(),
            eligible: 0,
            eligible_fen: 0,
            unknown: 0,
            rows: Vec::with_capacity(findings.len()),
            load_ms,
            scan_ms,
        };
        for f in findings {
            match f.status {
                Status::Eligible => {
                    report.eligible += 1;
                    report.eligible_fen += f.amount.0;
                }
                _ => report.unknown += 1,
            }
            let p = set.get(&f.policy);
            report.rows.push(ScanRow {
                enterprise_name: names.get(&f.uscc).cloned().unwrap_or_default(),
                county_name: self
                    .plan()
                    .org_unit(&f.county)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                county_code: f.county,
                policy_name: p.map(|p| p.name.clone()).unwrap_or_default(),
                policy: f.policy,
                clause: f.clause,
                event_date: f.event_date.to_string(),
                status: f.status,
                amount_fen: f.amount.0,
                amount_yuan: f.amount.yuan_string(),
                missing: f.missing,
                basis: f.basis,
                flags: f.flags,
                facts: serde_json::to_value(&f.facts).unwrap_or(Value::Null),
                uscc: f.uscc,
            });
        }
        Ok(report)
    }
}
