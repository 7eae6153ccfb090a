//! `clusterdesk assessment`: the county assessment (考核) of a year — composite ranking, the
//! 三(二)1 park-entry transfer and the 三(二)2 net new above-scale table — as text or JSON.

use anyhow::{Result, bail};
use clap::Args;
use clusterdesk_domain::Fen;
use clusterdesk_policy::PolicySet;
use clusterdesk_store::assessment::{AssessmentReport, default_period};
use clusterdesk_store::{Actor, Store};

#[derive(Args, Clone)]
pub struct AssessmentArgs {
    /// The year (e.g. 2025); the year of the latest month with data when absent. The current
    /// year runs to its latest month with data.
    #[arg(long)]
    year: Option<i32>,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
}

pub async fn run(store: &Store, a: &AssessmentArgs) -> Result<()> {
    let files = store.plan().policy_files();
    let set = PolicySet::load(&files).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (latest_year, latest_month) = default_period(store).await?;
    let year = a.year.unwrap_or(latest_year);
    if !(2000..=2100).contains(&year) {
        bail!("--year:“{year}”不是有效的年份");
    }
    let month = if year == latest_year { latest_month } else { 12 };
    if year > latest_year {
        bail!("--year:{year} 年还没有数据(最新数据为 {latest_year} 年 {latest_month} 月)");
    }
    let r = store
        .assessment(&Actor::system("cli"), &set, year, month, store.today())
        .await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_text(&r);
    }
    Ok(())
}

fn yuan(fen: i64) -> String {
    clusterdesk_policy::eval::yuan_grouped(Fen(fen))
}

fn print_text(r: &AssessmentReport) {
    let span = if r.complete {
        format!("{} 年度", r.year)
    } else {
        format!("{} 年 1–{} 月(暂定)", r.year, &r.as_of[5..])
    };
    println!("{}({}):{span}", r.name, r.clause);
    let heads: Vec<String> = r
        .indicators
        .iter()
        .filter(|i| i.weight > 0)
        .map(|i| format!("{}({}分)", i.name, i.weight))
        .collect();
    println!("名次  县(市)          综合得分  {}  较上年", heads.join("  "));
    for row in &r.rows {
        let scores: Vec<String> = r
            .indicators
            .iter()
            .zip(&row.values)
            .filter(|(i, _)| i.weight > 0)
            .map(|(_, v)| format!("{}={}", v.raw_text, v.score.clone().unwrap_or_else(|| "—".into())))
            .collect();
        let change = match row.rank_change {
            Some(0) => "持平".to_string(),
            Some(c) if c > 0 => format!("↑{c}"),
            Some(c) => format!("↓{}", -c),
            None => "—".into(),
        };
        println!(
            "{:>3}{}  {:<12}  {:>8}  {}  {change}",
            row.rank,
            if row.tied { "=" } else { " " },
            row.name,
            row.composite,
            scores.join("  ")
        );
    }
    for n in &r.notes {
        println!("注:{n}");
    }
    println!();
    let pe = &r.park_entry;
    println!(
        "入园进区考核排名转移({}){}",
        pe.clause,
        if pe.provisional { "(暂定)" } else { "" }
    );
    match &pe.error {
        Some(e) => println!("  无法计算:{e}"),
        None => {
            for t in &pe.rows {
                println!(
                    "{:>3}{}  {:<12} 入园 {:>4} 家  {:>16} 元{}",
                    t.place,
                    if t.tied { "=" } else { " " },
                    t.name,
                    t.park_entries,
                    yuan(t.amount_fen),
                    if t.flags.is_empty() {
                        String::new()
                    } else {
                        format!("  [{}]", t.flags.join(";"))
                    }
                );
            }
            println!("  合计 {} 元", yuan(pe.total_fen));
        }
    }
    match &r.transfer_decision.finalized {
        Some(f) => {
            println!("  已定稿:{} 于 {}", f.finalized_by, f.finalized_at);
            for d in &r.transfer_decision.differences {
                println!("  ⚠ 与定稿不一致:{d}");
            }
        }
        None => println!("  未定稿(页面 /assessment 由市工信局定稿)"),
    }
    println!();
    println!("净增规上工业企业(三(二)2)");
    println!("县(市)          年初  新入统  小升规  新建/未区分  退出  净增  目标  完成率  目标来源");
    for a in &r.above_scale {
        println!(
            "{:<12}  {:>5}  {:>5}  {:>5}  {:>5}  {:>4}  {:>4}  {:>4}  {}  {}",
            a.name,
            a.start,
            a.entered,
            a.small_to_above,
            a.newly_built_or_unknown,
            a.exits,
            a.net_new,
            a.target.map(|t| t.to_string()).unwrap_or_else(|| "—".into()),
            a.attainment_pct
                .as_ref()
                .map(|p| format!("{p}%"))
                .unwrap_or_else(|| "—".into()),
            a.target_source_text
        );
    }
}
