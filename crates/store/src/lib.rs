//! Persistence: one Store API over SQLite (embedded default) and PostgreSQL.
//!
//! Queries are written once in the SQL both engines accept (`$1` placeholders, BIGINT, TEXT
//! dates) and run through sqlx's `Any` driver; each engine has its own migrations folder.
//! Every call that reads or writes business data takes an [`Actor`] and is scoped here, in
//! the storage layer, not only in handlers.

pub mod account_admin;
pub mod accounts;
pub mod actor;
pub mod app_role;
pub mod assessment;
pub mod audit;
pub mod audit_archive;
pub mod backup;
pub mod bulk;
mod cache;
pub mod demo;
pub mod error;
mod fastread;
mod filter;
pub mod incentives;
pub mod lockout;
pub mod org_second_factor;
pub mod progress;
pub mod provenance;
pub mod race_hook;
pub mod registry;
pub mod reminders;
pub mod reporting;
pub mod revisions;
pub mod second_factor;
pub mod sessions;
mod sqlite_c;
pub mod testsupport;
pub mod validation;
pub mod values;
mod write;

pub use actor::{Actor, Scope};
pub use error::{Result, StoreError};

use clusterdesk_domain::Clock;
use clusterdesk_plan::Plan;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, ConnectOptions, Executor};
use std::sync::Arc;

/// A statement (or a fast read) taking longer than this is logged at warn level.
pub(crate) const SLOW_STATEMENT: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    plan: Arc<Plan>,
    /// The connection URL, for paths that need an engine's own connection (bulk loading).
    url: String,
    /// SQLite only: connections for reads stepped through the C API (`fastread.rs`).
    reads: Option<sqlx::SqlitePool>,
    /// The time of every timestamp the store writes and of every "today" it decides by.
    clock: Clock,
    /// Session lifetimes and password ageing (`with_session_rules`).
    sessions: clusterdesk_domain::session::SessionRules,
    /// Computed results reused until the data version moves (`cache.rs`).
    cache: Arc<cache::ResultCache>,
}

/// Turn the `--db` argument into a connection URL: a bare path means a SQLite file.
pub fn database_url(arg: &str) -> (String, Engine) {
    if arg.starts_with("postgres://") || arg.starts_with("postgresql://") {
        (arg.to_string(), Engine::Postgres)
    } else if let Some(path) = arg
        .strip_prefix("sqlite://")
        .or_else(|| arg.strip_prefix("sqlite:"))
    {
        (format!("sqlite://{path}?mode=rwc"), Engine::Sqlite)
    } else {
        (format!("sqlite://{arg}?mode=rwc"), Engine::Sqlite)
    }
}

impl Store {
    /// Open (creating if needed) the database, run its migrations and load the plan into it.
    pub async fn open(db: &str, plan: Arc<Plan>) -> Result<Store> {
        Self::open_with_clock(db, plan, Clock::system()).await
    }

    /// [`Store::open`] with the clock the store writes its timestamps by.
    pub async fn open_with_clock(db: &str, plan: Arc<Plan>, clock: Clock) -> Result<Store> {
        install_default_drivers();
        let (url, engine) = database_url(db);
        let mut opts = AnyPoolOptions::new();
        // Pools sized for the cores: a read holds its connection for its whole query.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
        opts = match engine {
            // One writer at a time is SQLite's nature; readers share the file in WAL mode.
            Engine::Sqlite => opts.max_connections((2 * cores).max(4)).after_connect(|conn, _| {
                Box::pin(async move {
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 10000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    // Residual information (GB/T 22239-2019 8.1.4.10): what is deleted (ended
                    // sessions and their CSRF tokens, spent recovery codes, old password
                    // hashes) is overwritten in the file, not left in free pages.
                    conn.execute("PRAGMA secure_delete = ON").await?;
                    Ok(())
                })
            }),
            Engine::Postgres => opts.max_connections((4 * cores).clamp(16, 40)),
        };
        // Statements slower than SLOW_STATEMENT are logged at warn with their SQL.
        let conn = url
            .parse::<sqlx::any::AnyConnectOptions>()?
            .log_slow_statements(log::LevelFilter::Warn, SLOW_STATEMENT);
        let pool = opts.connect_with(conn).await?;
        if engine == Engine::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let reads = match engine {
            Engine::Sqlite => {
                use std::str::FromStr;
                // A larger page cache and memory-mapped reads: the progress reads walk tens of
                // megabytes of index, which the default 2 MB cache re-reads through the kernel.
                let opts = sqlx::sqlite::SqliteConnectOptions::from_str(&url)?
                    .busy_timeout(std::time::Duration::from_secs(10))
                    .pragma("cache_size", "-65536")
                    .pragma("mmap_size", "1073741824");
                Some(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(cores.max(2))
                        .connect_lazy_with(opts),
                )
            }
            Engine::Postgres => None,
        };
        let store = Store {
            pool,
            engine,
            plan,
            url,
            reads,
            clock,
            sessions: Default::default(),
            cache: Default::default(),
        };
        store.migrate().await?;
        store.sync_plan().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let migrator = match self.engine {
            Engine::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Engine::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // The application's PostgreSQL role may not create tables (`app_role`): a database
        // its owner has migrated is used as it is; one that needs migrating says so.
        if self.engine == Engine::Postgres && self.all_applied(&migrator).await? {
            return Ok(());
        }
        match migrator.run(&self.pool).await {
            Err(sqlx::migrate::MigrateError::Execute(sqlx::Error::Database(e)))
                if e.code().as_deref() == Some("42501") =>
            {
                Err(StoreError::Invalid(format!(
                    "数据库需要升级,但当前数据库账户无权建表({e});请用数据库所有者的账户运行 clusterdesk --db 所有者地址 migrate"
                )))
            }
            r => Ok(r?),
        }
    }

    /// Whether every migration the program carries is recorded as applied.
    async fn all_applied(&self, migrator: &sqlx::migrate::Migrator) -> Result<bool> {
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '_sqlx_migrations'",
        )
        .fetch_one(&self.pool)
        .await?;
        if exists == 0 {
            return Ok(false);
        }
        let applied: Vec<i64> = sqlx::query_scalar("SELECT version FROM _sqlx_migrations WHERE success")
            .fetch_all(&self.pool)
            .await?;
        Ok(migrator
            .iter()
            .filter(|m| !m.migration_type.is_down_migration())
            .all(|m| applied.contains(&m.version)))
    }

    /// The store with other session lifetimes and password ageing (the server's settings).
    pub fn with_session_rules(mut self, rules: clusterdesk_domain::session::SessionRules) -> Store {
        self.sessions = rules;
        self
    }

    pub fn session_rules(&self) -> &clusterdesk_domain::session::SessionRules {
        &self.sessions
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// The instant as stored (RFC 3339, UTC, milliseconds), from the store's clock.
    pub fn now(&self) -> String {
        self.clock.timestamp()
    }

    /// Today in Beijing, from the store's clock.
    pub fn today(&self) -> chrono::NaiveDate {
        self.clock.today()
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// The connection URL (for `pg_dump` and `pg_restore`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Upsert the plan's org tree, clusters and indicators, so that foreign keys hold.
    async fn sync_plan(&self) -> Result<()> {
        // No data version bump: a store opened with the same plan changes nothing, and its own
        // cache starts empty.
        let mut tx = self.pool.begin().await?;
        // Parents first: the city, then everything under it.
        let mut units: Vec<_> = self.plan.org_units.iter().enumerate().collect();
        units.sort_by_key(|(_, u)| u.parent.is_some());
        for (i, u) in units {
            sqlx::query(
                "INSERT INTO org_units (code, name, kind, parent, sort_key) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, kind = excluded.kind,
                 parent = excluded.parent, sort_key = excluded.sort_key",
            )
            .bind(&u.code)
            .bind(&u.name)
            .bind(u.kind.code())
            .bind(u.parent.clone())
            .bind(i as i64)
            .execute(&mut *tx)
            .await?;
        }
        for c in &self.plan.clusters {
            let industries: Vec<String> = c.industries.iter().map(|i| i.to_string()).collect();
            sqlx::query(
                "INSERT INTO clusters (code, name, full_name, county_code, attachment, industries)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (code) DO UPDATE SET name = excluded.name, full_name = excluded.full_name,
                 county_code = excluded.county_code, attachment = excluded.attachment,
                 industries = excluded.industries",
            )
            .bind(&c.code)
            .bind(&c.name)
            .bind(&c.full_name)
            .bind(&c.county)
            .bind(c.attachment as i64)
            .bind(industries.join(";"))
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO cluster_plans (cluster_code) VALUES ($1) ON CONFLICT (cluster_code) DO NOTHING",
            )
            .bind(&c.code)
            .execute(&mut *tx)
            .await?;
        }
        for i in &self.plan.indicators {
            sqlx::query(
                "INSERT INTO indicators (code, name_zh, unit, value_type, scale) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, unit = excluded.unit,
                 value_type = excluded.value_type, scale = excluded.scale",
            )
            .bind(&i.code)
            .bind(&i.name_zh)
            .bind(&i.unit)
            .bind(i.value_type.code())
            .bind(i.scale as i64)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether this database may be run at a set time (`CLUSTERDESK_NOW`): demo and test data only.
    pub async fn allows_fixed_clock(&self) -> Result<bool> {
        Ok(self.meta_get("demo_seed").await?.is_some() || self.meta_get("test_data").await?.is_some())
    }

    pub async fn meta_get(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn meta_set(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

impl Store {
    /// Record one change: who, when, what it was before and what it is now.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn log_change(
        &self,
        conn: &mut sqlx::AnyConnection,
        actor: &Actor,
        entity: &str,
        key: &str,
        action: &str,
        old: Option<String>,
        new: Option<String>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO change_log (at, actor, entity, entity_key, action, old_value, new_value)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(self.now())
        .bind(&actor.username)
        .bind(entity)
        .bind(key)
        .bind(action)
        .bind(&old)
        .bind(&new)
        .execute(&mut *conn)
        .await?;
        // Account changes are audited by name where they are made (user_create,
        // password_change, …); every other change goes into the audit trail here, in the same
        // transaction: a data change is recorded there or not made at all.
        if entity == "user" {
            return Ok(());
        }
        let e = audit::AuditEntry::new(&actor.username, "data_change", format!("{entity}:{key}")).with(
            serde_json::json!({
                "change": action,
                "old_sha256": old.as_deref().map(audit::digest),
                "new_sha256": new.as_deref().map(audit::digest),
            }),
        );
        self.audit_in(conn, e).await
    }
}
