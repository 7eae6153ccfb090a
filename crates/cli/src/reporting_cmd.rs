//! `clusterdesk datasets | template | import`: the reporting data sets of 四(四) on the command line.

use anyhow::{Context, Result, bail};
use clap::Args;
use clusterdesk_domain::Period;
use clusterdesk_office::reporting::{ImportError, import, template};
use clusterdesk_store::{Actor, Store};
use std::path::PathBuf;

#[derive(Args)]
pub struct TemplateArgs {
    /// The data set's code (`clusterdesk datasets` lists them).
    #[arg(long)]
    dataset: String,
    /// The county's region code, e.g. 130981.
    #[arg(long)]
    county: String,
    /// 2025-03, 2025Q1 or 2025, as the data set is reported.
    #[arg(long)]
    period: String,
    #[arg(short = 'o', long)]
    output: PathBuf,
}

#[derive(Args)]
pub struct ImportArgs {
    file: PathBuf,
    /// Refuse the file unless it is of this data set.
    #[arg(long)]
    dataset: Option<String>,
    /// Check and report without writing.
    #[arg(long)]
    dry_run: bool,
    /// Print the summary and errors as JSON.
    #[arg(long)]
    json: bool,
}

pub fn datasets(store: &Store) {
    let plan = store.plan();
    for d in &plan.datasets {
        let names: Vec<&str> = d
            .indicators
            .iter()
            .filter_map(|c| plan.indicator(c))
            .map(|i| i.name_zh.as_str())
            .collect();
        println!(
            "{:<20} {:<8} {:<8} 次月{}日前报送  {}",
            d.code,
            d.name,
            format!("{:?}", d.period_type).to_lowercase(),
            d.deadline_day,
            names.join("、")
        );
    }
}

pub async fn write_template(store: &Store, a: &TemplateArgs) -> Result<()> {
    let period = Period::parse(&a.period).map_err(|e| anyhow::anyhow!("--period: {e}"))?;
    let bytes = template(store, &Actor::system("cli"), &a.dataset, &a.county, period).await?;
    std::fs::write(&a.output, bytes).with_context(|| format!("无法写入 {}", a.output.display()))?;
    println!("已写入 {}", a.output.display());
    Ok(())
}

pub async fn run_import(store: &Store, a: &ImportArgs) -> Result<()> {
    let name = crate::file_label(&a.file);
    let bytes = match std::fs::read(&a.file) {
        Ok(b) => b,
        Err(e) => {
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({"created": 0, "updated": 0, "unchanged": 0, "rejected": 0,
                        "errors": [{"sheet": "", "cell": "", "row": 0, "column": "", "value": "", "rule": "file_unreadable",
                                    "message": format!("无法读取文件:{e}")}]})
                );
            }
            bail!("无法读取 {}:{e}", a.file.display());
        }
    };
    match import(
        store,
        &Actor::system("cli"),
        &name,
        &bytes,
        a.dataset.as_deref(),
        a.dry_run,
    )
    .await
    {
        Ok(r) => {
            let s = r.summary;
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({"created": s.created, "updated": s.updated, "unchanged": s.unchanged,
                        "rejected": 0, "errors": [], "dataset": r.dataset, "county": r.county, "period": r.period,
                        "dry_run": a.dry_run, "findings": r.findings})
                );
            } else {
                let verb = if a.dry_run {
                    "检查通过(未写入)"
                } else {
                    "导入完成"
                };
                println!(
                    "{name}:{verb}:{} 行;新增 {},更新 {},未变 {} 个数据值",
                    r.rows, s.created, s.updated, s.unchanged
                );
                // Validation findings do not block the import; they are listed for the submitter.
                for f in &r.findings {
                    let at = if f.cell.is_empty() {
                        f.finding.unit_name.clone()
                    } else {
                        format!("{}!{}", f.sheet, f.cell)
                    };
                    println!(
                        "  [{}] {at} {}:{}",
                        f.finding.importance_label, f.finding.indicator_name, f.finding.message
                    );
                }
            }
            Ok(())
        }
        Err(ImportError::Cells(errs)) => {
            // The list is capped per rule; the counts say how many there were.
            let counts = clusterdesk_office::error_counts(&errs);
            if a.json {
                println!(
                    "{}",
                    serde_json::json!({"created": 0, "updated": 0, "unchanged": 0,
                        "rejected": errs.iter().map(|e| e.row).filter(|r| *r > 0).collect::<std::collections::BTreeSet<_>>().len(),
                        "errors": errs, "errors_truncated": counts.truncated, "error_counts": counts.by_rule})
                );
            } else {
                for e in &errs {
                    eprintln!("{e}");
                }
            }
            bail!("{name}:{} 处错误,整个文件未导入", counts.total)
        }
        Err(ImportError::Store(e)) => Err(e.into()),
    }
}
