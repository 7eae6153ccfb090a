//! `clusterdesk values load FILE.csv`: a history of values in bulk, all or nothing.
//!
//! The file is UTF-8 CSV (a BOM is allowed) with the header `unit_code,indicator_code,period,value`,
//! one value per line, as stored: `value` is an integer in the indicator's scale (money in fen,
//! 吨标准煤 ×100 …) or the text of a text indicator. Values are only added: one that is already
//! stored refuses the file (corrections go through `clusterdesk import`). The load writes one
//! change-log entry for the file instead of one per value.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use clusterdesk_store::{Actor, Store};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum ValuesCmd {
    /// Load values from a CSV file (unit_code,indicator_code,period,value; money in fen).
    Load(LoadArgs),
}

#[derive(Args)]
pub struct LoadArgs {
    file: PathBuf,
    /// Check every row (and the keys against the database) without writing.
    #[arg(long)]
    dry_run: bool,
    /// Who the change log names; `cli` when absent.
    #[arg(long, default_value = "cli")]
    by: String,
}

pub async fn run(store: &Store, c: &ValuesCmd) -> Result<()> {
    match c {
        ValuesCmd::Load(a) => load(store, a).await,
    }
}

async fn load(store: &Store, a: &LoadArgs) -> Result<()> {
    let name = crate::file_label(&a.file);
    let f = std::fs::File::open(&a.file).with_context(|| format!("无法读取 {}", a.file.display()))?;
    let t0 = std::time::Instant::now();
    let s = store
        .bulk_load_values_csv(
            &Actor::system(&a.by),
            &name,
            std::io::BufReader::with_capacity(1 << 20, f),
            a.dry_run,
        )
        .await?;
    let span = match (&s.first_period, &s.last_period) {
        (Some(f), Some(l)) => format!(",期间 {f} 至 {l}"),
        _ => String::new(),
    };
    let verb = if a.dry_run {
        "检查通过(未写入)"
    } else {
        "装载完成"
    };
    println!(
        "{name}:{verb}:{} 个数据值{span},用时 {:.1} 秒",
        s.rows,
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}
