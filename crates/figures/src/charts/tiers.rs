//! Clusters per revenue tier per year as stacked columns.

use super::svg::{GRID, INK, MUTED, esc, nice_max, open};
use std::fmt::Write;

/// The tiers of 二.1, highest first, with their fills (dark to light) and text colours.
pub const TIERS: [(&str, &str, &str); 4] = [
    ("超500亿", "#08519c", "#ffffff"),
    ("200–500亿", "#3182bd", "#ffffff"),
    ("100–200亿", "#9ecae1", "#1f2933"),
    ("百亿以下", "#eef2f6", "#1f2933"),
];

/// Clusters per revenue tier per year as stacked columns, each segment labelled with its
/// count; `years` holds (year, counts highest tier first as in [`TIERS`]).
pub fn tiers(title: &str, years: &[(i32, [u32; 4])]) -> String {
    if years.is_empty() {
        return String::new();
    }
    let (w, h, l, r, t, b) = (640.0, 300.0, 44.0, 150.0, 16.0, 36.0);
    let total = years
        .iter()
        .map(|(_, c)| c.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let (ymax, step) = nice_max(total);
    let y = |v: f64| t + (1.0 - v / ymax) * (h - t - b);
    let slot = (w - l - r) / years.len() as f64;
    let bw = (slot * 0.6).min(64.0);
    let desc: String = years
        .iter()
        .map(|(yr, c)| {
            format!(
                "{yr}年:{};",
                TIERS
                    .iter()
                    .zip(c)
                    .map(|((n, ..), k)| format!("{n}{k}个"))
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    let mut o = open("tiers", w, h, title, &desc);
    let mut v = 0.0;
    while v <= ymax + 1e-9 {
        let _ = write!(
            o,
            r##"<line x1="{l}" y1="{yy:.1}" x2="{xr}" y2="{yy:.1}" stroke="{GRID}"/><text x="{tx}" y="{ty:.1}" font-size="12" text-anchor="end" fill="{MUTED}">{v}</text>"##,
            yy = y(v),
            xr = w - r,
            tx = l - 6.0,
            ty = y(v) + 4.0
        );
        v += step;
    }
    for (i, (yr, counts)) in years.iter().enumerate() {
        let x = l + slot * (i as f64 + 0.5) - bw / 2.0;
        let mut base = 0.0;
        // Lowest tier at the bottom.
        for k in (0..4).rev() {
            let n = counts[k] as f64;
            if n > 0.0 {
                let (y1, y0) = (y(base + n), y(base));
                let (_, fill, ink) = TIERS[k];
                let _ = write!(
                    o,
                    r##"<rect x="{x:.1}" y="{y1:.1}" width="{bw:.1}" height="{hh:.1}" fill="{fill}" stroke="#9aa5b1" stroke-width="0.5"/>"##,
                    hh = y0 - y1
                );
                if y0 - y1 >= 10.0 {
                    let _ = write!(
                        o,
                        r##"<text x="{cx:.1}" y="{cy:.1}" font-size="11" text-anchor="middle" fill="{ink}">{n}</text>"##,
                        cx = x + bw / 2.0,
                        cy = (y0 + y1) / 2.0 + 3.5
                    );
                }
                base += n;
            }
        }
        let _ = write!(
            o,
            r##"<text x="{cx:.1}" y="{ty}" font-size="12" text-anchor="middle" fill="{MUTED}">{yr}年</text>"##,
            cx = x + bw / 2.0,
            ty = h - b + 18.0
        );
    }
    for (k, (name, fill, _)) in TIERS.iter().enumerate() {
        let (lx, ly) = (w - r + 16.0, t + 8.0 + k as f64 * 22.0);
        let _ = write!(
            o,
            r##"<rect x="{lx}" y="{ly}" width="14" height="14" fill="{fill}" stroke="#9aa5b1" stroke-width="0.5"/><text x="{tx}" y="{ty}" font-size="12" fill="{INK}">{n}</text>"##,
            tx = lx + 20.0,
            ty = ly + 12.0,
            n = esc(name)
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_stack_and_label() {
        // 2025: 2 over 500亿, 8 in 200–500亿, 15 in 100–200亿, 20 under: 45 in all → y axis to
        // 50; the over-500 segment sits on top of 43 others: y from 16 + (1 − 45/50) × 248 =
        // 40.8 to 16 + (1 − 43/50) × 248 = 50.72.
        let svg = tiers("集群营业收入档位", &[(2025, [2, 8, 15, 20])]);
        assert!(
            svg.contains("y=\"40.8\" width=\"64.0\" height=\"9.9\" fill=\"#08519c\""),
            "{svg}"
        );
        assert!(svg.contains("2025年:超500亿2个,200–500亿8个,100–200亿15个,百亿以下20个;"));
        assert!(svg.contains(">15</text>"));
        assert_eq!(tiers("x", &[]), "");
    }
}
