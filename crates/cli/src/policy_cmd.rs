//! `clusterdesk policy …`: list, calc and test the incentive policies of the plan.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use clusterdesk_domain::Clock;
use clusterdesk_plan::Plan;
use clusterdesk_policy::PolicySet;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PolicyCmd {
    /// Every policy with its clause and the parameters in force.
    List {
        /// The date whose parameters to show; today when absent.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Evaluate the claims of a JSON file and print the results as JSON.
    Calc { file: PathBuf },
    /// Run the YAML tests beside the policies.
    Test {
        /// A policies folder (or a plan folder holding one); the embedded plan's when absent.
        path: Option<PathBuf>,
    },
    /// 免申即享: every enterprise that qualifies for an incentive it has not claimed (from the
    /// registry's dated qualifications and the ledger), with the amount, and those that stay
    /// unknown with what is missing. Reads the database given by --db.
    Scan {
        /// Only events of this year; from the plan's issue date to today when absent.
        #[arg(long)]
        year: Option<i32>,
        /// Print the whole report as JSON.
        #[arg(long)]
        json: bool,
        /// Print the time spent reading and scanning to standard error.
        #[arg(long)]
        timing: bool,
        /// Benchmarks: scan the facts in this folder (enterprises.csv, quals.csv, ledger.csv)
        /// instead of the database, and print a JSON summary (counts, total, milliseconds).
        #[arg(long)]
        facts: Option<PathBuf>,
    },
}

fn load(plan_dir: Option<&PathBuf>) -> Result<(PolicySet, Vec<(String, String)>)> {
    let plan = match plan_dir {
        Some(d) => Plan::load_dir(d).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Plan::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let files = plan.policy_files();
    let set = PolicySet::load(&files).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((set, files))
}

pub async fn run(cmd: &PolicyCmd, plan_dir: Option<&PathBuf>, db: &str, clock: &Clock) -> Result<()> {
    match cmd {
        PolicyCmd::Scan {
            facts: Some(dir),
            year,
            ..
        } => scan_facts(plan_dir, dir, *year, clock),
        PolicyCmd::Scan {
            year, json, timing, ..
        } => scan(plan_dir, db, clock, *year, *json, *timing).await,
        PolicyCmd::List { as_of } => {
            let (set, _) = load(plan_dir)?;
            let date = match as_of {
                Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .with_context(|| format!("日期“{s}”应为 YYYY-MM-DD"))?,
                None => clock.today(),
            };
            print!("{}", clusterdesk_policy::list_text(&set, date));
            Ok(())
        }
        PolicyCmd::Calc { file } => {
            let (set, _) = load(plan_dir)?;
            let input =
                std::fs::read_to_string(file).with_context(|| format!("无法读取 {}", file.display()))?;
            let out = clusterdesk_policy::calc_json(&set, &input)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
        PolicyCmd::Test { path } => {
            let report = match path {
                Some(p) => {
                    // A plan folder holding policies/, or a policies folder itself.
                    let dir = if p.join("policies").is_dir() {
                        p.join("policies")
                    } else {
                        p.clone()
                    };
                    clusterdesk_policy::test_folder(&dir).map_err(|e| anyhow::anyhow!("{e}"))?
                }
                None => {
                    let (set, files) = load(plan_dir)?;
                    set.run_tests(&files)
                }
            };
            println!("{}", report.render());
            if !report.ok() || report.passed == 0 {
                bail!("policy tests failed");
            }
            Ok(())
        }
    }
}

async fn scan(
    plan_dir: Option<&PathBuf>,
    db: &str,
    clock: &Clock,
    year: Option<i32>,
    json: bool,
    timing: bool,
) -> Result<()> {
    let plan = match plan_dir {
        Some(d) => Plan::load_dir(d).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Plan::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let set = PolicySet::load(&plan.policy_files()).map_err(|e| anyhow::anyhow!("{e}"))?;
    if let Some(y) = year
        && !(2000..=2100).contains(&y)
    {
        bail!("--year:“{y}”不是有效的年份");
    }
    let store = clusterdesk_store::Store::open_with_clock(db, std::sync::Arc::new(plan), clock.clone())
        .await
        .with_context(|| format!("无法打开数据库 {db}"))?;
    crate::refuse_false_time(&store, db, false).await?;
    let r = store
        .eligibility_scan(&clusterdesk_store::Actor::system("cli"), &set, year)
        .await?;
    if timing {
        eprintln!(
            "scan: {} enterprises with qualifications in the window, {} findings; load {:.1} ms, engine {:.1} ms",
            r.enterprises,
            r.rows.len(),
            r.load_ms,
            r.scan_ms
        );
    }
    let mut out = String::new();
    if json {
        out = serde_json::to_string_pretty(&r)?;
        out.push('\n');
        return write_out(&out);
    }
    out.push_str(&format!(
        "免申即享扫描(事件日期 {} 至 {}):{} 家企业有相关认定;可享受 {} 项,共 {} 元;待定 {} 项\n",
        r.from,
        r.to,
        r.enterprises,
        r.eligible,
        clusterdesk_policy::eval::yuan_grouped(clusterdesk_domain::Fen(r.eligible_fen)),
        r.unknown
    ));
    for x in &r.rows {
        let what = if x.status == clusterdesk_policy::Status::Eligible {
            format!(
                "{} 元",
                clusterdesk_policy::eval::yuan_grouped(clusterdesk_domain::Fen(x.amount_fen))
            )
        } else {
            format!("待定,缺少 {}", x.missing.join("、"))
        };
        out.push_str(&format!(
            "{}\t{}\t{}\t{} {}\t{}\t{}\t{}\n",
            x.county_name, x.uscc, x.enterprise_name, x.clause, x.policy_name, x.event_date, what, x.basis
        ));
    }
    write_out(&out)
}

/// Write to standard output; a closed pipe (`| head`) is not an error.
fn write_out(s: &str) -> Result<()> {
    use std::io::Write;
    match std::io::stdout().lock().write_all(s.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Rows of a comma-separated file with a header line (no quoting: the benchmark writes codes,
/// dates and integers only).
fn csv_rows(path: &std::path::Path) -> Result<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("无法读取 {}", path.display()))?;
    Ok(text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|c| c.trim().to_string()).collect())
        .collect())
}

/// `policy scan --facts DIR`: the engine alone over facts read from CSV, for the benchmark
/// against the OpenFisca peer (bench/peers/openfisca_scan.py reads the same files).
fn scan_facts(
    plan_dir: Option<&PathBuf>,
    dir: &std::path::Path,
    year: Option<i32>,
    clock: &Clock,
) -> Result<()> {
    use clusterdesk_domain::{Fen, QualKind, Uscc};
    use clusterdesk_policy::LedgerEntry;
    use clusterdesk_policy::scan::{EnterpriseFacts, QualFact, ScanOptions, scan};
    use std::collections::HashMap;
    let (set, _) = load(plan_dir)?;
    let t0 = std::time::Instant::now();
    let date = |s: &str, what: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").with_context(|| format!("{what}:日期“{s}”无效"))
    };
    let mut ents = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, r) in csv_rows(&dir.join("enterprises.csv"))?.into_iter().enumerate() {
        let [uscc, county, first] = &r[..] else {
            bail!(
                "enterprises.csv 第 {} 行应有 3 列(uscc,county,first_data_year)",
                i + 2
            );
        };
        let u = Uscc::parse(uscc).map_err(|e| anyhow::anyhow!("enterprises.csv 第 {} 行:{e}", i + 2))?;
        index.insert(uscc.clone(), ents.len());
        ents.push(EnterpriseFacts {
            uscc: u,
            county: county.clone(),
            quals: Vec::new(),
            first_data_year: first.parse().ok(),
        });
    }
    for (i, r) in csv_rows(&dir.join("quals.csv"))?.into_iter().enumerate() {
        let [uscc, kind, level, from] = &r[..] else {
            bail!("quals.csv 第 {} 行应有 4 列(uscc,kind,level,valid_from)", i + 2);
        };
        let k = QualKind::parse(kind).map_err(|e| anyhow::anyhow!("quals.csv 第 {} 行:{e}", i + 2))?;
        let Some(&at) = index.get(uscc) else {
            bail!("quals.csv 第 {} 行:企业 {uscc} 不在 enterprises.csv 中", i + 2)
        };
        ents[at].quals.push(QualFact {
            kind: k,
            level: level.clone(),
            from: date(from, "quals.csv")?,
        });
    }
    let mut ledger: HashMap<String, Vec<LedgerEntry>> = HashMap::new();
    for (i, r) in csv_rows(&dir.join("ledger.csv"))?.into_iter().enumerate() {
        let [uscc, policy, paid_date, paid_yuan] = &r[..] else {
            bail!(
                "ledger.csv 第 {} 行应有 4 列(uscc,policy,paid_date,paid_yuan)",
                i + 2
            );
        };
        ledger.entry(uscc.clone()).or_default().push(LedgerEntry {
            policy: policy.clone(),
            enterprise: Uscc::parse(uscc).ok(),
            county: None,
            date: date(paid_date, "ledger.csv")?,
            paid: Fen::parse_yuan(paid_yuan)
                .map_err(|e| anyhow::anyhow!("ledger.csv 第 {} 行:{e}", i + 2))?,
            project: None,
        });
    }
    let load_ms = t0.elapsed().as_secs_f64() * 1000.0;
    let (from, to) = clusterdesk_store::incentives::scan_window(&set, year, clock.today());
    let t1 = std::time::Instant::now();
    let findings = scan(&set, &ents, &ledger, &HashMap::new(), ScanOptions { from, to });
    let scan_ms = t1.elapsed().as_secs_f64() * 1000.0;
    let eligible: Vec<_> = findings
        .iter()
        .filter(|f| f.status == clusterdesk_policy::Status::Eligible)
        .collect();
    let mut by_policy: std::collections::BTreeMap<&str, i64> = Default::default();
    for f in &eligible {
        *by_policy.entry(f.policy.as_str()).or_default() += f.amount.0;
    }
    let out = serde_json::json!({
        "engine": "clusterdesk",
        "enterprises": ents.len(),
        "from": from.to_string(),
        "to": to.to_string(),
        "eligible": eligible.len(),
        "eligible_fen": eligible.iter().map(|f| f.amount.0).sum::<i64>(),
        "unknown": findings.len() - eligible.len(),
        "by_policy_fen": by_policy,
        "load_ms": load_ms,
        "scan_ms": scan_ms,
    });
    write_out(&format!("{out}\n"))
}
