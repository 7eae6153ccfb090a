//! A list's WHERE clause from the reader's scope and optional conditions, with the
//! parameters numbered in the order they are added.

use crate::{Actor, Result, Scope, StoreError};

#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    conds: Vec<String>,
    binds: Vec<String>,
}

impl Filter {
    /// The rows `actor` may see: the city all, a county its `county_col`, an enterprise its
    /// own `uscc_col`; anyone else is refused.
    pub(crate) fn scoped(actor: &Actor, county_col: &str, uscc_col: &str) -> Result<Self> {
        let mut f = Self::default();
        match actor.scope() {
            Scope::City => {}
            Scope::County(c) => f.add(&format!("{county_col} = ?"), c),
            Scope::Enterprise(u) => f.add(&format!("{uscc_col} = ?"), u),
            Scope::Nothing => return Err(StoreError::Forbidden("该角色不能查看业务数据".into())),
        }
        Ok(f)
    }

    /// Add `cond`, whose every `?` stands for `value`.
    pub(crate) fn add(&mut self, cond: &str, value: String) {
        self.binds.push(value);
        self.conds
            .push(cond.replace('?', &format!("${}", self.binds.len())));
    }

    /// Add a condition that takes no parameter.
    pub(crate) fn add_plain(&mut self, cond: String) {
        self.conds.push(cond);
    }

    /// " WHERE a AND b", or nothing.
    pub(crate) fn where_sql(&self) -> String {
        if self.conds.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.conds.join(" AND "))
        }
    }

    /// A cache key part that tells two filters apart.
    pub(crate) fn key(&self) -> String {
        format!("{}|{:?}", self.where_sql(), self.binds)
    }

    /// `sql` with this filter's parameters bound.
    pub(crate) fn query<'q>(
        &self,
        sql: &'q str,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        let mut q = sqlx::query(sql);
        for b in &self.binds {
            q = q.bind(b.clone());
        }
        q
    }

    /// As [`Filter::query`], for one number (a count).
    pub(crate) fn scalar<'q>(
        &self,
        sql: &'q str,
    ) -> sqlx::query::QueryScalar<'q, sqlx::Any, i64, sqlx::any::AnyArguments<'q>> {
        let mut q = sqlx::query_scalar(sql);
        for b in &self.binds {
            q = q.bind(b.clone());
        }
        q
    }
}

#[cfg(test)]
mod tests {
    use super::Filter;

    #[test]
    fn parameters_are_numbered_in_order_and_repeat_within_a_condition() {
        let mut f = Filter::default();
        assert_eq!(f.where_sql(), "");
        f.add("a = ?", "x".into());
        f.add_plain("b = 2".into());
        f.add("(c LIKE ? OR d LIKE ?)", "y".into());
        assert_eq!(
            f.where_sql(),
            " WHERE a = $1 AND b = 2 AND (c LIKE $2 OR d LIKE $2)"
        );
    }
}
