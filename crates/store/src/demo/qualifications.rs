//! The demo's qualifications: 规上, 高新, the SME gradient, listings, green factories,
//! trademarks, platforms, leading enterprises and the listing pools. Bigger enterprises are
//! likelier to hold them; nothing is dated after the demo's last month.

use super::{ABOVE_SCALE_FEN, C, DemoOptions, E, QualRow};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

pub(super) fn draw(
    rng: &mut ChaCha8Rng,
    ents: &[E],
    clusters: &[C],
    revs: &[Vec<f64>],
    years: &[i32],
    opts: &DemoOptions,
) -> Vec<QualRow> {
    // Qualifications that change over time. Bigger enterprises are likelier to hold them.
    let mut order: Vec<usize> = (0..ents.len()).collect();
    order.sort_by(|a, b| ents[*b].share.partial_cmp(&ents[*a].share).expect("finite"));
    let rank_of = {
        let mut v = vec![0usize; ents.len()];
        for (r, i) in order.iter().enumerate() {
            v[*i] = r;
        }
        v
    };
    let n_ent = ents.len().max(1) as f64;
    let (last_year, last_m) = (opts.to.year(), opts.to.month_range().1);
    let last_day = (crate::reporting::deadline(opts.to, 1) - chrono::Duration::days(1)).to_string();
    let scale = n_ent / 20_000.0;
    let mut quals: Vec<QualRow> = Vec::new();
    for (i, e) in ents.iter().enumerate() {
        let pct = rank_of[i] as f64 / n_ent; // 0 = largest
        let y0 = opts.from.year();
        // A demo of one year has no year after the first: `lo` never passes `hi`.
        // Nothing after the demo's last month: its today comes after that.
        let date = |rng: &mut ChaCha8Rng, lo: i32, hi: i32| {
            let year = rng.gen_range(lo.min(hi)..=hi);
            let last = if year == last_year { last_m } else { 12 };
            format!(
                "{year}-{:02}-{:02}",
                rng.gen_range(1..=last),
                rng.gen_range(1..=28)
            )
        };
        // 规上: main revenue of 20 million yuan or more; in the statistics from the year after
        // it first crossed the line (or before the data begins).
        if let Some(yi) = revs[i].iter().position(|r| *r >= ABOVE_SCALE_FEN) {
            let since = if yi == 0 {
                format!("{}-01-01", y0 - 2)
            } else {
                format!("{}-01-01", years[yi] + 1)
            };
            if years[yi] < opts.to.year() {
                quals.push((e.uscc.clone(), "above_scale", "", since, None, String::new()));
            }
        }
        // 高新技术企业: a three-year certificate, usually renewed; about 7% of cluster
        // enterprises hold one at some point, the bigger ones more often.
        if rng.gen_bool((0.09 - pct * 0.04).clamp(0.05, 0.09)) || pct < 0.02 {
            let mut from = date(rng, y0 - 3, opts.to.year());
            loop {
                let to_year: i32 = from[..4].parse::<i32>().expect("year") + 3;
                let to = format!("{to_year}{}", &from[4..]);
                quals.push((
                    e.uscc.clone(),
                    "high_tech",
                    "",
                    from.clone(),
                    Some(to.clone()),
                    String::new(),
                ));
                if to > last_day || !rng.gen_bool(0.85) {
                    break;
                }
                from = to;
            }
        }
        if rng.gen_bool(0.018) {
            quals.push((
                e.uscc.clone(),
                "innovative_sme",
                "",
                date(rng, y0 + 1, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if rng.gen_bool(if pct < 0.2 { 0.05 } else { 0.01 }) {
            quals.push((
                e.uscc.clone(),
                "specialized_sme",
                "",
                date(rng, y0, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if pct < 0.05 && rng.gen_bool(0.04) {
            let level = if rng.gen_bool(0.3) {
                "national_key"
            } else {
                "national"
            };
            quals.push((
                e.uscc.clone(),
                "little_giant",
                level,
                date(rng, y0, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if pct < 0.03 && rng.gen_bool(0.06 / scale.clamp(0.05, 1.0).sqrt().max(0.2)) {
            let board = [
                "main_board",
                "main_board",
                "chinext",
                "star_market",
                "bse",
                "neeq",
                "neeq",
                "overseas",
            ][rng.gen_range(0..8)];
            quals.push((
                e.uscc.clone(),
                "listed",
                board,
                date(rng, y0 - 4, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if pct < 0.1 && rng.gen_bool(0.03) {
            let level = if rng.gen_bool(0.3) {
                "national"
            } else {
                "provincial"
            };
            quals.push((
                e.uscc.clone(),
                "green_factory",
                level,
                date(rng, y0, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if pct < 0.01 && rng.gen_bool(0.03) {
            quals.push((
                e.uscc.clone(),
                "well_known_trademark",
                "",
                date(rng, y0, opts.to.year()),
                None,
                String::new(),
            ));
        }
        if pct < 0.06 && rng.gen_bool(0.13) {
            let level = if rng.gen_bool(0.15) {
                "national"
            } else {
                "provincial"
            };
            let kind =
                ["工程技术研究中心", "企业技术中心", "重点实验室", "技术创新中心"][rng.gen_range(0..4)];
            quals.push((
                e.uscc.clone(),
                "innovation_platform",
                level,
                date(rng, y0 - 3, opts.to.year()),
                None,
                kind.to_string(),
            ));
        }
    }
    // 三(五)1: the two or three largest enterprises of each cluster are its leading enterprises.
    // 三(五)2: each county pools four unlisted enterprises; the city's key pool takes about fifty.
    let listed: HashSet<&str> = quals
        .iter()
        .filter(|q| q.1 == "listed")
        .map(|q| q.0.as_str())
        .collect();
    let mut extra: Vec<QualRow> = Vec::new();
    let mut key_pool = 0;
    let mut county_pool: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut per_cluster = vec![0usize; clusters.len()];
    for &i in &order {
        let e = &ents[i];
        let want = 2 + (e.cluster % 2);
        if per_cluster[e.cluster] < want {
            per_cluster[e.cluster] += 1;
            extra.push((
                e.uscc.clone(),
                "leading_enterprise",
                "",
                "2022-10-01".into(),
                None,
                String::new(),
            ));
        }
        if listed.contains(e.uscc.as_str()) {
            continue;
        }
        let n = county_pool
            .entry(clusters[e.cluster].county.as_str())
            .or_insert(0);
        if *n < 4 {
            *n += 1;
            extra.push((
                e.uscc.clone(),
                "listing_pool",
                "county",
                "2022-12-01".into(),
                None,
                String::new(),
            ));
        } else if key_pool < 50 && rng.gen_bool(0.2) {
            key_pool += 1;
            extra.push((
                e.uscc.clone(),
                "listing_pool",
                "city_key",
                "2023-03-01".into(),
                None,
                String::new(),
            ));
        }
    }
    quals.extend(extra);
    quals
}
