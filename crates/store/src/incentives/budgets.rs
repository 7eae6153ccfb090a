//! Yearly budgets per funding source: what is committed, paid and left, and setting them.

use super::BudgetRow;
use crate::{Actor, Result, Scope, Store, StoreError};
use clusterdesk_domain::{Fen, Role};
use sqlx::Row;

impl Store {
    /// Budgets with what is committed (approved, unpaid), paid and remaining. City scope only.
    pub async fn list_budgets(&self, actor: &Actor) -> Result<Vec<BudgetRow>> {
        if actor.scope() != Scope::City {
            return Err(StoreError::Forbidden("预算只对市级用户开放".into()));
        }
        let rows = sqlx::query(
            "SELECT b.year, b.funding_source, b.amount_fen, b.updated_by, b.updated_at,
             CAST(COALESCE((SELECT SUM(c.amount_fen) FROM claims c WHERE c.status = 'approved'
                AND c.budget_year = b.year AND c.funding_source = b.funding_source), 0) AS BIGINT),
             CAST(COALESCE((SELECT SUM(l.paid_fen) FROM ledger l WHERE l.budget_year = b.year
                AND l.funding_source = b.funding_source), 0) AS BIGINT),
             CAST(COALESCE((SELECT SUM(c.amount_fen) FROM claims c WHERE c.status = 'held'
                AND c.budget_year = b.year AND c.funding_source = b.funding_source), 0) AS BIGINT)
             FROM budgets b ORDER BY b.year DESC, b.funding_source",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let amount: i64 = r.try_get(2)?;
                let committed: i64 = r.try_get(5)?;
                let paid: i64 = r.try_get(6)?;
                Ok(BudgetRow {
                    year: r.try_get(0)?,
                    funding_source: r.try_get(1)?,
                    amount_fen: amount,
                    committed_fen: committed,
                    paid_fen: paid,
                    remaining_fen: amount - committed - paid,
                    held_fen: r.try_get(7)?,
                    updated_by: r.try_get(3)?,
                    updated_at: r.try_get(4)?,
                })
            })
            .collect()
    }

    /// Set a year's budget for a funding source. 市财政局 only (and the command line).
    pub async fn set_budget(&self, actor: &Actor, year: i64, source: &str, amount: Fen) -> Result<()> {
        let cli = actor.user_id == 0 && actor.role == Role::CityAdmin;
        if !self.is_finance(actor) && !cli {
            return Err(StoreError::Forbidden("只有市财政局可以设置预算".into()));
        }
        if !(2000..=2100).contains(&year) {
            return Err(StoreError::Invalid(format!("year:年度“{year}”无效")));
        }
        let source = source.trim();
        if source.is_empty() {
            return Err(StoreError::Invalid("funding_source:资金来源不能为空".into()));
        }
        if amount.is_negative() {
            return Err(StoreError::Invalid("amount_yuan:预算不能为负".into()));
        }
        let mut tx = self.begin_write().await?;
        let old: Option<i64> =
            sqlx::query_scalar("SELECT amount_fen FROM budgets WHERE year = $1 AND funding_source = $2")
                .bind(year)
                .bind(source)
                .fetch_optional(&mut *tx)
                .await?;
        sqlx::query(
            "INSERT INTO budgets (year, funding_source, amount_fen, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (year, funding_source) DO UPDATE SET amount_fen = excluded.amount_fen,
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(year)
        .bind(source)
        .bind(amount.0)
        .bind(&actor.username)
        .bind(self.now())
        .execute(&mut *tx)
        .await?;
        self.log_change(
            &mut tx,
            actor,
            "budget",
            &format!("{year}/{source}"),
            if old.is_some() { "update" } else { "create" },
            old.map(|f| f.to_string()),
            Some(amount.0.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
