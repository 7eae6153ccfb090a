//! A schema in an engine-neutral vocabulary, and the comparison of two of them.
//!
//! Column types are mapped to one vocabulary before they are compared:
//!
//! | common    | SQLite (declared type, by SQLite's affinity rules) | PostgreSQL        |
//! |-----------|-----------------------------------------------------|-------------------|
//! | `int64`   | any type containing `INT` (INTEGER, BIGINT, …)      | `bigint`          |
//! | `text`    | containing `CHAR`, `CLOB` or `TEXT`                 | `text`, `varchar` without a length |
//! | `float64` | containing `REAL`, `FLOA` or `DOUB`                 | `double precision`|
//! | `blob`    | containing `BLOB`, or no type                       | `bytea`           |
//! | `numeric` | anything else (NUMERIC, DECIMAL, BOOLEAN, DATE …)   | `numeric`         |
//!
//! Every SQLite integer is 64 bits wide, so PostgreSQL's narrower `integer` and `smallint`
//! map to `int32` / `int16` and differ from SQLite's `int64`: such a column would overflow on
//! PostgreSQL with a value SQLite keeps. Likewise `varchar(n)` maps to `text(n)` (SQLite does
//! not enforce lengths), `real` to `float32`, `boolean` to `bool`; other PostgreSQL types keep
//! their own name prefixed `pg:`, so they never match by accident.
//!
//! Defaults are compared after dropping PostgreSQL's casts (`''::text` is `''`). A column the
//! engine numbers by itself (SQLite's `INTEGER PRIMARY KEY`, PostgreSQL's `BIGSERIAL` or
//! identity) has the default [`AUTO`].
//!
//! Indexes that only back a PRIMARY KEY or UNIQUE constraint (SQLite's `sqlite_autoindex_*`,
//! PostgreSQL's `*_pkey` / `*_key`) are not compared as indexes: their names are the engine's
//! own, and the constraints they back are compared as `primary_key` and `uniques`. Partial
//! index predicates and CHECK expressions are compared as text without blanks or parentheses.

use std::collections::{BTreeMap, BTreeSet};

/// The default of a column whose values the engine assigns (rowid alias, serial, identity).
pub const AUTO: &str = "<auto-increment>";

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// In key order; empty without a primary key.
    pub primary_key: Vec<String>,
    /// UNIQUE constraints, each its columns in order.
    pub uniques: BTreeSet<Vec<String>>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    /// Indexes made by CREATE INDEX, by name.
    pub indexes: BTreeMap<String, Index>,
    /// CHECK constraints, each its expression normalised by [`normalise_predicate`].
    pub checks: BTreeSet<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// In the common vocabulary (see the module's documentation).
    pub ty: String,
    pub not_null: bool,
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub on_update: String,
    pub on_delete: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub columns: Vec<String>,
    pub unique: bool,
    /// A partial index's WHERE clause, normalised by [`normalise_predicate`].
    pub predicate: Option<String>,
}

/// The common type of a SQLite declared type (the affinity rules of
/// https://www.sqlite.org/datatype3.html, section 3.1, in their order).
pub fn sqlite_type(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    if t.contains("INT") {
        "int64"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t.contains("BLOB") || t.trim().is_empty() {
        "blob"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "float64"
    } else {
        "numeric"
    }
    .to_string()
}

/// The common type of a PostgreSQL `information_schema.columns.data_type` (with the column's
/// `character_maximum_length`).
pub fn postgres_type(data_type: &str, max_length: Option<i64>) -> String {
    match (data_type, max_length) {
        ("bigint", _) => "int64".into(),
        ("integer", _) => "int32".into(),
        ("smallint", _) => "int16".into(),
        ("text", _) | ("character varying", None) => "text".into(),
        ("character varying", Some(n)) => format!("text({n})"),
        ("character", n) => format!("char({})", n.unwrap_or(1)),
        ("double precision", _) => "float64".into(),
        ("real", _) => "float32".into(),
        ("bytea", _) => "blob".into(),
        ("numeric", _) => "numeric".into(),
        ("boolean", _) => "bool".into(),
        (other, _) => format!("pg:{other}"),
    }
}

/// A PostgreSQL column default without its casts (`'{}'::text` → `'{}'`, `'-1'::integer` →
/// `-1`); a sequence's `nextval(…)` is [`AUTO`].
pub fn postgres_default(default: Option<&str>, identity: bool) -> Option<String> {
    if identity {
        return Some(AUTO.into());
    }
    let mut d = default?.trim().to_string();
    if d.starts_with("nextval(") {
        return Some(AUTO.into());
    }
    // Trailing casts, possibly several (`'x'::character varying::text`).
    while let Some(i) = d.rfind("::") {
        let cast = &d[i + 2..];
        if cast
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '_' || c == '[' || c == ']')
        {
            d.truncate(i);
        } else {
            break;
        }
    }
    let d = strip_parens(&d);
    // PostgreSQL quotes a negative number it casts (`'-1'::integer`); SQLite keeps `-1`.
    if let Some(inner) = d.strip_prefix('\'').and_then(|s| s.strip_suffix('\''))
        && inner.parse::<f64>().is_ok()
    {
        return Some(inner.to_string());
    }
    Some(d.to_string())
}

/// A SQLite column default as written in the CREATE TABLE, without enclosing parentheses.
pub fn sqlite_default(default: Option<&str>) -> Option<String> {
    default.map(|d| strip_parens(d.trim()).to_string())
}

fn strip_parens(mut s: &str) -> &str {
    while s.starts_with('(') && s.ends_with(')') {
        s = s[1..s.len() - 1].trim();
    }
    s
}

/// A partial index's predicate in a form both engines agree on: lower case, without blanks,
/// parentheses or PostgreSQL's `::text` casts (PostgreSQL prints `(length(period) = 4)` for
/// `length(period) = 4`).
pub fn normalise_predicate(p: &str) -> String {
    p.replace("::text", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '(' && *c != ')')
        .collect::<String>()
        .to_lowercase()
}

/// The CHECK expressions of a SQLite CREATE TABLE statement (SQLite keeps no catalogue of
/// them), normalised by [`normalise_predicate`].
pub fn sqlite_checks(create_table: &str) -> BTreeSet<String> {
    // Comments may say "check"; they are not part of a constraint.
    let sql: String = create_table
        .lines()
        .map(|l| l.split("--").next().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n");
    let upper = sql.to_ascii_uppercase();
    let mut out = BTreeSet::new();
    let mut from = 0;
    while let Some(i) = upper[from..].find("CHECK") {
        let at = from + i;
        from = at + "CHECK".len();
        let word_start = at == 0 || !upper.as_bytes()[at - 1].is_ascii_alphanumeric();
        let rest = sql[from..].trim_start();
        if !word_start || !rest.starts_with('(') {
            continue;
        }
        let mut depth = 0;
        for (k, ch) in rest.char_indices() {
            match ch {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                out.insert(normalise_predicate(&rest[..=k]));
                break;
            }
        }
    }
    out
}

/// Every difference between two schemas, one line each, naming the table and the column,
/// constraint or index; empty when they are equal. `a` and `b` name the two sides.
pub fn compare(a_name: &str, a: &Schema, b_name: &str, b: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for name in union(a.tables.keys(), b.tables.keys()) {
        match (a.tables.get(name), b.tables.get(name)) {
            (Some(ta), Some(tb)) => compare_table(name, a_name, ta, b_name, tb, &mut out),
            (Some(_), None) => out.push(format!("table `{name}` is in {a_name} only")),
            (None, Some(_)) => out.push(format!("table `{name}` is in {b_name} only")),
            (None, None) => unreachable!(),
        }
    }
    out
}

fn compare_table(t: &str, a_name: &str, a: &Table, b_name: &str, b: &Table, out: &mut Vec<String>) {
    for col in union(a.columns.keys(), b.columns.keys()) {
        match (a.columns.get(col), b.columns.get(col)) {
            (Some(ca), Some(cb)) => {
                if ca.ty != cb.ty {
                    out.push(format!(
                        "table `{t}`: column `{col}` has type {} in {a_name}, {} in {b_name}",
                        ca.ty, cb.ty
                    ));
                }
                if ca.not_null != cb.not_null {
                    let n = |x: bool| if x { "NOT NULL" } else { "nullable" };
                    out.push(format!(
                        "table `{t}`: column `{col}` is {} in {a_name}, {} in {b_name}",
                        n(ca.not_null),
                        n(cb.not_null)
                    ));
                }
                if ca.default != cb.default {
                    out.push(format!(
                        "table `{t}`: column `{col}` defaults to {:?} in {a_name}, {:?} in {b_name}",
                        ca.default, cb.default
                    ));
                }
            }
            (Some(_), None) => out.push(format!("table `{t}`: column `{col}` is in {a_name} only")),
            (None, Some(_)) => out.push(format!("table `{t}`: column `{col}` is in {b_name} only")),
            (None, None) => unreachable!(),
        }
    }
    if a.primary_key != b.primary_key {
        out.push(format!(
            "table `{t}`: primary key ({}) in {a_name}, ({}) in {b_name}",
            a.primary_key.join(", "),
            b.primary_key.join(", ")
        ));
    }
    for u in a.uniques.symmetric_difference(&b.uniques) {
        let side = if a.uniques.contains(u) { a_name } else { b_name };
        out.push(format!(
            "table `{t}`: UNIQUE ({}) is in {side} only",
            u.join(", ")
        ));
    }
    for fk in a.foreign_keys.symmetric_difference(&b.foreign_keys) {
        let side = if a.foreign_keys.contains(fk) {
            a_name
        } else {
            b_name
        };
        out.push(format!(
            "table `{t}`: foreign key ({}) REFERENCES {}({}) ON UPDATE {} ON DELETE {} is in {side} only",
            fk.columns.join(", "),
            fk.ref_table,
            fk.ref_columns.join(", "),
            fk.on_update,
            fk.on_delete
        ));
    }
    for c in a.checks.symmetric_difference(&b.checks) {
        let side = if a.checks.contains(c) { a_name } else { b_name };
        out.push(format!("table `{t}`: CHECK ({c}) is in {side} only"));
    }
    for ix in union(a.indexes.keys(), b.indexes.keys()) {
        match (a.indexes.get(ix), b.indexes.get(ix)) {
            (Some(ia), Some(ib)) if ia != ib => out.push(format!(
                "table `{t}`: index `{ix}` is {} in {a_name}, {} in {b_name}",
                describe(ia),
                describe(ib)
            )),
            (Some(_), Some(_)) => {}
            (Some(_), None) => out.push(format!("table `{t}`: index `{ix}` is in {a_name} only")),
            (None, Some(_)) => out.push(format!("table `{t}`: index `{ix}` is in {b_name} only")),
            (None, None) => unreachable!(),
        }
    }
}

fn describe(i: &Index) -> String {
    format!(
        "{}({}){}",
        if i.unique { "UNIQUE " } else { "" },
        i.columns.join(", "),
        i.predicate
            .as_ref()
            .map(|p| format!(" WHERE {p}"))
            .unwrap_or_default()
    )
}

fn union<'a>(
    a: impl Iterator<Item = &'a String>,
    b: impl Iterator<Item = &'a String>,
) -> BTreeSet<&'a String> {
    a.chain(b).collect()
}

/// The migration files of a folder, by name.
pub fn migration_files(dir: &std::path::Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| {
            e.expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".sql"))
        .collect()
}

/// Differences between two folders' migration file names, and any file name whose version
/// number is missing or repeated within its folder.
pub fn compare_migration_files(
    a_name: &str,
    a: &BTreeSet<String>,
    b_name: &str,
    b: &BTreeSet<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    for f in a.symmetric_difference(b) {
        let side = if a.contains(f) { a_name } else { b_name };
        out.push(format!("migration `{f}` is in the {side} folder only"));
    }
    for (side, files) in [(a_name, a), (b_name, b)] {
        let mut seen = BTreeMap::new();
        for f in files {
            let version = f.split('_').next().and_then(|v| v.parse::<u64>().ok());
            match version {
                None => out.push(format!(
                    "migration `{f}` ({side}) does not start with a version number"
                )),
                Some(v) => {
                    if let Some(other) = seen.insert(v, f) {
                        out.push(format!(
                            "migrations `{other}` and `{f}` ({side}) share version {v}"
                        ));
                    }
                }
            }
        }
    }
    out
}
