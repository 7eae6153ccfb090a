//! Two engines, one schema: the SQLite and PostgreSQL migration folders are kept equal by hand,
//! and this test checks that they are. It migrates a fresh database of each engine, reads back
//! tables, columns (types in a common vocabulary, see `model.rs`), nullability, defaults,
//! primary keys, UNIQUE and CHECK constraints, foreign keys and indexes, and compares them; it also checks
//! that both folders hold the same migration files.
//!
//! The PostgreSQL side needs CLUSTERDESK_TEST_PG (a server URL, as for every database test).
//! Without it that one test says so loudly on stderr and checks the SQLite side only; with it,
//! a server that cannot be reached fails the test.

mod model;
mod read;

use clusterdesk_plan::Plan;
use clusterdesk_store::Store;
use clusterdesk_store::testsupport::{TempDir, fresh_db, unique};
use model::{Column, Schema, Table, compare, compare_migration_files, migration_files};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Differences between the engines that are theirs, not the migrations', applied to the
/// SQLite side before comparing. Keep this list short; each entry says why it cannot be fixed
/// in a migration.
///
/// 1. A PRIMARY KEY column counts as NOT NULL. PostgreSQL makes every key column NOT NULL;
///    SQLite does so for its `INTEGER PRIMARY KEY` (the rowid) but, for compatibility with its
///    early versions, not for other key columns (https://www.sqlite.org/lang_createtable.html,
///    "PRIMARY KEY constraints"). Adding NOT NULL there means rebuilding every such table on
///    SQLite; the store binds every key it writes, and the PostgreSQL side enforces it.
fn engine_exceptions(sqlite: &mut Schema) {
    for t in sqlite.tables.values_mut() {
        for k in t.primary_key.clone() {
            if let Some(c) = t.columns.get_mut(&k) {
                c.not_null = true;
            }
        }
    }
}

fn folder(engine: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine)
}

/// A new SQLite file in a folder of its own, and its URL.
fn sqlite_file() -> (String, TempDir) {
    let dir = std::env::temp_dir().join(unique("schema_equality"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("schema.db").display().to_string();
    (path, TempDir::folder(dir))
}

/// The schema the store's own migrations give a fresh SQLite database.
async fn sqlite_schema() -> (Schema, TempDir) {
    let (path, dir) = sqlite_file();
    let store = Store::open(&path, Arc::new(Plan::embedded().expect("plan")))
        .await
        .expect("open SQLite store");
    drop(store);
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}"))
        .await
        .expect("connect SQLite");
    let mut s = read::sqlite(&pool).await;
    pool.close().await;
    engine_exceptions(&mut s);
    (s, dir)
}

#[test]
fn both_folders_hold_the_same_migration_files() {
    let sqlite = migration_files(&folder("sqlite"));
    let postgres = migration_files(&folder("postgres"));
    assert!(
        sqlite.contains("0001_foundation.sql"),
        "read the real folder: {sqlite:?}"
    );
    let diff = compare_migration_files("SQLite", &sqlite, "PostgreSQL", &postgres);
    assert!(diff.is_empty(), "migration folders differ:\n{}", diff.join("\n"));
}

#[tokio::test]
async fn sqlite_and_postgres_migrate_to_the_same_schema() {
    let (sqlite, _dir) = sqlite_schema().await;
    // The reader sees what the migrations made, so an empty comparison means something.
    let values = &sqlite.tables["data_values"];
    assert_eq!(values.primary_key, ["unit_code", "indicator_code", "period"]);
    assert!(values.indexes["data_values_yearly"].predicate.is_some());
    assert!(sqlite.tables.len() > 20, "{:?}", sqlite.tables.keys());
    assert_eq!(
        sqlite.tables["above_scale_targets"].checks,
        ["target>=0".to_string()].into()
    );

    if std::env::var("CLUSTERDESK_TEST_PG").map_or(true, |v| v.is_empty()) {
        eprintln!(
            "\n*** schema_equality: PostgreSQL SKIPPED — set CLUSTERDESK_TEST_PG=postgres://… \
             (as ./scripts/test does) to compare the SQLite schema with PostgreSQL's ***\n"
        );
        return;
    }
    let (url, _db) = fresh_db().await;
    let store = Store::open(&url, Arc::new(Plan::embedded().expect("plan")))
        .await
        .expect("open PostgreSQL store");
    drop(store);
    let pool = sqlx::PgPool::connect(&url).await.expect("connect PostgreSQL");
    let postgres = read::postgres(&pool).await;
    pool.close().await;

    let diff = compare("SQLite", &sqlite, "PostgreSQL", &postgres);
    assert!(
        diff.is_empty(),
        "the SQLite and PostgreSQL migrations define different schemas (fix with a new \
         migration in the folder that is behind):\n{}",
        diff.join("\n")
    );
}

fn table(cols: &[(&str, &str, bool)]) -> Table {
    let mut t = Table::default();
    for (name, ty, not_null) in cols {
        t.columns.insert(
            name.to_string(),
            Column {
                ty: ty.to_string(),
                not_null: *not_null,
                default: None,
            },
        );
    }
    t.primary_key = vec![cols[0].0.to_string()];
    t
}

#[test]
fn an_extra_column_is_named_with_its_table() {
    let mut a = Schema::default();
    a.tables.insert(
        "meta".into(),
        table(&[("key", "text", true), ("value", "text", true)]),
    );
    let mut b = a.clone();
    assert!(compare("SQLite", &a, "PostgreSQL", &b).is_empty());

    b.tables.get_mut("meta").unwrap().columns.insert(
        "note".into(),
        Column {
            ty: "text".into(),
            not_null: false,
            default: None,
        },
    );
    assert_eq!(
        compare("SQLite", &a, "PostgreSQL", &b),
        ["table `meta`: column `note` is in PostgreSQL only"]
    );
    assert_eq!(
        compare("PostgreSQL", &b, "SQLite", &a),
        ["table `meta`: column `note` is in PostgreSQL only"]
    );

    // A narrower integer and a lost NOT NULL are differences too.
    let mut c = a.clone();
    let col = c
        .tables
        .get_mut("meta")
        .unwrap()
        .columns
        .get_mut("value")
        .unwrap();
    col.ty = model::postgres_type("integer", None);
    col.not_null = false;
    assert_eq!(
        compare("SQLite", &a, "PostgreSQL", &c),
        [
            "table `meta`: column `value` has type text in SQLite, int32 in PostgreSQL",
            "table `meta`: column `value` is NOT NULL in SQLite, nullable in PostgreSQL",
        ]
    );
}

#[test]
fn the_type_vocabulary() {
    for (sqlite, pg) in [
        ("INTEGER", "bigint"),
        ("BIGINT", "bigint"),
        ("TEXT", "text"),
        ("VARCHAR(20)", "text"),
        ("REAL", "double precision"),
        ("BLOB", "bytea"),
        ("NUMERIC", "numeric"),
    ] {
        assert_eq!(
            model::sqlite_type(sqlite),
            model::postgres_type(pg, None),
            "{sqlite} / {pg}"
        );
    }
    assert_ne!(
        model::sqlite_type("INTEGER"),
        model::postgres_type("integer", None)
    );
    assert_ne!(
        model::sqlite_type("TEXT"),
        model::postgres_type("character varying", Some(20))
    );
    assert_eq!(
        model::postgres_default(Some("''::text"), false).as_deref(),
        Some("''")
    );
    assert_eq!(
        model::postgres_default(Some("'-1'::integer"), false).as_deref(),
        Some("-1")
    );
    assert_eq!(
        model::postgres_default(Some("nextval('users_id_seq'::regclass)"), false).as_deref(),
        Some(model::AUTO)
    );
    assert_eq!(
        model::sqlite_checks(
            "CREATE TABLE t (a BIGINT NOT NULL CHECK (a >= 0), -- check later\n b TEXT, CHECK(length(b) < 9))"
        ),
        [
            model::normalise_predicate("a >= 0"),
            model::normalise_predicate("length(b) < 9"),
        ]
        .into()
    );
}

/// The Done-when of issue 11 item 7: a column added to one engine's migrations only fails.
/// A copy of the SQLite folder with one more migration, against the real folder.
#[tokio::test]
async fn a_migration_in_one_folder_only_is_caught() {
    let (original, _d1) = sqlite_schema().await;

    let (path, dir) = sqlite_file();
    let changed = dir.path().expect("a folder").join("migrations");
    std::fs::create_dir_all(&changed).unwrap();
    for f in migration_files(&folder("sqlite")) {
        std::fs::copy(folder("sqlite").join(&f), changed.join(&f)).unwrap();
    }
    std::fs::write(
        changed.join("0099_extra_column.sql"),
        "ALTER TABLE meta ADD COLUMN note TEXT;\n",
    )
    .unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{path}?mode=rwc"))
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(changed.clone())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let mut extended = read::sqlite(&pool).await;
    pool.close().await;
    engine_exceptions(&mut extended);

    assert_eq!(
        compare("SQLite", &extended, "PostgreSQL", &original),
        ["table `meta`: column `note` is in SQLite only"]
    );
    assert_eq!(
        compare_migration_files(
            "SQLite",
            &migration_files(&changed),
            "PostgreSQL",
            &migration_files(&folder("postgres")),
        ),
        ["migration `0099_extra_column.sql` is in the SQLite folder only"]
    );
}
