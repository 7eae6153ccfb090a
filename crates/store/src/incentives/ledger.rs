//! The ledger of payouts as the actor may see it.

use super::LedgerRow;
use crate::{Actor, Result, Store};
use clusterdesk_domain::Fen;
use clusterdesk_policy::PolicySet;
use serde_json::Value;
use sqlx::Row;

impl Store {
    /// Payouts the actor may see, newest first.
    pub async fn list_ledger(
        &self,
        actor: &Actor,
        set: &PolicySet,
        year: Option<i64>,
    ) -> Result<Vec<LedgerRow>> {
        let mut f = crate::filter::Filter::scoped(actor, "l.county_code", "l.uscc")?;
        if let Some(y) = year {
            f.add_plain(format!("l.budget_year = {y}"));
        }
        let sql = format!(
            "SELECT l.id, l.policy, l.uscc, e.name, l.county_code, l.paid_date, l.paid_fen, l.project, l.funding_source,
             l.budget_year, l.trace, l.claim_id, l.recorded_by, l.recorded_at
             FROM ledger l LEFT JOIN enterprises e ON e.uscc = l.uscc{} ORDER BY l.paid_date DESC, l.id DESC LIMIT 5000",
            f.where_sql()
        );
        f.query(&sql)
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(|r| {
                let policy: String = r.try_get(1)?;
                let p = set.get(&policy);
                let county: Option<String> = r.try_get(4)?;
                let paid: i64 = r.try_get(6)?;
                let trace: String = r.try_get(10)?;
                Ok(LedgerRow {
                    id: r.try_get(0)?,
                    policy_name: p.map(|p| p.name.clone()).unwrap_or_else(|| policy.clone()),
                    clause: p.map(|p| p.clause.clone()).unwrap_or_default(),
                    policy,
                    uscc: r.try_get(2)?,
                    enterprise_name: r.try_get(3)?,
                    county_name: county
                        .as_deref()
                        .and_then(|c| self.plan().org_unit(c))
                        .map(|u| u.name.clone()),
                    county_code: county,
                    paid_date: r.try_get(5)?,
                    paid_fen: paid,
                    paid_yuan: Fen(paid).yuan_string(),
                    project: r.try_get(7)?,
                    funding_source: r.try_get(8)?,
                    budget_year: r.try_get(9)?,
                    outcome: serde_json::from_str(&trace).unwrap_or(Value::Null),
                    claim_id: r.try_get(11)?,
                    recorded_by: r.try_get(12)?,
                    recorded_at: r.try_get(13)?,
                })
            })
            .collect()
    }
}
