//! `clusterdesk progress`: every target of 二 with its clause id, value, target, status and
//! forecast, as a readable Chinese table or as JSON.

use anyhow::{Result, bail};
use clap::Args;
use clusterdesk_domain::Period;
use clusterdesk_store::progress::{
    ForecastMethod, ProgressReport, QuotaStatus, TargetProgress, show_value as show,
};
use clusterdesk_store::{Actor, Store};

#[derive(Args, Clone)]
pub struct ProgressArgs {
    /// The month the report is as of (e.g. 2025-12); the latest month with data when absent.
    #[arg(long)]
    as_of: Option<String>,
    /// One county-level unit (region code, name or alias, e.g. 130981 or 泊头市).
    #[arg(long)]
    county: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Benchmark (bench/progress.sh): compute the progress and the dashboard figures N times,
    /// timed inside the process, and print the times and the answers as JSON.
    #[arg(long, hide = true)]
    bench_runs: Option<u32>,
}

/// Parse `--as-of`: a month within the range periods allow.
pub fn parse_as_of(s: &str) -> Result<Period> {
    match Period::parse(s) {
        Ok(p @ Period::Month { .. }) => Ok(p),
        Ok(_) => bail!("--as-of 应为月份,如 2025-12(而不是“{s}”)"),
        Err(e) => bail!("--as-of:{}", e.message),
    }
}

pub async fn run(store: &Store, a: &ProgressArgs) -> Result<()> {
    let plan = store.plan();
    let county = match &a.county {
        None => None,
        Some(c) => {
            let unit = plan
                .org_unit(c.trim())
                .filter(|u| u.kind == clusterdesk_plan::OrgKind::County)
                .or_else(|| plan.county_by_name(c));
            match unit {
                Some(u) => Some(u.code.clone()),
                None => bail!("--county:“{c}”不是本方案中的县(市)(可用代码如 130981,或名称如 泊头市)"),
            }
        }
    };
    let as_of = match &a.as_of {
        Some(s) => parse_as_of(s)?,
        None => match store.latest_month("revenue").await? {
            Some(p) => parse_as_of(&p)?,
            None => bail!("数据库中没有月度数据;请用 --as-of 指定月份"),
        },
    };
    if let Some(n) = a.bench_runs {
        return bench(store, as_of, county.as_deref(), n).await;
    }
    let report = store
        .target_progress(&Actor::system("cli"), as_of, county.as_deref())
        .await?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_table(&report);
    }
    Ok(())
}

fn target_text(t: &TargetProgress) -> String {
    match (&t.target_growth_pct, &t.target) {
        (Some(g), Some(v)) => format!("年均≥{g}%(≈{})", show(v, &t.unit)),
        (Some(g), None) => format!("年均≥{g}%"),
        (None, Some(v)) => t.level_text(v, "≥"),
        (None, None) => "—".into(),
    }
}

fn forecast_text(t: &TargetProgress) -> String {
    match &t.forecast {
        None => "—".into(),
        Some(f) if f.method == ForecastMethod::Actual => "期限已到".into(),
        Some(f) => {
            let met = match f.met {
                Some(true) => "可达成",
                Some(false) => "难达成",
                None => "—",
            };
            let [value, low, high] = f.shown(&t.unit);
            format!("{}年 {value}[{low}–{high}] {met}", f.deadline_year)
        }
    }
}

/// Columns on a terminal: CJK characters take two cells.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c, '–' | '≥' | '·') {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, w: usize, right: bool) -> String {
    let fill = " ".repeat(w.saturating_sub(width(s)));
    if right {
        format!("{fill}{s}")
    } else {
        format!("{s}{fill}")
    }
}

fn print_table(r: &ProgressReport) {
    println!("{} 目标进度(截至{})", r.scope_name, r.as_of_label);
    let head = [
        pad("条款", 11, false),
        pad("目标", 34, false),
        pad("当前值", 30, true),
        pad("目标值", 26, true),
        pad("状态", 12, false),
    ];
    println!("{} 预测", head.join(" "));
    for t in &r.targets {
        let growth = match (t.target_growth_pct.is_some(), t.observed_rate) {
            (true, Some(o)) => format!("(年均{:.1}%)", o * 100.0),
            _ => String::new(),
        };
        let fin = if t.is_final { "·终" } else { "" };
        let cols = [
            pad(&t.id, 11, false),
            pad(&t.name, 34, false),
            pad(
                &format!("{}{growth} [{}]", show(&t.value, &t.unit), t.value_period),
                30,
                true,
            ),
            pad(&target_text(t), 26, true),
            pad(&format!("{}{fin}", t.status_label), 12, false),
        ];
        println!("{} {}", cols.join(" "), forecast_text(t));
    }
    println!();
    println!("三、重点行动中的年度与常设指标(截至{})", r.as_of_label);
    for q in &r.quotas {
        let mut need = Vec::new();
        if let Some(m) = &q.min {
            need.push(format!("≥{m}"));
        }
        if let Some(m) = &q.max {
            need.push(format!("≤{m}"));
        }
        if let Some(a) = &q.approx {
            need.push(format!("约{a}"));
        }
        let value = q
            .value
            .map(|v| format!("{v}{}", q.unit))
            .unwrap_or_else(|| "—".into());
        let behind: Vec<String> = q
            .units
            .iter()
            .filter(|u| u.status != QuotaStatus::Met)
            .map(|u| format!("{} {}", u.name, u.value))
            .collect();
        let units = if behind.is_empty() || behind.len() > 6 {
            String::new()
        } else {
            format!(" 未完成:{}", behind.join("、"))
        };
        println!(
            "{} {} {} {} {}{units}",
            pad(&q.id, 11, false),
            pad(&q.name, 34, false),
            pad(&format!("{value}({})", q.basis_note), 44, false),
            pad(&need.join(" "), 12, false),
            q.status_label
        );
    }
    println!(
        "状态:已达成 / 进度正常(观测/所需年均增速 ≥0.95)/ 需加快(0.6–0.95)/ 进展有限(0–0.6)/ 倒退(<0);“终”为期限已到的最终结果。"
    );
}

/// `--bench-runs N`: the two questions of the progress benchmark (BENCHMARKS.md), each timed
/// N times in this process; the answers in stored units (fen, counts, percent × 100) so that
/// the peer's can be compared exactly.
async fn bench(store: &Store, as_of: Period, county: Option<&str>, n: u32) -> Result<()> {
    let actor = Actor::system("bench");
    let (mut progress_ms, mut dashboard_ms) = (Vec::new(), Vec::new());
    let (mut progress_cpu_ms, mut dashboard_cpu_ms) = (Vec::new(), Vec::new());
    let (mut report, mut dash) = (None, None);
    for _ in 0..n.max(1) {
        let (t0, c0) = (std::time::Instant::now(), cpu_ms());
        report = Some(store.target_progress(&actor, as_of, county).await?);
        progress_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        progress_cpu_ms.push(cpu_ms() - c0);
        let (t0, c0) = (std::time::Instant::now(), cpu_ms());
        dash = Some(store.dashboard(&actor, "revenue", 10).await?);
        dashboard_ms.push(t0.elapsed().as_secs_f64() * 1000.0);
        dashboard_cpu_ms.push(cpu_ms() - c0);
    }
    let (report, dash) = (report.expect("one run"), dash.expect("one run"));
    // Series values are built as Decimal::new(stored, scale): the mantissa is the stored integer.
    let progress: serde_json::Map<String, serde_json::Value> = report
        .targets
        .iter()
        .map(|t| {
            let s: Vec<_> = t
                .series
                .iter()
                .map(|p| serde_json::json!([p.period, p.value.mantissa() as i64]))
                .collect();
            (t.id.clone(), serde_json::Value::from(s))
        })
        .collect();
    let out = serde_json::json!({
        "engine": "clusterdesk",
        "progress_ms": progress_ms,
        "dashboard_ms": dashboard_ms,
        "progress_cpu_ms": progress_cpu_ms,
        "dashboard_cpu_ms": dashboard_cpu_ms,
        "progress": progress,
        "dashboard": {
            "latest_month": dash.latest_month,
            "month_total": dash.month_total,
            "ytd_total": dash.ytd_total,
            "ytd_prev_total": dash.ytd_prev_total,
            "counties": dash.counties.iter().map(|(k, f)| (k.clone(), serde_json::json!([f.month, f.ytd, f.ytd_prev]))).collect::<serde_json::Map<_, _>>(),
            "clusters": dash.clusters.iter().map(|(k, f)| (k.clone(), serde_json::json!([f.month, f.ytd, f.ytd_prev]))).collect::<serde_json::Map<_, _>>(),
            "top_year": dash.top_year,
            "top": dash.top.iter().map(|(u, _, v)| serde_json::json!([u, v])).collect::<Vec<_>>(),
        },
    });
    println!("{out}");
    Ok(())
}

/// CPU time of every thread of this process so far, in milliseconds (Linux schedstat, in ns):
/// on a machine shared with other builds the wall time waits for a core, the CPU time does not.
fn cpu_ms() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0.0;
    };
    let ns: u64 = tasks
        .flatten()
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .sum();
    ns as f64 / 1e6
}
