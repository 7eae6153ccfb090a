//! A deterministic, plausible city for demonstrations, tests and benchmarks.
//!
//! The same seed gives the same data. Cluster sizes follow the plan's picture (任丘石化 and 盐山
//! 管道 among the largest); enterprises' revenues are heavy-tailed; monthly cluster data has
//! seasonality (the Spring Festival dip) and growth; qualifications change over time.

mod history;
mod qualifications;

pub use history::last_month;

use crate::accounts::NewUser;
use crate::registry::EnterpriseInput;
use crate::values::Value;
use crate::{Actor, Result, Store, StoreError};
use clusterdesk_domain::period::PeriodType;
use clusterdesk_domain::{IndustryCode, Period, Role, Uscc, uscc};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub enterprises: usize,
    pub from: Period,
    pub to: Period,
    pub seed: u64,
    pub password: String,
    /// The TOTP secret of the accounts that sign in with one (`CLUSTERDESK_DEMO_TOTP_SECRET`,
    /// so that scripts and tests can compute the codes); a random one each when None.
    pub totp_secret: Option<Vec<u8>>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoAccount {
    pub username: String,
    pub role: Role,
    pub org_code: String,
    pub org_name: String,
    /// Base32, for the accounts that sign in with a second factor.
    pub totp_secret: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoReport {
    pub enterprises: usize,
    pub values: usize,
    pub accounts: Vec<DemoAccount>,
}

/// 2021 revenue of each cluster in 亿元, by attachment number (1..=45). Plausible, not real.
const BASE_REVENUE_YI: [f64; 45] = [
    160.0, 95.0, 120.0, 60.0, // 黄骅: 化工, 模具, 汽车及零部件, 五金
    140.0, 70.0, 55.0, 45.0, 80.0, 65.0, 430.0, // 任丘 (石油化工 largest)
    175.0, 150.0, 40.0, 90.0, 70.0, // 河间
    110.0, 85.0, 150.0, // 泊头
    60.0, 125.0, 45.0, 75.0, // 肃宁
    65.0, 50.0, 105.0, 55.0, // 献县
    12.0, // 吴桥 杂技文化旅游
    100.0, 85.0, 95.0,  // 东光
    230.0, // 南皮 五金机电
    70.0, 115.0, 60.0, // 青县
    80.0, 50.0, 70.0, 110.0, 55.0, 45.0,  // 沧县
    260.0, // 孟村 弯头管件
    390.0, // 盐山 管道装备
    90.0, 25.0, // 海兴
];

/// Share of a year's revenue in each month: the Spring Festival dip and a year-end push.
/// 规上工业企业: annual main revenue of 20 million yuan, in fen.
const ABOVE_SCALE_FEN: f64 = 2e9;

const SEASON: [f64; 12] = [
    0.062, 0.055, 0.083, 0.082, 0.084, 0.087, 0.082, 0.083, 0.087, 0.088, 0.093, 0.124,
];

const NAME_HEADS: &[&str] = &[
    "华", "信", "恒", "泰", "鑫", "源", "博", "达", "宏", "盛", "隆", "昌", "永", "兴", "正", "通", "金",
    "瑞", "德", "安", "宇", "航", "天", "海", "嘉", "诚", "丰", "远", "聚", "利", "中", "广", "新", "万",
    "晟", "凯", "科", "明", "辰", "益",
];

/// (uscc, kind, level, valid_from, valid_to, detail)
type QualRow = (String, &'static str, &'static str, String, Option<String>, String);

/// A cluster of the plan with its drawn scale.
struct C {
    code: String,
    county: String,
    industries: Vec<IndustryCode>,
    base_fen: f64,
    growth: f64,
    name: String,
}

/// A drawn enterprise: its cluster, its share of the cluster and its own rates.
struct E {
    uscc: String,
    cluster: usize,
    share: f64,
    growth: f64,
    rd: f64,
    energy: f64,
}

pub async fn generate(store: &Store, opts: &DemoOptions) -> Result<DemoReport> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM enterprises")
        .fetch_one(store.pool())
        .await?;
    if n > 0 {
        return Err(StoreError::Conflict(
            "数据库中已有企业数据;演示数据只能写入空数据库".into(),
        ));
    }
    let newest = last_month(store.today());
    if opts.to > newest {
        return Err(StoreError::Invalid(format!(
            "演示数据最晚到 {newest}(今天 {} 的上个月),不能到 {}",
            store.today(),
            opts.to
        )));
    }
    let plan = store.plan().clone();
    let actor = Actor::system("demo");
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let years: Vec<i32> = (opts.from.year()..=opts.to.year()).collect();

    // Cluster scale: base revenue with a per-seed wobble, and a yearly growth rate.
    let clusters: Vec<C> = plan
        .clusters
        .iter()
        .map(|c| {
            let base = BASE_REVENUE_YI
                .get(c.attachment as usize - 1)
                .copied()
                .unwrap_or(50.0);
            C {
                code: c.code.clone(),
                county: c.county.clone(),
                industries: c.industries.clone(),
                base_fen: base * rng.gen_range(0.92..1.08) * 1e10,
                growth: rng.gen_range(0.03..0.13),
                name: c.name.clone(),
            }
        })
        .collect();

    // Enterprises per cluster in proportion to revenue^0.7; revenue shares heavy-tailed.
    let weights: Vec<f64> = clusters.iter().map(|c| c.base_fen.powf(0.7)).collect();
    let wsum: f64 = weights.iter().sum();
    let mut counts: Vec<usize> = weights
        .iter()
        .map(|w| ((w / wsum) * opts.enterprises as f64).floor().max(1.0) as usize)
        .collect();
    let mut i = 0;
    while counts.iter().sum::<usize>() < opts.enterprises {
        let k = i % counts.len();
        counts[k] += 1;
        i += 1;
    }
    while counts.iter().sum::<usize>() > opts.enterprises && counts.iter().any(|c| *c > 1) {
        let j = counts
            .iter()
            .enumerate()
            .max_by_key(|(_, c)| **c)
            .map(|(j, _)| j)
            .expect("non-empty");
        counts[j] -= 1;
    }

    let mut usccs = HashSet::new();
    let mut names = HashSet::new();
    let mut inputs = Vec::new();
    let mut ents: Vec<E> = Vec::new();
    for (ci, c) in clusters.iter().enumerate() {
        let raw: Vec<f64> = (0..counts[ci])
            .map(|_| rng.gen_range(0.0001f64..1.0).powf(-0.9))
            .collect();
        let total: f64 = raw.iter().sum();
        let county_name = plan
            .org_unit(&c.county)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        // Enterprises carry their place name: 泊头 for 泊头市, 沧县 for 沧县, 孟村 for 孟村回族自治县.
        let place = match county_name.strip_suffix('市') {
            Some(p) => p.to_string(),
            None => county_name.replace("回族自治县", ""),
        };
        for r in raw {
            let code = loop {
                let mut s = format!("91{}", c.county);
                for _ in 0..9 {
                    let k = rng.gen_range(0..31);
                    s.push(b"0123456789ABCDEFGHJKLMNPQRTUWXY"[k] as char);
                }
                let check = uscc::check_char(s.as_bytes()).expect("charset");
                s.push(check);
                if usccs.insert(s.clone()) {
                    break s;
                }
            };
            let name = loop {
                let a = NAME_HEADS[rng.gen_range(0..NAME_HEADS.len())];
                let b = NAME_HEADS[rng.gen_range(0..NAME_HEADS.len())];
                let tail = ["有限公司", "股份有限公司", "制造有限公司", "科技有限公司"][rng.gen_range(0..4)];
                let extra = if rng.gen_bool(0.3) {
                    NAME_HEADS[rng.gen_range(0..NAME_HEADS.len())]
                } else {
                    ""
                };
                let n = format!("{place}{a}{b}{extra}{}{tail}", c.name);
                if names.insert(n.clone()) {
                    break n;
                }
            };
            let industry = c.industries[rng.gen_range(0..c.industries.len().max(1))].clone();
            let joined = if rng.gen_bool(0.85) {
                format!("{}-01-01", opts.from.year())
            } else {
                let year = rng.gen_range(opts.from.year()..=opts.to.year());
                let last = if year == opts.to.year() {
                    opts.to.month_range().1
                } else {
                    12
                };
                format!("{year}-{:02}-01", rng.gen_range(1..=last))
            };
            inputs.push(EnterpriseInput {
                uscc: Uscc::parse(&code).expect("generated valid"),
                name,
                county_code: c.county.clone(),
                industry,
                cluster_code: Some(c.code.clone()),
                cluster_since: Some(joined),
                address: format!("河北省沧州市{county_name}"),
                contact: String::new(),
            });
            ents.push(E {
                uscc: code,
                cluster: ci,
                share: r / total,
                growth: c.growth + rng.gen_range(-0.08..0.08),
                rd: rng.gen_range(0.008..0.035),
                energy: rng.gen_range(0.02..0.25),
            });
        }
    }
    let t0 = std::time::Instant::now();
    match store.upsert_enterprises(&actor, &inputs, false).await? {
        Ok(_) => {}
        Err(errs) => {
            return Err(StoreError::Invalid(format!(
                "演示企业生成失败:{}",
                errs[0].message
            )));
        }
    }

    tracing::info!(elapsed = ?t0.elapsed(), "demo: enterprises");
    // A few enterprises moved cluster within their county: history keeps the old attribution.
    // The move happens in the middle of the third year, or of the span when it is shorter.
    let move_year = (opts.from.year() + 2).min(opts.from.year() + (opts.to.year() - opts.from.year()) / 2);
    let move_month = if move_year == opts.to.year() {
        opts.to.month_range().1.min(7)
    } else {
        7
    };
    let mut tx = store.pool().begin().await?;
    crate::cache::bump_data_version(&mut tx).await?;
    for (k, e) in ents.iter().enumerate().filter(|(k, _)| k % 97 == 5) {
        let c = &clusters[e.cluster];
        let others: Vec<&C> = clusters
            .iter()
            .filter(|o| o.county == c.county && o.code != c.code)
            .collect();
        if others.is_empty() {
            continue;
        }
        let to = others[k % others.len()];
        if inputs[k].cluster_since.as_deref() != Some(format!("{}-01-01", opts.from.year()).as_str()) {
            continue;
        }
        let when = format!("{move_year}-{move_month:02}-01");
        sqlx::query("UPDATE memberships SET valid_to = $2 WHERE uscc = $1 AND valid_to IS NULL")
            .bind(&e.uscc)
            .bind(&when)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO memberships (uscc, cluster_code, valid_from) VALUES ($1, $2, $3)")
            .bind(&e.uscc)
            .bind(&to.code)
            .bind(&when)
            .execute(&mut *tx)
            .await?;
        store
            .log_change(
                &mut tx,
                &actor,
                "membership",
                &e.uscc,
                "move",
                Some(c.code.clone()),
                Some(to.code.clone()),
            )
            .await?;
    }

    // Each enterprise's yearly revenue path (fen), drawn once and used for every figure.
    let revs: Vec<Vec<f64>> = ents
        .iter()
        .map(|e| {
            let mut rev = clusters[e.cluster].base_fen * e.share;
            years
                .iter()
                .enumerate()
                .map(|(yi, _)| {
                    if yi > 0 {
                        rev *= 1.0 + e.growth + rng.gen_range(-0.05..0.05);
                    }
                    rev
                })
                .collect()
        })
        .collect();

    let quals = qualifications::draw(&mut rng, &ents, &clusters, &revs, &years, opts);
    for chunk in quals.chunks(1000) {
        let sql = format!(
            "INSERT INTO qualifications (uscc, kind, level, valid_from, valid_to, detail) VALUES {}",
            crate::values::placeholder_rows(chunk.len(), 6, 1, "", "")
        );
        let mut q = sqlx::query(&sql);
        for (u, k, l, f, t, d) in chunk {
            q = q
                .bind(u.clone())
                .bind(k.to_string())
                .bind(l.to_string())
                .bind(f.clone())
                .bind(t.clone())
                .bind(d.clone());
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;

    tracing::info!(elapsed = ?t0.elapsed(), "demo: qualifications");
    // Values: enterprise yearly figures for complete years, cluster monthly flows.
    let mut values = Vec::new();
    let last_full_year = if opts.to.month_range().1 == 12 {
        opts.to.year()
    } else {
        opts.to.year() - 1
    };
    let mut cluster_year = vec![vec![0f64; years.len()]; clusters.len()];
    for (ei, e) in ents.iter().enumerate() {
        for (yi, y) in years.iter().enumerate() {
            let rev = revs[ei][yi];
            cluster_year[e.cluster][yi] += rev;
            if *y > last_full_year {
                continue;
            }
            let p = y.to_string();
            let mut put = |ind: &str, v: i64| {
                values.push(Value {
                    unit_code: e.uscc.clone(),
                    indicator_code: ind.into(),
                    period: p.clone(),
                    num_value: Some(v),
                    text_value: None,
                })
            };
            put("revenue", rev.round() as i64);
            put("tax_paid", (rev * 0.035).round() as i64);
            put(
                "rd_expense",
                (rev * e.rd * (1.0 + 0.12 * yi as f64)).round() as i64,
            );
            // 吨标准煤 ×100: energy per 万元 revenue falls a little each year.
            put(
                "energy_consumption",
                (rev / 1e6 * e.energy * 100.0 * (1.0 - 0.03 * yi as f64)).round() as i64,
            );
            put("employees", (rev / 8e7).round().max(5.0) as i64);
            put(
                "invention_patents",
                ((rev / 5e9) * (1.0 + 0.2 * yi as f64)).floor() as i64,
            );
            if *y == last_full_year {
                // 亩 ×100: about 3 million yuan of revenue per mu.
                put("land_area", (rev / 3e8 * 100.0).round().max(50.0) as i64);
            }
        }
    }
    // Each cluster's stored monthly revenue and value added, by month of the span: the
    // enterprises' monthly reports are shares of them, so they never add up to more.
    let mut cluster_month = vec![Vec::new(); clusters.len()];
    for (ci, c) in clusters.iter().enumerate() {
        for m in Period::months_between(opts.from, opts.to) {
            let yi = (m.year() - opts.from.year()) as usize;
            let month = m.month_range().0 as usize;
            let noise = 1.0 + rng.gen_range(-0.03..0.03);
            let rev = cluster_year[ci][yi] * SEASON[month - 1] * noise;
            let p = m.to_string();
            // R&D intensity differs between clusters (1.1%–3.2% of revenue at the start),
            // derived from the cluster's place so that the random stream stays as it was.
            let rd_share = 0.011 + 0.0007 * ((ci * 7 + 3) % 31) as f64;
            for (ind, v) in [
                ("revenue", rev),
                ("value_added", rev * 0.24),
                ("tax_paid", rev * 0.035),
                ("rd_expense", rev * rd_share * (1.0 + 0.15 * yi as f64)),
            ] {
                // Counties report in 万元 to two decimals: whole hundreds of yuan.
                let fen = (v / 10_000.0).round() as i64 * 10_000;
                values.push(Value {
                    unit_code: c.code.clone(),
                    indicator_code: ind.into(),
                    period: p.clone(),
                    num_value: Some(fen),
                    text_value: None,
                });
                match ind {
                    "revenue" => cluster_month[ci].push((fen, 0)),
                    "value_added" => cluster_month[ci].last_mut().expect("revenue first").1 = fen,
                    _ => {}
                }
            }
            // Enterprises entering parks (三(二)1): a few a month, more in bigger clusters.
            let entries = (0..3)
                .filter(|_| rng.gen_bool((c.base_fen / 4e12).clamp(0.02, 0.3)))
                .count();
            values.push(Value {
                unit_code: c.code.clone(),
                indicator_code: "park_entries".into(),
                period: p,
                num_value: Some(entries as i64),
                text_value: None,
            });
        }
        // Yearly facts: standards co-drafted (a flow), the digitalisation rate (percent ×100)
        // and the land in use (亩 ×100, about 3 million yuan of revenue per mu).
        let mut digital = rng.gen_range(32.0..50.0);
        for y in years.iter().filter(|y| **y <= last_full_year) {
            let standards = (0..3)
                .filter(|_| rng.gen_bool((c.base_fen / 6e12).clamp(0.05, 0.6)))
                .count();
            let yi = (*y - opts.from.year()) as usize;
            for (ind, v) in [
                ("standards", standards as i64),
                ("digitalization_rate", (digital * 100.0f64).round() as i64),
                (
                    "land_area",
                    (cluster_year[ci][yi] / 3e8 * 100.0).round().max(50.0) as i64,
                ),
            ] {
                values.push(Value {
                    unit_code: c.code.clone(),
                    indicator_code: ind.into(),
                    period: y.to_string(),
                    num_value: Some(v),
                    text_value: None,
                });
            }
            digital = (digital + rng.gen_range(3.0..7.0)).min(88.0);
        }
    }
    enterprise_monthly(&mut values, &ents, &revs, &cluster_year, &cluster_month, opts);
    // The quarterly situation (集群季度情况) in words, for every complete quarter.
    for (ci, c) in clusters.iter().enumerate() {
        for q in Period::months_between(opts.from, opts.to)
            .into_iter()
            .filter(|m| m.month_range().0 % 3 == 0)
        {
            let (year, month) = (q.year(), q.month_range().0);
            let quarter = Period::Quarter {
                year,
                quarter: month / 3,
            };
            let yi = (year - opts.from.year()) as usize;
            let share: f64 = SEASON[month as usize - 3..month as usize].iter().sum();
            let rev_yi = cluster_year[ci][yi] * share / 1e10;
            let k = ci + quarter.month_range().0 as usize + yi;
            let texts = [
                (
                    "quarter_progress",
                    format!(
                        "{}季度{}集群实现营业收入约{rev_yi:.1}亿元;{}。",
                        ["一", "二", "三", "四"][(month / 3 - 1) as usize],
                        c.name,
                        QUARTER_PROGRESS[k % QUARTER_PROGRESS.len()]
                    ),
                ),
                (
                    "quarter_problems",
                    QUARTER_PROBLEMS[k % QUARTER_PROBLEMS.len()].to_string(),
                ),
                (
                    "quarter_next_steps",
                    QUARTER_NEXT[k % QUARTER_NEXT.len()].to_string(),
                ),
            ];
            for (ind, text) in texts {
                values.push(Value {
                    unit_code: c.code.clone(),
                    indicator_code: ind.into(),
                    period: quarter.to_string(),
                    num_value: None,
                    text_value: Some(text),
                });
            }
        }
    }
    let nvalues = values.len();
    // The bulk loader: prepared single-row inserts (SQLite) or COPY (PostgreSQL), with the
    // same checks as any load and one change-log entry for the whole demo history.
    store
        .bulk_load_values(&Actor::system("demo"), "demo", values, false)
        .await?;
    tracing::info!(elapsed = ?t0.elapsed(), values = nvalues, "demo: values");

    // Reporting history of every data set: past periods accepted (a few late), the latest
    // period still in motion. The monthly cluster report comes first, as it always has, so that
    // the random stream of older demo databases is unchanged.
    let mut tx = store.pool().begin().await?;
    crate::cache::bump_data_version(&mut tx).await?;
    let months = Period::months_between(opts.from, opts.to);
    let mut order: Vec<&clusterdesk_plan::datasets::Dataset> = plan.datasets.iter().collect();
    order.sort_by_key(|d| d.code != "cluster_monthly");
    for ds in order {
        // 企业月报 is accepted only for the months whose enterprise values the demo holds.
        let first = match ds.code.as_str() {
            "enterprise_monthly" => enterprise_months_from(opts),
            _ => opts.from,
        };
        let periods: Vec<Period> = months
            .iter()
            .filter(|m| **m >= first)
            .filter_map(|m| {
                let (year, month) = (m.year(), m.month_range().0);
                match ds.period_type {
                    PeriodType::Month => Some(*m),
                    PeriodType::Quarter => (month % 3 == 0).then_some(Period::Quarter {
                        year,
                        quarter: month / 3,
                    }),
                    PeriodType::Year => (month == 12).then_some(Period::Year { year }),
                }
            })
            .collect();
        history::history(&mut tx, &mut rng, ds, &periods, store.today(), &plan).await?;
    }
    tx.commit().await?;

    // Yearly incentive budgets per funding source (yuan), so that claims can be approved.
    for y in opts.from.year()..=opts.to.year() {
        for (source, yuan) in [
            ("市级财政", 60_000_000),
            ("市级工业企业技术改造专项资金", 100_000_000),
            ("未明确", 30_000_000),
        ] {
            store
                .set_budget(&actor, y as i64, source, clusterdesk_domain::Fen::from_yuan(yuan))
                .await?;
        }
    }

    // Demo accounts, one per role, all with the password given for this demo.
    let first_botou: Option<String> =
        sqlx::query_scalar("SELECT uscc FROM enterprises WHERE county_code = '130981' ORDER BY name LIMIT 1")
            .fetch_optional(store.pool())
            .await?;
    let mut accounts = vec![
        ("admin", Role::CityAdmin, "130900".to_string(), "市工信局管理员"),
        ("gxj", Role::CityDepartment, "GXJ".into(), "市工信局科室"),
        ("kjj", Role::CityDepartment, "KJJ".into(), "市科技局"),
        ("czj", Role::CityDepartment, "CZJ".into(), "市财政局"),
        ("leader", Role::Leader, "130900".into(), "市领导"),
        ("botou", Role::CountyOperator, "130981".into(), "泊头市填报员"),
        (
            "botou_leader",
            Role::CountyLeader,
            "130981".into(),
            "泊头市审核领导",
        ),
        ("renqiu", Role::CountyOperator, "130982".into(), "任丘市填报员"),
        ("sysadmin", Role::SystemAdmin, "130900".into(), "系统管理员"),
        ("secadmin", Role::SecurityAdmin, "130900".into(), "安全管理员"),
        ("auditor", Role::Auditor, "130900".into(), "安全审计员"),
    ];
    if let Some(u) = &first_botou {
        accounts.push(("qiye", Role::Enterprise, u.clone(), "泊头市演示企业"));
    }
    let mut out = Vec::new();
    for (name, role, org, display) in accounts {
        store
            .create_user(
                &actor,
                NewUser {
                    username: name.into(),
                    display_name: display.into(),
                    password: opts.password.clone(),
                    role,
                    org_code: org.clone(),
                    temporary: false,
                },
            )
            .await?;
        let totp_secret = if role.needs_second_factor() {
            let e = store
                .enrol_totp(&actor, name, opts.totp_secret.as_deref())
                .await?;
            Some(e.secret)
        } else {
            None
        };
        let org_name = match plan.org_unit(&org) {
            Some(u) => u.name.clone(),
            // An enterprise account is bound to a USCC: show the enterprise's name.
            None => sqlx::query_scalar("SELECT name FROM enterprises WHERE uscc = $1")
                .bind(&org)
                .fetch_optional(store.pool())
                .await?
                .unwrap_or_else(|| org.clone()),
        };
        out.push(DemoAccount {
            username: name.into(),
            role,
            org_code: org,
            org_name,
            totp_secret,
        });
    }
    store.meta_set("demo_seed", &opts.seed.to_string()).await?;
    store.meta_set("demo_created_at", &store.now()).await?;
    Ok(DemoReport {
        enterprises: ents.len(),
        values: nvalues,
        accounts: out,
    })
}

/// The first month of the demo's 企业月报: January of the year before its last month, so that
/// every month a page or the overdue list shows (the last twelve, the last year of deadlines) is
/// reported, each year from its January (1–N月累计 needs the earlier months). Earlier months
/// have no enterprise monthly values and no 企业月报 submission.
pub fn enterprise_months_from(opts: &DemoOptions) -> Period {
    Period::month(opts.to.year() - 1, 1).max(opts.from)
}

/// 企业月报 values of the 规上 enterprises (a year's revenue of at least 20 million yuan) for
/// every month from [`enterprise_months_from`]: the enterprise's share of its cluster's stored
/// month, rounded down to whole hundreds of yuan, so that the enterprises of a cluster never
/// add up to more than the county reported for it (`cm_enterprise_revenue_le_cluster`).
/// Enterprises that may have moved cluster are left out for the same reason.
fn enterprise_monthly(
    values: &mut Vec<Value>,
    ents: &[E],
    revs: &[Vec<f64>],
    cluster_year: &[Vec<f64>],
    cluster_month: &[Vec<(i64, i64)>],
    opts: &DemoOptions,
) {
    let first = enterprise_months_from(opts);
    let months = Period::months_between(opts.from, opts.to);
    let down = |fen: f64| (fen / 10_000.0).floor() as i64 * 10_000;
    for (ei, e) in ents.iter().enumerate() {
        if ei % 97 == 5 {
            continue;
        }
        for (mi, m) in months.iter().enumerate().filter(|(_, m)| **m >= first) {
            let yi = (m.year() - opts.from.year()) as usize;
            let year_rev = revs[ei][yi];
            let total = cluster_year[e.cluster][yi];
            if year_rev < ABOVE_SCALE_FEN || total <= 0.0 {
                continue;
            }
            let share = year_rev / total;
            let (c_rev, c_va) = cluster_month[e.cluster][mi];
            let rev = down(c_rev as f64 * share);
            for (ind, v) in [
                ("revenue", rev),
                ("value_added", down(c_va as f64 * share)),
                ("tax_paid", down(rev as f64 * 0.035)),
                // 吨标准煤 ×100, as the enterprise's yearly figure.
                (
                    "energy_consumption",
                    (rev as f64 / 1e6 * e.energy * 100.0 * (1.0 - 0.03 * yi as f64)).round() as i64,
                ),
                ("employees", (year_rev / 8e7).round().max(5.0) as i64),
            ] {
                values.push(Value {
                    unit_code: e.uscc.clone(),
                    indicator_code: ind.into(),
                    period: m.to_string(),
                    num_value: Some(v),
                    text_value: None,
                });
            }
        }
    }
}

const QUARTER_PROGRESS: &[&str] = &[
    "龙头企业智能化改造项目完成设备安装,新增入园企业3家",
    "组织产销对接会2场,签约意向订单约1.2亿元",
    "新认定省级专精特新中小企业2家,1家企业进入上市培育库",
    "集群公共服务平台上线运行,为40余家企业提供检测服务",
    "完成工业诊断企业25家,形成技改项目清单",
    "参与制定行业标准1项,新建省级企业技术中心1家",
];

const QUARTER_PROBLEMS: &[&str] = &[
    "部分中小企业用工紧张,熟练技工缺口较大",
    "原材料价格波动较大,企业利润空间受到挤压",
    "中小企业融资难、融资贵问题仍较突出",
    "环保改造投入压力大,部分企业改造进度偏慢",
    "高端研发人才引进难,企业创新能力不足",
];

const QUARTER_NEXT: &[&str] = &[
    "推进重点技改项目投产达效,开展数字化转型诊断",
    "组织企业参加国内外展会,拓展市场渠道",
    "加快标准厂房建设,推动散乱企业入园集聚",
    "开展政银企对接,帮助企业解决融资需求",
    "培育专精特新企业梯队,争取更多企业入库",
];
