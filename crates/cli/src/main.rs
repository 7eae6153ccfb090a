//! The `clusterdesk` binary: serve, demo, users, registry import, policy tools.

mod assessment_cmd;
mod audit_cmd;
mod backup_cmd;
mod policy_cmd;
mod progress_cmd;
mod reporting_cmd;
mod values_cmd;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand};
use clusterdesk_domain::{Clock, Period, Role};
use clusterdesk_plan::Plan;
use clusterdesk_store::accounts::{NewUser, random_token};
use clusterdesk_store::demo::{DemoOptions, DemoReport};
use clusterdesk_store::{Engine, Store, database_url};
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "clusterdesk", version, about = "县域特色产业集群转型升级服务平台")]
struct Cli {
    /// Database: a file path, sqlite://PATH or postgres://…
    #[arg(long, global = true, default_value = "clusterdesk.db", env = "CLUSTERDESK_DB")]
    db: String,
    /// A plan folder to use instead of the embedded Cangzhou plan.
    #[arg(long, global = true, env = "CLUSTERDESK_PLAN")]
    plan: Option<PathBuf>,
    /// County boundaries (GeoJSON, Polygon/MultiPolygon, features named by county name or code)
    /// for the maps, instead of the schematic grid; same as `counties.geojson` in the plan folder.
    #[arg(long, global = true, env = "CLUSTERDESK_GEOJSON")]
    geojson: Option<PathBuf>,
    /// Run as if it were this time (Beijing unless an offset is given): 2026-12-02T10:00:00+08:00,
    /// 2026-12-02 10:00 or 2026-12-02. Only for demo and test databases; the clock runs on from it.
    #[arg(long, global = true, env = "CLUSTERDESK_NOW")]
    now: Option<String>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the web UI and the JSON API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Fill an empty database with the demo city first.
        #[arg(long)]
        demo: bool,
        /// Speak HTTPS only: the certificate chain (PEM, the server's own first).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// The certificate's private key (PEM: PKCS#8, RSA or EC).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
    },
    /// Fill an empty database with a deterministic demo city.
    Demo(DemoArgs),
    /// A consistent copy of the database, taken while the server runs (SQLite: a database
    /// file; PostgreSQL: a pg_dump archive).
    Backup { file: PathBuf },
    /// Bring a backup back into --db (stop the server first). A database holding accounts is
    /// only replaced with --force.
    Restore {
        file: PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Bring the database's tables up to this version (run as their owner); on PostgreSQL,
    /// --app-role NAME then grants that role the application's rights, the audit trail
    /// append-only. The server and other commands then connect as NAME.
    Migrate {
        #[arg(long)]
        app_role: Option<String>,
    },
    /// The audit trail: `audit verify` checks its chain.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCmd),
    /// Manage user accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// The enterprise registry: import and template.
    #[command(subcommand)]
    Registry(RegistryCmd),
    /// Check a plan folder and print what it holds.
    PlanCheck {
        /// The folder; the embedded plan when absent.
        dir: Option<PathBuf>,
    },
    /// The incentive policies: list, calculate, test.
    #[command(subcommand)]
    Policy(policy_cmd::PolicyCmd),
    /// List the reporting data sets (四(四)).
    Datasets,
    /// Write the .xlsx template of a data set for one county and period.
    Template(reporting_cmd::TemplateArgs),
    /// Import a filled-in data set file (.xlsx or .csv), all or nothing.
    Import(reporting_cmd::ImportArgs),
    /// Progress of the 2025 targets (二): value, target, status, forecast.
    Progress(progress_cmd::ProgressArgs),
    /// The county assessment (考核): ranking, 三(二)1 transfer, 三(二)2 net new 规上.
    Assessment(assessment_cmd::AssessmentArgs),
    /// Stored values in bulk: load a history from CSV (bureau administrators).
    #[command(subcommand)]
    Values(values_cmd::ValuesCmd),
}

#[derive(Args, Clone)]
struct DemoArgs {
    #[arg(long, default_value_t = 20_000)]
    enterprises: usize,
    #[arg(long, default_value = "2021-01")]
    from: String,
    /// The last month of data; the month before today (Beijing) when absent.
    #[arg(long)]
    to: Option<String>,
    #[arg(long, default_value_t = 2022)]
    seed: u64,
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user. The password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// city_admin, city_department, county_operator, county_leader, enterprise, leader,
        /// system_admin, security_admin or auditor.
        #[arg(long)]
        role: String,
        /// A region code, a department code or a USCC.
        #[arg(long)]
        org: String,
        #[arg(long)]
        password_stdin: bool,
        /// The user must change this password at first login.
        #[arg(long)]
        temporary: bool,
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// List users.
    List,
    /// Lift the sign-in locks on a user name (every address).
    Unlock { username: String },
    /// Disable an account; its sessions end at once.
    Disable { username: String },
    /// Enable a disabled account again.
    Enable { username: String },
    /// Give an account a new second factor (TOTP secret and recovery codes), printed once;
    /// the old ones stop working.
    Totp { username: String },
}

#[derive(Subcommand)]
enum RegistryCmd {
    /// Import enterprises from .xlsx or .csv, all or nothing.
    Import {
        file: PathBuf,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Write the enterprise import template.
    Template {
        #[arg(short = 'o', long)]
        output: PathBuf,
    },
}

/// The name an imported file goes by in reports and the change log: its file name, or
/// `input` when the path has none in UTF-8.
fn file_label(path: &std::path::Path) -> String {
    path.file_name()
        .and_then(|s| s.to_str())
        .unwrap_or("input")
        .to_string()
}

fn load_plan(dir: Option<&PathBuf>) -> Result<Arc<Plan>> {
    let plan = match dir {
        Some(d) => Plan::load_dir(d).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Plan::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    Ok(Arc::new(plan))
}

/// The plan with the operator's county boundaries, refused unless some feature names a county.
fn with_geojson(plan: Arc<Plan>, file: Option<&PathBuf>) -> Result<Arc<Plan>> {
    let Some(file) = file else { return Ok(plan) };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("无法读取 GeoJSON 文件 {}", file.display()))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "{}: 不是有效的 GeoJSON(JSON 第{}行): {e}",
            file.display(),
            e.line()
        )
    })?;
    let names: Vec<String> = doc["features"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .flat_map(|f| ["name", "NAME", "code", "adcode"].map(|k| f["properties"][k].to_string()))
                .collect()
        })
        .unwrap_or_default();
    let matched = plan
        .counties()
        .filter(|c| {
            names
                .iter()
                .any(|n| n.trim_matches('"') == c.name || n.trim_matches('"') == c.code)
        })
        .count();
    if matched == 0 {
        anyhow::bail!(
            "{}: 没有与本方案县(市)名称或代码相符的要素(properties.name 或 code)",
            file.display()
        );
    }
    let mut plan = (*plan).clone();
    plan.extra_files.retain(|f| f.path != "counties.geojson");
    plan.extra_files.push(clusterdesk_plan::SourceFile {
        path: "counties.geojson".into(),
        text,
    });
    Ok(Arc::new(plan))
}

/// The clock of this run: the real time, or the one `--now` / `CLUSTERDESK_NOW` sets.
fn clock(cli: &Cli) -> Result<Clock> {
    match cli.now.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(Clock::system()),
        Some(s) => Clock::from_setting(s).map_err(|e| anyhow::anyhow!("--now / CLUSTERDESK_NOW:{e}")),
    }
}

async fn open(cli: &Cli) -> Result<Store> {
    open_for(cli, false).await
}

/// Open the database. A set clock is refused unless the database holds demo or test data (or,
/// with `making_demo`, is empty and about to), so that a real deployment never runs at a false time.
async fn open_for(cli: &Cli, making_demo: bool) -> Result<Store> {
    let plan = with_geojson(load_plan(cli.plan.as_ref())?, cli.geojson.as_ref())?;
    let clock = clock(cli)?;
    let store = Store::open_with_clock(&cli.db, plan, clock)
        .await
        .with_context(|| format!("无法打开数据库 {}", cli.db))?;
    refuse_false_time(&store, &cli.db, making_demo).await?;
    Ok(store)
}

/// A set clock on a database that holds neither demo nor test data is refused.
pub(crate) async fn refuse_false_time(store: &Store, db: &str, making_demo: bool) -> Result<()> {
    if store.clock().is_fixed() && !store.allows_fixed_clock().await? {
        let empty = enterprise_count(store).await? == 0 && store.user_count().await? == 0;
        if !(making_demo && empty) {
            bail!(
                "--now / CLUSTERDESK_NOW 只能用于演示或测试数据库;数据库 {db} 不是由 clusterdesk demo 生成的,正式运行须使用系统时间"
            );
        }
    }
    Ok(())
}

fn demo_password() -> String {
    // Hex digits only, so the random part can never spell a demo user name (the password rules
    // refuse a password containing it).
    std::env::var("CLUSTERDESK_DEMO_PASSWORD").unwrap_or_else(|_| {
        let hex: String = random_token()
            .bytes()
            .take(12)
            .map(|b| char::from_digit(u32::from(b % 16), 16).expect("below 16"))
            .collect();
        format!("Demo-{hex}")
    })
}

fn print_demo(report: &DemoReport, password: &str) {
    println!(
        "演示数据已生成:{} 家企业,{} 个数据值。",
        report.enterprises, report.values
    );
    println!("演示账户(密码均为 {password};有动态口令密钥的账户登录时还须输入动态口令):");
    for a in &report.accounts {
        let secret = a.totp_secret.as_deref().unwrap_or("");
        println!(
            "  {:<14} {:<16} {:<20} {secret}",
            a.username,
            a.role.label(),
            a.org_name
        );
    }
}

/// The second factor of an account, shown once to its holder.
fn print_enrolment(e: &clusterdesk_store::second_factor::Enrolment) {
    println!(
        "用户 {} 的动态口令(登录时须输入手机动态口令应用中的6位数字):",
        e.username
    );
    println!("  密钥(在应用中手动输入,基于时间):{}", e.secret);
    println!("  应用地址:{}", e.uri);
    println!(
        "  恢复码(每个可代替动态口令使用一次,请妥善保管):{}",
        e.recovery_codes.join("  ")
    );
}

/// `CLUSTERDESK_DEMO_TOTP_SECRET`: the demo accounts' TOTP secret in base32, so that scripts
/// and tests can compute their codes.
fn demo_totp_secret() -> Result<Option<Vec<u8>>> {
    match std::env::var("CLUSTERDESK_DEMO_TOTP_SECRET") {
        Ok(s) if !s.trim().is_empty() => clusterdesk_domain::totp::base32_decode(&s)
            .filter(|b| b.len() >= 10)
            .map(Some)
            .ok_or_else(|| anyhow::anyhow!("CLUSTERDESK_DEMO_TOTP_SECRET 应为至少16个base32字符(A–Z、2–7)")),
        _ => Ok(None),
    }
}

async fn run_demo(store: &Store, a: &DemoArgs) -> Result<()> {
    let opts = DemoOptions {
        enterprises: a.enterprises,
        from: Period::parse(&a.from).map_err(|e| anyhow::anyhow!("--from: {e}"))?,
        to: match &a.to {
            Some(t) => Period::parse(t).map_err(|e| anyhow::anyhow!("--to: {e}"))?,
            None => clusterdesk_store::demo::last_month(store.today()),
        },
        seed: a.seed,
        password: demo_password(),
        totp_secret: demo_totp_secret()?,
    };
    if !matches!(opts.from, Period::Month { .. })
        || !matches!(opts.to, Period::Month { .. })
        || opts.to < opts.from
    {
        bail!("--from 和 --to 应为月份(如 2021-01),且 --to 不早于 --from");
    }
    let report = clusterdesk_store::demo::generate(store, &opts).await?;
    print_demo(&report, &opts.password);
    Ok(())
}

async fn serve(cli: &Cli, bind: &str, demo: bool, tls: Option<(&PathBuf, &PathBuf)>) -> Result<()> {
    // A bad certificate stops the start before the database is opened or created.
    let tls = match tls {
        Some((cert, key)) => Some(clusterdesk_web::tls::load(cert, key)?),
        None => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let store = open_for(cli, demo).await?;
    if demo {
        let n: i64 = enterprise_count(&store).await?;
        if n == 0 {
            println!("正在生成演示数据……");
            run_demo(
                &store,
                &DemoArgs {
                    enterprises: 20_000,
                    from: "2021-01".into(),
                    to: None,
                    seed: 2022,
                },
            )
            .await?;
        } else {
            println!("数据库中已有数据,跳过演示数据生成(演示账户密码见首次生成时的输出)。");
        }
    }
    let setup = if store.user_count().await? == 0 {
        let t = random_token()[..12].to_string();
        Some(t)
    } else {
        None
    };
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("无法监听 {bind}"))?;
    let addr = listener.local_addr()?;
    println!("clusterdesk 已启动:{scheme}://{addr}/");
    if store.clock().is_fixed() {
        println!(
            "时钟已设定(CLUSTERDESK_NOW):现在是北京时间 {}",
            store.clock().now_beijing().format("%Y年%-m月%-d日 %H:%M")
        );
    }
    if let Some(t) = &setup {
        println!(
            "首次使用:系统中还没有账户。打开 {scheme}://{addr}/setup ,输入一次性设置码 {t} 创建安全管理员,再由他建立其他账户;"
        );
        println!(
            "或运行 clusterdesk user add --role security_admin --org 130900 --username NAME --password-stdin"
        );
    }
    let state = clusterdesk_web::AppState::new(store, setup);
    match tls {
        Some(config) => clusterdesk_web::tls::serve(listener, config, state).await?,
        None => clusterdesk_web::serve(listener, state).await?,
    }
    Ok(())
}

async fn enterprise_count(store: &Store) -> Result<i64> {
    Ok(store
        .list_enterprises(&audit_cmd::cli_actor(), &Default::default())
        .await?
        .total)
}

fn read_password(from_stdin: bool) -> Result<String> {
    if !from_stdin {
        bail!("请用 --password-stdin 从标准输入提供密码(命令行参数中的密码会留在历史记录里)");
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s)?;
    let p = s.trim_end_matches(['\r', '\n']).to_string();
    if p.is_empty() {
        bail!("标准输入中没有密码");
    }
    Ok(p)
}

#[tokio::main]
async fn main() {
    // Piped into `head`, the output should stop quietly, as other command-line tools do,
    // rather than panic on a closed pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default action of one signal at start-up, before any thread uses it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            // CLUSTERDESK_LOG, else the RUST_LOG most Rust programs read, else warnings only,
            // without sqlx's slow statements: it prints them whole, and a demo or a bulk load
            // writes statements of thousands of parameters that are slow by design.
            tracing_subscriber::EnvFilter::try_from_env("CLUSTERDESK_LOG")
                .or_else(|_| tracing_subscriber::EnvFilter::try_from_default_env())
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,sqlx::query=error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("错误:{e:#}");
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> Result<()> {
    match &cli.cmd {
        Cmd::Serve {
            bind,
            demo,
            tls_cert,
            tls_key,
        } => serve(&cli, bind, *demo, tls_cert.as_ref().zip(tls_key.as_ref())).await,
        Cmd::Demo(a) => {
            let store = open_for(&cli, true).await?;
            run_demo(&store, a).await
        }
        Cmd::User(UserCmd::Add {
            username,
            role,
            org,
            password_stdin,
            temporary,
            display_name,
        }) => {
            let role = Role::parse(role).map_err(|e| anyhow::anyhow!("--role: {e}"))?;
            let password = read_password(*password_stdin)?;
            let store = open(&cli).await?;
            store
                .create_user(
                    &audit_cmd::cli_actor(),
                    NewUser {
                        username: username.clone(),
                        display_name: display_name.clone(),
                        password,
                        role,
                        org_code: org.clone(),
                        temporary: *temporary,
                    },
                )
                .await?;
            println!("已创建用户 {username}({})", role.label());
            if role.needs_second_factor() {
                let e = store
                    .enrol_totp(&audit_cmd::cli_actor(), username.trim(), None)
                    .await?;
                print_enrolment(&e);
            }
            Ok(())
        }
        Cmd::Audit(c) => {
            let store = open(&cli).await?;
            audit_cmd::run(&store, c).await
        }
        Cmd::Migrate { app_role } => {
            let store = open(&cli).await?;
            let who = audit_cmd::cli_actor().username;
            let mut target = "tables".to_string();
            if let Some(role) = app_role {
                store.grant_app_role(role).await?;
                target = format!("app_role {role}");
            }
            store
                .audit(clusterdesk_store::audit::AuditEntry::new(&who, "migrate", target))
                .await?;
            match app_role {
                Some(role) => println!("数据库已是最新版本;已授予角色 {role} 应用所需权限(审计日志只能追加)"),
                None => println!("数据库已是最新版本"),
            }
            Ok(())
        }
        Cmd::Backup { file } => {
            let store = open(&cli).await?;
            backup_cmd::backup(&store, file).await
        }
        Cmd::Restore { file, force } => {
            let pg = database_url(&cli.db).1 == Engine::Postgres;
            let current = if pg { Some(open(&cli).await?) } else { None };
            backup_cmd::restore(&cli.db, file, *force, current).await?;
            // Opening migrates a backup of an older version to this one.
            let store = open(&cli).await?;
            backup_cmd::print_counts(&store.table_counts().await?);
            let who = audit_cmd::cli_actor().username;
            let e = clusterdesk_store::audit::AuditEntry::new(&who, "restore", file.display().to_string());
            store.audit(e).await?;
            Ok(())
        }
        Cmd::User(UserCmd::Totp { username }) => {
            let store = open(&cli).await?;
            let e = store
                .enrol_totp(&audit_cmd::cli_actor(), username.trim(), None)
                .await?;
            print_enrolment(&e);
            Ok(())
        }
        Cmd::User(UserCmd::Unlock { username }) => {
            let store = open(&cli).await?;
            let n = store
                .unlock_user(&audit_cmd::cli_actor(), username.trim())
                .await?;
            if n == 0 {
                println!("用户 {username} 没有登录锁定");
            } else {
                println!("已解除用户 {username} 的登录锁定({n} 个来源地址)");
            }
            Ok(())
        }
        Cmd::User(UserCmd::Disable { username }) | Cmd::User(UserCmd::Enable { username }) => {
            let off = matches!(&cli.cmd, Cmd::User(UserCmd::Disable { .. }));
            let store = open(&cli).await?;
            store
                .set_user_disabled(&audit_cmd::cli_actor(), username, off)
                .await?;
            println!("已{}用户 {username}", if off { "停用" } else { "启用" });
            Ok(())
        }
        Cmd::User(UserCmd::List) => {
            let store = open(&cli).await?;
            for u in store.list_users().await? {
                println!(
                    "{:<16} {:<12} {:<16} {}",
                    u.username,
                    u.role.code(),
                    u.org_code,
                    u.display_name
                );
            }
            Ok(())
        }
        Cmd::Registry(RegistryCmd::Import { file, dry_run, json }) => {
            let bytes = std::fs::read(file).with_context(|| format!("无法读取 {}", file.display()))?;
            let store = open(&cli).await?;
            let name = file_label(file);
            let result = clusterdesk_office::enterprises::import(
                &store,
                &audit_cmd::cli_actor(),
                &name,
                &bytes,
                *dry_run,
            )
            .await;
            match result {
                Ok(s) => {
                    if *json {
                        println!(
                            "{}",
                            serde_json::json!({"created": s.created, "updated": s.updated, "unchanged": s.unchanged, "rejected": 0, "errors": []})
                        );
                    } else {
                        let verb = if *dry_run {
                            "检查通过(未写入)"
                        } else {
                            "导入完成"
                        };
                        println!(
                            "{verb}:新增 {},更新 {},未变 {}",
                            s.created, s.updated, s.unchanged
                        );
                    }
                    Ok(())
                }
                Err(clusterdesk_office::enterprises::ImportError::Cells(errs)) => {
                    // The list is capped per rule; the counts say how many there were.
                    let counts = clusterdesk_office::error_counts(&errs);
                    if *json {
                        println!(
                            "{}",
                            serde_json::json!({"created": 0, "updated": 0, "unchanged": 0, "rejected": counts.total, "errors": errs,
                                "errors_truncated": counts.truncated, "error_counts": counts.by_rule})
                        );
                    } else {
                        for e in &errs {
                            eprintln!("{e}");
                        }
                    }
                    bail!("{name}:{} 处错误,整个文件未导入", counts.total)
                }
                Err(clusterdesk_office::enterprises::ImportError::Store(e)) => Err(e.into()),
            }
        }
        Cmd::Registry(RegistryCmd::Template { output }) => {
            let plan = load_plan(cli.plan.as_ref())?;
            let bytes = clusterdesk_office::enterprises::template(&plan)?;
            std::fs::write(output, bytes)?;
            println!("已写入 {}", output.display());
            Ok(())
        }
        Cmd::PlanCheck { dir } => {
            let plan = load_plan(dir.as_ref().or(cli.plan.as_ref()))?;
            println!(
                "{}({}):{} 个组织机构,{} 个县(市),{} 个集群,{} 个指标,{} 个目标,{} 项任务",
                plan.meta.name,
                plan.meta.doc_number,
                plan.org_units.len(),
                plan.counties().count(),
                plan.clusters.len(),
                plan.indicators.len(),
                plan.targets.len(),
                plan.tasks.len()
            );
            Ok(())
        }
        Cmd::Datasets => {
            reporting_cmd::datasets(&open(&cli).await?);
            Ok(())
        }
        Cmd::Template(a) => reporting_cmd::write_template(&open(&cli).await?, a).await,
        Cmd::Import(a) => reporting_cmd::run_import(&open(&cli).await?, a).await,
        Cmd::Policy(p) => policy_cmd::run(p, cli.plan.as_ref(), &cli.db, &clock(&cli)?).await,
        Cmd::Progress(a) => progress_cmd::run(&open(&cli).await?, a).await,
        Cmd::Assessment(a) => assessment_cmd::run(&open(&cli).await?, a).await,
        Cmd::Values(c) => values_cmd::run(&open(&cli).await?, c).await,
    }
}
