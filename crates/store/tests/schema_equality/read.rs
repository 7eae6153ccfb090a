//! Reading a migrated database's schema into [`Schema`]: SQLite through `sqlite_master` and its
//! table-valued pragmas, PostgreSQL through `information_schema` and `pg_catalog`.

use crate::model::{
    AUTO, Column, ForeignKey, Index, Schema, Table, normalise_predicate, postgres_default, postgres_type,
    sqlite_checks, sqlite_default, sqlite_type,
};
use sqlx::Row;
use std::collections::BTreeMap;

/// sqlx's own bookkeeping (checksums of applied migrations), not part of the schema.
const MIGRATIONS_TABLE: &str = "_sqlx_migrations";

pub async fn sqlite(pool: &sqlx::SqlitePool) -> Schema {
    let names: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> $1 ORDER BY name",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await
    .expect("list SQLite tables");
    let mut schema = Schema::default();
    for (name, sql) in &names {
        let mut t = Table {
            checks: sqlite_checks(sql),
            ..Table::default()
        };
        let cols = sqlx::query(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info($1) ORDER BY cid",
        )
        .bind(name)
        .fetch_all(pool)
        .await
        .expect("table_info");
        let mut pk: Vec<(i64, String)> = Vec::new();
        for c in &cols {
            let col: String = c.get("name");
            let declared: String = c.get("type");
            let k: i64 = c.get("pk");
            if k > 0 {
                pk.push((k, col.clone()));
            }
            t.columns.insert(
                col,
                Column {
                    ty: sqlite_type(&declared),
                    not_null: c.get::<i64, _>("notnull") != 0,
                    default: sqlite_default(c.get::<Option<String>, _>("dflt_value").as_deref()),
                },
            );
        }
        pk.sort();
        t.primary_key = pk.into_iter().map(|(_, c)| c).collect();
        // A lone INTEGER PRIMARY KEY of a rowid table is the rowid: SQLite numbers it.
        if let [only] = t.primary_key.as_slice() {
            let declared = cols
                .iter()
                .find(|c| c.get::<String, _>("name") == *only)
                .map(|c| c.get::<String, _>("type"))
                .unwrap_or_default();
            if declared.eq_ignore_ascii_case("INTEGER")
                && !sql.to_ascii_uppercase().contains("WITHOUT ROWID")
                && let Some(c) = t.columns.get_mut(only)
            {
                c.default = Some(AUTO.into());
            }
        }
        let indexes =
            sqlx::query("SELECT name, \"unique\", origin, partial FROM pragma_index_list($1) ORDER BY name")
                .bind(name)
                .fetch_all(pool)
                .await
                .expect("index_list");
        for ix in &indexes {
            let ix_name: String = ix.get("name");
            let origin: String = ix.get("origin");
            let columns: Vec<String> = sqlx::query_scalar::<_, Option<String>>(
                "SELECT name FROM pragma_index_info($1) ORDER BY seqno",
            )
            .bind(&ix_name)
            .fetch_all(pool)
            .await
            .expect("index_info")
            .into_iter()
            .map(|c| c.unwrap_or_else(|| "<expression>".into()))
            .collect();
            match origin.as_str() {
                "pk" => {}
                "u" => {
                    t.uniques.insert(columns);
                }
                _ => {
                    let predicate = if ix.get::<i64, _>("partial") != 0 {
                        let sql: String = sqlx::query_scalar(
                            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = $1",
                        )
                        .bind(&ix_name)
                        .fetch_one(pool)
                        .await
                        .expect("index sql");
                        let upper = sql.to_ascii_uppercase();
                        let at = upper.rfind(" WHERE ").expect("a partial index has WHERE");
                        Some(normalise_predicate(&sql[at + " WHERE ".len()..]))
                    } else {
                        None
                    };
                    t.indexes.insert(
                        ix_name,
                        Index {
                            columns,
                            unique: ix.get::<i64, _>("unique") != 0,
                            predicate,
                        },
                    );
                }
            }
        }
        let fks = sqlx::query(
            "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete
             FROM pragma_foreign_key_list($1) ORDER BY id, seq",
        )
        .bind(name)
        .fetch_all(pool)
        .await
        .expect("foreign_key_list");
        let mut by_id: BTreeMap<i64, (ForeignKey, Vec<Option<String>>)> = BTreeMap::new();
        for f in &fks {
            let e = by_id.entry(f.get("id")).or_insert_with(|| {
                (
                    ForeignKey {
                        columns: vec![],
                        ref_table: f.get("table"),
                        ref_columns: vec![],
                        on_update: f.get("on_update"),
                        on_delete: f.get("on_delete"),
                    },
                    vec![],
                )
            });
            e.0.columns.push(f.get("from"));
            e.1.push(f.get("to"));
        }
        for (_, (mut fk, to)) in by_id {
            // `REFERENCES t` without columns names t's primary key; resolved below.
            fk.ref_columns = to.into_iter().flatten().collect();
            t.foreign_keys.insert(fk);
        }
        schema.tables.insert(name.clone(), t);
    }
    let pks: BTreeMap<String, Vec<String>> = schema
        .tables
        .iter()
        .map(|(n, t)| (n.clone(), t.primary_key.clone()))
        .collect();
    for t in schema.tables.values_mut() {
        t.foreign_keys = std::mem::take(&mut t.foreign_keys)
            .into_iter()
            .map(|mut fk| {
                if fk.ref_columns.is_empty() {
                    fk.ref_columns = pks.get(&fk.ref_table).cloned().unwrap_or_default();
                }
                fk
            })
            .collect();
    }
    schema
}

pub async fn postgres(pool: &sqlx::PgPool) -> Schema {
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> $1",
    )
    .bind(MIGRATIONS_TABLE)
    .fetch_all(pool)
    .await
    .expect("list PostgreSQL tables");
    for t in tables {
        schema.tables.insert(t, Table::default());
    }
    let cols = sqlx::query(
        "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty,
                character_maximum_length::bigint AS len, is_nullable::text AS nullable,
                column_default::text AS dflt, is_identity::text AS identity
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    for c in &cols {
        let Some(t) = schema.tables.get_mut(&c.get::<String, _>("t")) else {
            continue; // a view's or sqlx's own columns
        };
        t.columns.insert(
            c.get("c"),
            Column {
                ty: postgres_type(&c.get::<String, _>("ty"), c.get("len")),
                not_null: c.get::<String, _>("nullable") == "NO",
                default: postgres_default(
                    c.get::<Option<String>, _>("dflt").as_deref(),
                    c.get::<String, _>("identity") == "YES",
                ),
            },
        );
    }
    // Column lists in key order, through pg_catalog: information_schema has no order for
    // the referenced side of a foreign key.
    let cons = sqlx::query(
        "SELECT (SELECT relname::text FROM pg_class WHERE oid = c.conrelid) AS t, c.contype::text AS kind,
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                      ORDER BY k.i) AS cols,
                (SELECT relname::text FROM pg_class WHERE oid = c.confrelid) AS ref_t,
                ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                      ORDER BY k.i) AS ref_cols,
                c.confupdtype::text AS on_update, c.confdeltype::text AS on_delete,
                pg_get_constraintdef(c.oid) AS def
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f', 'c')",
    )
    .fetch_all(pool)
    .await
    .expect("constraints");
    for c in &cons {
        let Some(t) = schema.tables.get_mut(&c.get::<String, _>("t")) else {
            continue;
        };
        let cols: Vec<String> = c.get("cols");
        match c.get::<String, _>("kind").as_str() {
            "p" => t.primary_key = cols,
            "u" => {
                t.uniques.insert(cols);
            }
            // `CHECK ((target >= 0))`: the same as SQLite's `(target >= 0)` once normalised.
            "c" => {
                let def: String = c.get("def");
                t.checks
                    .insert(normalise_predicate(def.trim_start_matches("CHECK")));
            }
            _ => {
                t.foreign_keys.insert(ForeignKey {
                    columns: cols,
                    ref_table: c.get("ref_t"),
                    ref_columns: c.get("ref_cols"),
                    on_update: fk_action(&c.get::<String, _>("on_update")),
                    on_delete: fk_action(&c.get::<String, _>("on_delete")),
                });
            }
        }
    }
    // Indexes, less those that back a primary key or UNIQUE constraint.
    let ixs = sqlx::query(
        "SELECT t.relname::text AS t, i.relname::text AS ix, x.indisunique AS uniq,
                ARRAY(SELECT COALESCE(a.attname::text, '<expression>')
                      FROM generate_series(0, x.indnkeyatts - 1) k
                      LEFT JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k]
                      ORDER BY k) AS cols,
                pg_get_expr(x.indpred, x.indrelid) AS pred
         FROM pg_index x
         JOIN pg_class i ON i.oid = x.indexrelid
         JOIN pg_class t ON t.oid = x.indrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = current_schema()
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid
                           AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x'))",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    for ix in &ixs {
        let Some(t) = schema.tables.get_mut(&ix.get::<String, _>("t")) else {
            continue;
        };
        t.indexes.insert(
            ix.get("ix"),
            Index {
                columns: ix.get("cols"),
                unique: ix.get("uniq"),
                predicate: ix
                    .get::<Option<String>, _>("pred")
                    .map(|p| normalise_predicate(&p)),
            },
        );
    }
    schema
}

/// `pg_constraint.confupdtype` / `confdeltype` in the words SQLite's pragma uses.
fn fk_action(code: &str) -> String {
    match code {
        "a" => "NO ACTION",
        "r" => "RESTRICT",
        "c" => "CASCADE",
        "n" => "SET NULL",
        "d" => "SET DEFAULT",
        other => return format!("<{other}>"),
    }
    .into()
}
