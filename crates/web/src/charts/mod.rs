//! Charts drawn on the server as SVG strings: the same picture serves the page, the printout
//! and later the PDF. Pure functions of the numbers handed in.
//!
//! Rules every chart follows: text is escaped; no `style` attributes or elements (the page's
//! CSP forbids inline styles), only SVG presentation attributes; `role="img"` with a `<title>`
//! and a `<desc>` that says in words what the picture shows; status and classes are written
//! as words or numbers beside any colour.

use std::fmt::Write;

pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const INK: &str = "#1f2933";
const MUTED: &str = "#616e7c";
const GRID: &str = "#d9e2ec";

/// Opening tag with the accessible name and description.
fn open(class: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" class="chart {class}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{t}" font-family="Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif"><title>{t}</title><desc>{d}</desc>"##,
        t = esc(title),
        d = esc(desc)
    )
}

/// A "nice" axis from 0 to at least `v`: the step is 1, 2, 2.5 or 5 × 10ⁿ, the smallest that
/// covers `v` in at most six steps; the top is the first multiple of the step at or above `v`.
/// 0 or less gives (1, 0.2).
pub fn nice_max(v: f64) -> (f64, f64) {
    if v.is_nan() || v <= 0.0 || !v.is_finite() {
        return (1.0, 0.2);
    }
    let raw = v / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag);
    ((v / step - 1e-9).ceil().max(1.0) * step, step)
}

/// Decimals that show a step exactly (0.25 → 2, 5 → 0).
fn decimals_of(step: f64) -> usize {
    (0..6)
        .find(|d| ((step * 10f64.powi(*d as i32)).round() - step * 10f64.powi(*d as i32)).abs() < 1e-6)
        .unwrap_or(6)
}

/// Visual width of a label at a font size: CJK characters a full em, others about half.
fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.58 } else { 1.0 })
        .sum::<f64>()
        * size
}

// ---------------------------------------------------------------- trend

/// A series over time for [`trend`]: times in years (the end of December Y is Y; the end of
/// March Y is Y − 0.75).
pub struct Trend<'a> {
    pub title: &'a str,
    /// Actual values: (time, value, label on the axis).
    pub actual: Vec<(f64, f64, String)>,
    /// The target path (phasing): (time, value).
    pub path: Vec<(f64, f64)>,
    /// The deadline's target value.
    pub target: Option<f64>,
    pub deadline: f64,
    /// Forecast at the deadline: (point, low, high) of the 95% interval.
    pub forecast: Option<(f64, f64, f64)>,
    /// How a value is written (with its unit).
    pub fmt: &'a dyn Fn(f64) -> String,
    /// Counts: the axis steps are whole numbers.
    pub integer: bool,
}

pub const TREND_W: f64 = 640.0;
pub const TREND_H: f64 = 300.0;
const TL: f64 = 84.0;
const TR: f64 = 110.0;
const TT: f64 = 16.0;
const TB: f64 = 44.0;

/// The scale of a trend chart: x from the first time to the deadline, y from 0 to a nice
/// maximum over every value drawn (the interval's top capped at 1.6 × the rest).
pub struct TrendScale {
    pub t0: f64,
    pub t1: f64,
    pub ymax: f64,
    pub step: f64,
}

impl TrendScale {
    pub fn of(c: &Trend) -> Option<TrendScale> {
        let ts = c.actual.iter().map(|p| p.0).chain(c.path.iter().map(|p| p.0));
        let t0 = ts.clone().fold(f64::INFINITY, f64::min);
        let t1 = ts.fold(c.deadline, f64::max);
        if !t0.is_finite() {
            return None;
        }
        let mut top = c
            .actual
            .iter()
            .map(|p| p.1)
            .chain(c.path.iter().map(|p| p.1))
            .chain(c.target)
            .fold(0.0, f64::max);
        if let Some((p, _, hi)) = c.forecast {
            top = top.max(p);
            top = top.max(hi.min(top * 1.6));
        }
        let (mut ymax, mut step) = nice_max(top);
        if c.integer && step < 1.0 {
            step = 1.0;
            ymax = top.ceil().max(1.0);
        }
        Some(TrendScale {
            t0,
            t1: if t1 > t0 { t1 } else { t0 + 1.0 },
            ymax,
            step,
        })
    }
    pub fn x(&self, t: f64) -> f64 {
        TL + (t - self.t0) / (self.t1 - self.t0) * (TREND_W - TL - TR)
    }
    pub fn y(&self, v: f64) -> f64 {
        TT + (1.0 - (v / self.ymax).clamp(0.0, 1.0)) * (TREND_H - TT - TB)
    }
}

fn polyline(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}

/// Actual values (solid line with dots), the target path (dashed), the target level at the
/// deadline, the forecast from the last actual to the deadline with its 95% band, and the
/// deadline marker. Empty string when there is nothing to draw.
pub fn trend(c: &Trend) -> String {
    let Some(s) = TrendScale::of(c) else {
        return String::new();
    };
    let desc = {
        let mut d = String::new();
        for (_, v, label) in &c.actual {
            let _ = write!(d, "{label}:{};", (c.fmt)(*v));
        }
        if let Some(tv) = c.target {
            let _ = write!(d, "目标:{};", (c.fmt)(tv));
        }
        if let Some((p, lo, hi)) = c.forecast {
            let _ = write!(
                d,
                "期限预测:{}(95%区间 {}–{})",
                (c.fmt)(p),
                (c.fmt)(lo),
                (c.fmt)(hi)
            );
        }
        d
    };
    let mut o = open("trend", TREND_W, TREND_H, c.title, &desc);
    let (xl, xr, yb) = (TL, TREND_W - TR, TREND_H - TB);
    // Grid and y labels.
    let mut v = 0.0;
    while v <= s.ymax * (1.0 + 1e-9) {
        let y = s.y(v);
        let _ = write!(
            o,
            r##"<line x1="{xl}" y1="{y:.1}" x2="{xr}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/><text x="{tx}" y="{ty:.1}" font-size="12" text-anchor="end" fill="{MUTED}">{l}</text>"##,
            tx = xl - 6.0,
            ty = y + 4.0,
            l = esc(&(c.fmt)(v))
        );
        v += s.step;
    }
    // The deadline.
    let xd = s.x(c.deadline);
    let _ = write!(
        o,
        r##"<line class="deadline" x1="{xd:.1}" y1="{TT}" x2="{xd:.1}" y2="{yb}" stroke="{INK}" stroke-width="1" stroke-dasharray="1 3"/><text x="{xd:.1}" y="{ty}" font-size="12" text-anchor="middle" fill="{INK}">{y}年期限</text>"##,
        ty = TREND_H - 8.0,
        y = c.deadline.round()
    );
    // Forecast band and line, from the last actual.
    if let (Some((p, lo, hi)), Some(last)) = (c.forecast, c.actual.last()) {
        let (x0, y0) = (s.x(last.0), s.y(last.1));
        let _ = write!(
            o,
            r##"<path class="band" d="M{x0:.1} {y0:.1} L{xd:.1} {yh:.1} L{xd:.1} {yl:.1} Z" fill="#9aa5b1" fill-opacity="0.25" stroke="none"/><path class="forecast" d="M{x0:.1} {y0:.1} L{xd:.1} {yp:.1}" fill="none" stroke="{INK}" stroke-width="1.5" stroke-dasharray="6 4"/><path d="M{xd:.1} {a:.1} L{b:.1} {yp:.1} L{xd:.1} {c2:.1} L{d:.1} {yp:.1} Z" fill="#ffffff" stroke="{INK}" stroke-width="1.5"/>"##,
            yh = s.y(hi),
            yl = s.y(lo),
            yp = s.y(p),
            a = s.y(p) - 6.0,
            b = xd + 6.0,
            c2 = s.y(p) + 6.0,
            d = xd - 6.0
        );
        // Keep the forecast's label clear of the target's (written 4 px above the target line).
        let mut ly = s.y(p) + 4.0;
        if let Some(tv) = c.target {
            let yt = s.y(tv) - 4.0;
            if (ly - yt).abs() < 15.0 {
                ly = if s.y(p) >= s.y(tv) { yt + 15.0 } else { yt - 15.0 };
            }
        }
        let _ = write!(
            o,
            r##"<text x="{x:.1}" y="{ly:.1}" font-size="12" fill="{INK}">预测 {l}</text>"##,
            x = xd + 10.0,
            l = esc(&(c.fmt)(p))
        );
    }
    // Target path and level.
    if c.path.len() > 1 {
        let pts: Vec<(f64, f64)> = c.path.iter().map(|(t, v)| (s.x(*t), s.y(*v))).collect();
        let _ = write!(
            o,
            r##"<path class="target-path" d="{}" fill="none" stroke="{MUTED}" stroke-width="1.5" stroke-dasharray="4 3"/>"##,
            polyline(&pts)
        );
    }
    if let Some(tv) = c.target {
        let yt = s.y(tv);
        let _ = write!(
            o,
            r##"<line class="target" x1="{xl}" y1="{yt:.1}" x2="{xd:.1}" y2="{yt:.1}" stroke="{INK}" stroke-width="1"/><text x="{x:.1}" y="{y:.1}" font-size="12" fill="{INK}">目标 {l}</text>"##,
            x = xd + 10.0,
            y = yt - 4.0,
            l = esc(&(c.fmt)(tv))
        );
    }
    // Actuals.
    let pts: Vec<(f64, f64)> = c.actual.iter().map(|(t, v, _)| (s.x(*t), s.y(*v))).collect();
    if pts.len() > 1 {
        let _ = write!(
            o,
            r##"<path class="actual" d="{}" fill="none" stroke="#1d4f91" stroke-width="2.5"/>"##,
            polyline(&pts)
        );
    }
    let mut last_label_x = f64::NEG_INFINITY;
    for ((x, y), (_, _, label)) in pts.iter().zip(&c.actual) {
        let _ = write!(o, r##"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="#1d4f91"/>"##);
        // Axis labels only where they do not collide.
        let w = text_width(label, 12.0);
        if *x - w / 2.0 > last_label_x + 4.0 && (*x - xd).abs() > w / 2.0 + 30.0 {
            let _ = write!(
                o,
                r##"<text x="{x:.1}" y="{ty}" font-size="12" text-anchor="middle" fill="{MUTED}">{l}</text>"##,
                ty = yb + 18.0,
                l = esc(label)
            );
            last_label_x = *x + w / 2.0;
        }
    }
    let _ = write!(
        o,
        r##"<line x1="{xl}" y1="{yb}" x2="{xr}" y2="{yb}" stroke="#9aa5b1" stroke-width="1"/></svg>"##
    );
    o
}

// ---------------------------------------------------------------- tiers

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

// ---------------------------------------------------------------- tile map

/// One county on a map.
pub struct Tile {
    pub code: String,
    pub name: String,
    pub value: Option<f64>,
    /// The value as written in the tile (with unit).
    pub label: String,
    pub href: String,
    /// Drawn with a heavier outline (the reader's own county).
    pub own: bool,
}

/// Sequential blues, light to dark, and the text colour that reads on each.
const CLASSES: [(&str, &str); 5] = [
    ("#eff3ff", "#1f2933"),
    ("#bdd7e7", "#1f2933"),
    ("#6baed6", "#1f2933"),
    ("#3182bd", "#ffffff"),
    ("#08519c", "#ffffff"),
];
const NO_DATA: &str = "#e4e7eb";

/// The class (0–4) of a value by its rank among `sorted` (quantile classes: one outlier does
/// not wash the others out): the number of values below it over n − 1, in quarters, rounded.
pub fn class_of(v: f64, sorted: &[f64]) -> usize {
    if sorted.is_empty() {
        return 2;
    }
    let n = sorted.len();
    if n == 1 {
        return 2;
    }
    // Lowest → 0, highest → 4, the rest in between by rank (equal values share a class).
    let below = sorted.iter().filter(|x| **x < v).count();
    ((below * 4 + (n - 1) / 2) / (n - 1)).min(4)
}

/// Where each of Cangzhou's 14 county-level units sits on a schematic grid (column, row),
/// roughly as on the map: 任丘 north-west, 青县 north, 黄骅 and 海兴 on the coast, 吴桥 and 东光
/// in the south. Units not listed (another city's plan) are laid out in rows after them.
pub const CANGZHOU_GRID: [(&str, u32, u32); 14] = [
    ("任丘市", 1, 0),
    ("青县", 3, 0),
    ("肃宁县", 0, 1),
    ("河间市", 1, 1),
    ("沧县", 3, 1),
    ("黄骅市", 4, 1),
    ("献县", 1, 2),
    ("泊头市", 2, 2),
    ("南皮县", 3, 2),
    ("孟村回族自治县", 4, 2),
    ("海兴县", 5, 2),
    ("东光县", 2, 3),
    ("盐山县", 4, 3),
    ("吴桥县", 2, 4),
];

fn short_name(n: &str) -> String {
    n.replace("回族自治县", "县")
}

fn legend(o: &mut String, x: f64, y: f64, title: &str, sorted: &[f64], fmt: &dyn Fn(f64) -> String) {
    let _ = write!(
        o,
        r##"<text x="{x}" y="{y}" font-size="12" font-weight="600" fill="{INK}">{t}</text>"##,
        t = esc(title)
    );
    // Each class with the lowest and highest value in it, darkest on top; empty classes left out.
    let mut row = 0;
    for k in (0..5).rev() {
        let inside: Vec<f64> = sorted
            .iter()
            .copied()
            .filter(|v| class_of(*v, sorted) == k)
            .collect();
        let (Some(a), Some(b)) = (inside.first(), inside.last()) else {
            continue;
        };
        let ly = y + 10.0 + row as f64 * 22.0;
        row += 1;
        let text = if a == b {
            fmt(*a)
        } else {
            format!("{}–{}", fmt(*a), fmt(*b))
        };
        let _ = write!(
            o,
            r##"<rect x="{x}" y="{ly}" width="16" height="16" fill="{fill}" stroke="#9aa5b1" stroke-width="0.5"/><text x="{tx}" y="{ty}" font-size="12" fill="{INK}">{t}</text>"##,
            fill = CLASSES[k].0,
            tx = x + 22.0,
            ty = ly + 13.0,
            t = esc(&text)
        );
    }
    let ly = y + 10.0 + row as f64 * 22.0;
    let _ = write!(
        o,
        r##"<rect x="{x}" y="{ly}" width="16" height="16" fill="{NO_DATA}" stroke="#9aa5b1" stroke-width="0.5" stroke-dasharray="2 2"/><text x="{tx}" y="{ty}" font-size="12" fill="{INK}">无数据</text>"##,
        tx = x + 22.0,
        ty = ly + 13.0
    );
}

fn sorted_values(tiles: &[Tile]) -> Vec<f64> {
    let mut v: Vec<f64> = tiles
        .iter()
        .filter_map(|t| t.value)
        .filter(|v| v.is_finite())
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v
}

/// The counties as tiles on the schematic grid, coloured by value in five equal classes from
/// the lowest to the highest value, with the name and the value written in each tile, a
/// legend, and a link to each county.
pub fn tile_map(title: &str, metric: &str, tiles: &[Tile], fmt: &dyn Fn(f64) -> String) -> String {
    let (tw, th, gap, left, top) = (104.0, 62.0, 6.0, 8.0, 8.0);
    let mut placed: Vec<(u32, u32, &Tile)> = Vec::new();
    let mut extra = 0;
    for t in tiles {
        match CANGZHOU_GRID.iter().find(|(n, ..)| *n == t.name) {
            Some((_, c, r)) => placed.push((*c, *r, t)),
            None => {
                placed.push((extra % 6, 6 + extra / 6, t));
                extra += 1;
            }
        }
    }
    let rows = placed.iter().map(|p| p.1).max().unwrap_or(0) + 1;
    let sorted = sorted_values(tiles);
    let w = left + 6.0 * (tw + gap) + 170.0;
    let h = (top + rows as f64 * (th + gap) + 8.0).max(200.0);
    let desc: String = tiles
        .iter()
        .map(|t| {
            format!(
                "{}:{};",
                t.name,
                if t.value.is_some() { &t.label } else { "无数据" }
            )
        })
        .collect();
    let mut o = open("tilemap", w, h, &format!("{title}({metric})"), &desc);
    for (c, r, t) in &placed {
        let (x, y) = (left + *c as f64 * (tw + gap), top + *r as f64 * (th + gap));
        let (fill, ink) = match t.value {
            Some(v) if v.is_finite() => CLASSES[class_of(v, &sorted)],
            _ => (NO_DATA, INK),
        };
        let (stroke, sw) = if t.own { (INK, 3.0) } else { ("#ffffff", 1.0) };
        let _ = write!(
            o,
            r##"<a href="{href}"><rect x="{x}" y="{y}" width="{tw}" height="{th}" rx="3" fill="{fill}" stroke="{stroke}" stroke-width="{sw}"/><text x="{cx}" y="{ny}" font-size="13" font-weight="600" text-anchor="middle" fill="{ink}">{n}</text><text x="{cx}" y="{vy}" font-size="13" text-anchor="middle" fill="{ink}">{v}</text></a>"##,
            href = esc(&t.href),
            cx = x + tw / 2.0,
            ny = y + 25.0,
            vy = y + 46.0,
            n = esc(&short_name(&t.name)),
            v = esc(if t.value.is_some() { &t.label } else { "无数据" })
        );
    }
    legend(&mut o, w - 160.0, 20.0, metric, &sorted, fmt);
    o.push_str("</svg>");
    o
}

/// Real boundaries from a GeoJSON FeatureCollection (Polygon and MultiPolygon, lon/lat in
/// degrees): each feature is matched to a tile by its `properties.name` (or an alias: `code`,
/// `adcode`, `NAME`), projected equirectangularly with the x scale shrunk by cos(mean
/// latitude), coloured like [`tile_map`]. `None` when the file cannot be read or matches no
/// county, so that the caller falls back to the grid.
pub fn geo_map(
    title: &str,
    metric: &str,
    geojson: &str,
    tiles: &[Tile],
    fmt: &dyn Fn(f64) -> String,
) -> Option<String> {
    let doc: serde_json::Value = serde_json::from_str(geojson).ok()?;
    let features = doc.get("features")?.as_array()?;
    // (tile, rings of (lon, lat))
    type Ring = Vec<(f64, f64)>;
    let mut shapes: Vec<(&Tile, Vec<Ring>)> = Vec::new();
    for f in features {
        let props = f.get("properties");
        let key = |k: &str| {
            props
                .and_then(|p| p.get(k))
                .map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()))
        };
        let names: Vec<String> = ["name", "NAME", "code", "adcode"]
            .iter()
            .filter_map(|k| key(k))
            .collect();
        let Some(tile) = tiles.iter().find(|t| {
            names
                .iter()
                .any(|n| *n == t.name || *n == t.code || short_name(&t.name) == *n)
        }) else {
            continue;
        };
        let geom = f.get("geometry")?;
        let coords = geom.get("coordinates")?;
        let polys: Vec<&serde_json::Value> = match geom.get("type")?.as_str()? {
            "Polygon" => vec![coords],
            "MultiPolygon" => coords.as_array()?.iter().collect(),
            _ => continue,
        };
        let mut rings = Vec::new();
        for p in polys {
            for ring in p.as_array()? {
                let pts: Vec<(f64, f64)> = ring
                    .as_array()?
                    .iter()
                    .filter_map(|xy| Some((xy.get(0)?.as_f64()?, xy.get(1)?.as_f64()?)))
                    .collect();
                if pts.len() >= 3 {
                    rings.push(pts);
                }
            }
        }
        shapes.push((tile, rings));
    }
    if shapes.is_empty() {
        return None;
    }
    let all = shapes.iter().flat_map(|(_, r)| r.iter().flatten());
    let (mut x0, mut x1, mut y0, mut y1) =
        (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
    for (x, y) in all {
        x0 = x0.min(*x);
        x1 = x1.max(*x);
        y0 = y0.min(*y);
        y1 = y1.max(*y);
    }
    let k = ((y0 + y1) / 2.0).to_radians().cos();
    let (mw, mh) = (600.0, 420.0);
    let sx = (x1 - x0) * k;
    let sy = y1 - y0;
    if sx <= 0.0 || sy <= 0.0 {
        return None;
    }
    let scale = (mw / sx).min(mh / sy);
    let px = |lon: f64| 10.0 + (lon - x0) * k * scale;
    let py = |lat: f64| 10.0 + (y1 - lat) * scale;
    let sorted = sorted_values(tiles);
    let w = 20.0 + sx * scale + 180.0;
    let h = (20.0 + sy * scale).max(200.0);
    let desc: String = tiles
        .iter()
        .map(|t| {
            format!(
                "{}:{};",
                t.name,
                if t.value.is_some() { &t.label } else { "无数据" }
            )
        })
        .collect();
    let mut o = open("geomap", w, h, &format!("{title}({metric})"), &desc);
    for (t, rings) in &shapes {
        let (fill, ink) = match t.value {
            Some(v) if v.is_finite() => CLASSES[class_of(v, &sorted)],
            _ => (NO_DATA, INK),
        };
        let d: String = rings
            .iter()
            .map(|r| {
                let pts: Vec<(f64, f64)> = r.iter().map(|(x, y)| (px(*x), py(*y))).collect();
                polyline(&pts) + " Z"
            })
            .collect::<Vec<_>>()
            .join(" ");
        // Label at the centre of the largest ring's bounding box.
        let big = rings.iter().max_by_key(|r| r.len()).expect("non-empty");
        let (mut a, mut b, mut c, mut e) =
            (f64::INFINITY, f64::NEG_INFINITY, f64::INFINITY, f64::NEG_INFINITY);
        for (x, y) in big {
            a = a.min(*x);
            b = b.max(*x);
            c = c.min(*y);
            e = e.max(*y);
        }
        let (cx, cy) = (px((a + b) / 2.0), py((c + e) / 2.0));
        let (stroke, sw) = if t.own { (INK, 3.0) } else { ("#ffffff", 1.2) };
        let _ = write!(
            o,
            r##"<a href="{href}"><path d="{d}" fill="{fill}" fill-rule="evenodd" stroke="{stroke}" stroke-width="{sw}"/><text x="{cx:.1}" y="{cy:.1}" font-size="12" font-weight="600" text-anchor="middle" fill="{ink}">{n}</text><text x="{cx:.1}" y="{vy:.1}" font-size="11" text-anchor="middle" fill="{ink}">{v}</text></a>"##,
            href = esc(&t.href),
            vy = cy + 14.0,
            n = esc(&short_name(&t.name)),
            v = esc(if t.value.is_some() { &t.label } else { "无数据" })
        );
    }
    legend(&mut o, w - 170.0, 20.0, metric, &sorted, fmt);
    o.push_str("</svg>");
    Some(o)
}

// ---------------------------------------------------------------- portfolio bubbles

pub struct Bubble {
    pub label: String,
    /// Share (percent), on the x axis.
    pub x: f64,
    /// Change in share (percentage points), on the y axis.
    pub y: f64,
    /// Size (revenue): the bubble's area is proportional to it.
    pub size: f64,
    /// Strong clusters are drawn darker and named in the description.
    pub strong: bool,
}

/// The portfolio chart of the cluster observatories: x = share, y = change in share, area =
/// size; quadrant lines at the mean share and at no change. The largest bubbles are labelled
/// where the label does not overlap another (every bubble is in the description and in the
/// table beside the chart).
pub fn bubbles(title: &str, x_label: &str, y_label: &str, items: &[Bubble]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let (w, h, l, r, t, b) = (960.0, 480.0, 64.0, 24.0, 20.0, 48.0);
    let xmax = nice_max(items.iter().map(|i| i.x).fold(0.0, f64::max) * 1.08).0;
    let ya = items.iter().map(|i| i.y.abs()).fold(0.0, f64::max).max(0.01);
    let (ylim, ystep) = nice_max(ya * 1.1);
    let smax = items.iter().map(|i| i.size).fold(0.0, f64::max).max(1.0);
    let px = |v: f64| l + (v / xmax).clamp(0.0, 1.0) * (w - l - r);
    let py = |v: f64| t + (1.0 - ((v + ylim) / (2.0 * ylim)).clamp(0.0, 1.0)) * (h - t - b);
    let radius = |s: f64| 4.0 + 26.0 * (s.max(0.0) / smax).sqrt();
    let desc: String = items
        .iter()
        .map(|i| {
            format!(
                "{}:{x_label}{:.2}%,{y_label}{:+.2}个百分点{};",
                i.label,
                i.x,
                i.y,
                if i.strong { ",强集群" } else { "" }
            )
        })
        .collect();
    let mut o = open("bubbles", w, h, title, &desc);
    // Axes and grid.
    let mut v = -ylim;
    while v <= ylim + 1e-9 {
        let yy = py(v);
        let zero = v.abs() < 1e-9;
        let _ = write!(
            o,
            r##"<line x1="{l}" y1="{yy:.1}" x2="{xr}" y2="{yy:.1}" stroke="{c}" stroke-width="{sw}"/><text x="{tx}" y="{ty:.1}" font-size="12" text-anchor="end" fill="{MUTED}">{v:+.prec$}</text>"##,
            xr = w - r,
            c = if zero { "#9aa5b1" } else { GRID },
            sw = if zero { 1.5 } else { 1.0 },
            tx = l - 6.0,
            ty = yy + 4.0,
            v = if zero { 0.0 } else { v },
            prec = decimals_of(ystep)
        );
        v += ystep;
    }
    let xstep = nice_max(xmax).1;
    let xd = decimals_of(xstep);
    for k in 0..=((xmax / xstep).round() as usize) {
        let xv = xstep * k as f64;
        let _ = write!(
            o,
            r##"<line x1="{x:.1}" y1="{t}" x2="{x:.1}" y2="{yb}" stroke="{GRID}"/><text x="{x:.1}" y="{ty}" font-size="12" text-anchor="middle" fill="{MUTED}">{xv:.xd$}%</text>"##,
            x = px(xv),
            yb = h - b,
            ty = h - b + 16.0
        );
    }
    let mean = items.iter().map(|i| i.x).sum::<f64>() / items.len() as f64;
    let _ = write!(
        o,
        r##"<line x1="{x:.1}" y1="{t}" x2="{x:.1}" y2="{yb}" stroke="#9aa5b1" stroke-dasharray="4 3"/><text x="{tx:.1}" y="{ty}" font-size="12" fill="{MUTED}">平均份额</text><text x="{xm}" y="{yl}" font-size="12" text-anchor="middle" fill="{INK}">{xl}</text><text x="{l}" y="{ty}" font-size="12" fill="{INK}">↑ {yl2}</text>"##,
        x = px(mean),
        yb = h - b,
        tx = px(mean) + 4.0,
        ty = t + 12.0,
        xm = (l + w - r) / 2.0,
        yl = h - 10.0,
        xl = esc(x_label),
        yl2 = esc(y_label)
    );
    // Largest first underneath, so that small bubbles stay visible on top.
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|a, b| {
        items[*b]
            .size
            .partial_cmp(&items[*a].size)
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for &i in &order {
        let it = &items[i];
        let (fill, stroke) = if it.strong {
            ("#3182bd", "#08519c")
        } else {
            ("#bdd7e7", "#4a6fa5")
        };
        let _ = write!(
            o,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{rr:.1}" fill="{fill}" fill-opacity="0.7" stroke="{stroke}" stroke-width="1"><title>{tt}</title></circle>"##,
            x = px(it.x),
            y = py(it.y),
            rr = radius(it.size),
            tt = esc(&format!(
                "{}:{x_label}{:.2}%,{y_label}{:+.2}",
                it.label, it.x, it.y
            ))
        );
    }
    // Labels, biggest first, skipping any that would overlap one already placed.
    let mut boxes: Vec<(f64, f64, f64, f64)> = Vec::new();
    // At most the 15 largest: the rest are crowded near the origin and named in the table.
    for &i in order.iter().take(15) {
        let it = &items[i];
        let (cx, cy, rr) = (px(it.x), py(it.y), radius(it.size));
        let lw = text_width(&it.label, 12.0);
        let (x0, y0) = (cx + rr + 3.0, cy - 8.0);
        let bx = (x0, y0, x0 + lw, y0 + 14.0);
        if bx.2 > w - 2.0
            || boxes
                .iter()
                .any(|o| bx.0 < o.2 && o.0 < bx.2 && bx.1 < o.3 && o.1 < bx.3)
        {
            continue;
        }
        boxes.push(bx);
        let _ = write!(
            o,
            r##"<text x="{x0:.1}" y="{yy:.1}" font-size="12" fill="{INK}">{lab}</text>"##,
            yy = cy + 4.0,
            lab = esc(&it.label)
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(svg: &str, after: &str, attr: &str) -> f64 {
        let i = svg.find(after).unwrap_or_else(|| panic!("{after} in {svg}"));
        let rest = &svg[i..];
        let j = rest.find(&format!("{attr}=\"")).unwrap() + attr.len() + 2;
        rest[j..j + rest[j..].find('"').unwrap()].parse().unwrap()
    }

    #[test]
    fn nice_maxima() {
        // 115 / 6 = 19.2 → step 20 → 120; 1,300 / 6 = 216.7 → 250 → 1,500; 23 → 5 → 25.
        assert_eq!(nice_max(115.0), (120.0, 20.0));
        assert_eq!(nice_max(100.0), (100.0, 20.0));
        assert_eq!(nice_max(1300.0), (1500.0, 250.0));
        assert_eq!(nice_max(23.0), (25.0, 5.0));
        assert_eq!(nice_max(0.0), (1.0, 0.2));
        assert_eq!(nice_max(4.2), (5.0, 1.0));
        assert_eq!((decimals_of(0.25), decimals_of(5.0), decimals_of(0.1)), (2, 0, 1));
    }

    #[test]
    fn trend_path_ends_at_the_hand_computed_point() {
        let fmt = |v: f64| format!("{v:.0}家");
        let c = Trend {
            title: "二.3a 高新技术企业",
            actual: vec![
                (2021.0, 800.0, "2021年".into()),
                (2022.0, 900.0, "2022年".into()),
                (2023.0, 1000.0, "2023年".into()),
            ],
            path: vec![(2021.0, 800.0), (2025.0, 1300.0)],
            target: Some(1300.0),
            deadline: 2025.0,
            forecast: Some((1250.0, 1100.0, 1400.0)),
            fmt: &fmt,
            integer: true,
        };
        let svg = trend(&c);
        // x from 2021 to 2025 over 640 − 84 − 110 = 446 px; y 0 to nice_max(1400) = 1500 over
        // 300 − 16 − 44 = 240 px. The path's end (2025, 1300): x = 84 + 446 = 530;
        // y = 16 + (1 − 1300/1500) × 240 = 16 + 32 = 48; its start (2021, 800): y = 16 + 112.
        let i = svg.find("class=\"target-path\"").unwrap();
        assert!(
            svg[i..].starts_with("class=\"target-path\" d=\"M84.0 128.0 L530.0 48.0\""),
            "{}",
            &svg[i..i + 80]
        );
        // The 2022 actual: x = 84 + 446/4 = 195.5; y = 16 + (1 − 0.6) × 240 = 112.
        assert!(svg.contains("<circle cx=\"195.5\" cy=\"112.0\""));
        assert_eq!(num(&svg, "class=\"deadline\"", "x1"), 530.0);
        assert!(svg.contains("role=\"img\"") && svg.contains("<title>二.3a 高新技术企业</title>"));
        assert!(svg.contains("<desc>2021年:800家;"));
        assert!(!svg.contains("style"));
        // A count up to 3 keeps whole steps: 0, 1, 2, 3 (not 0.5).
        let small = Trend {
            title: "二.1a",
            actual: vec![(2021.0, 2.0, "2021年".into()), (2025.0, 3.0, "2025年".into())],
            path: vec![],
            target: Some(3.0),
            deadline: 2025.0,
            forecast: None,
            fmt: &fmt,
            integer: true,
        };
        let svg3 = trend(&small);
        assert!(svg3.contains(">3家</text>") && !svg3.contains(">0.5") && !svg3.contains(">2.5"));
        assert_eq!(svg3.matches("text-anchor=\"end\"").count(), 4, "four grid labels");
        // Nothing to draw: nothing.
        let empty = Trend {
            actual: vec![],
            path: vec![],
            forecast: None,
            target: None,
            ..c
        };
        assert_eq!(trend(&empty), "");
    }

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

    #[test]
    fn tile_map_places_colours_and_escapes() {
        let fmt = |v: f64| format!("{v:.0}");
        let tiles: Vec<Tile> = [("任丘市", Some(100.0)), ("吴桥县", Some(0.0)), ("东光县", None)]
            .iter()
            .map(|(n, v)| Tile {
                code: "x".into(),
                name: n.to_string(),
                value: *v,
                label: v.map(|x| format!("{x:.0}亿元")).unwrap_or_default(),
                href: "/counties/x?a=1&b=2".into(),
                own: *n == "吴桥县",
            })
            .collect();
        let svg = tile_map("各县(市)", "营业收入", &tiles, &fmt);
        // 任丘 at column 1, row 0: x = 8 + 110 = 118, y = 8; the highest value: the darkest class.
        assert!(
            svg.contains("<rect x=\"118\" y=\"8\" width=\"104\" height=\"62\" rx=\"3\" fill=\"#08519c\""),
            "{svg}"
        );
        // 吴桥 at (2, 4): x = 8 + 220 = 228, y = 8 + 4 × 68 = 280; lowest → lightest; own → outlined.
        assert!(svg.contains("<rect x=\"228\" y=\"280\" width=\"104\" height=\"62\" rx=\"3\" fill=\"#eff3ff\" stroke=\"#1f2933\" stroke-width=\"3\""));
        assert!(svg.contains(">无数据</text>"));
        assert!(svg.contains("href=\"/counties/x?a=1&amp;b=2\""));
        // Rank classes: of 1, 2, …, 10, the value 10 has 9 below → 9 × 4 / 9 = 4; 3 has 2 below
        // → 8/9 → 1; 1 → 0.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(
            (class_of(10.0, &ten), class_of(3.0, &ten), class_of(1.0, &ten)),
            (4, 1, 0)
        );
    }

    #[test]
    fn geojson_boundaries_and_fallback() {
        let fmt = |v: f64| format!("{v:.0}");
        let tiles = vec![Tile {
            code: "130981".into(),
            name: "泊头市".into(),
            value: Some(1.0),
            label: "1".into(),
            href: "/counties/130981".into(),
            own: false,
        }];
        // A square of 1° at the equator: cos 0.5° ≈ 1; scale = min(600/1, 420/1) = 420.
        let gj = r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"泊头市"},
            "geometry":{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,1],[0,0]]]]}}]}"#;
        let svg = geo_map("t", "m", gj, &tiles, &fmt).unwrap();
        assert!(svg.contains("d=\"M10.0 430.0 L430.0 430.0"), "{svg}");
        assert!(geo_map("t", "m", "not json", &tiles, &fmt).is_none());
        assert!(geo_map("t", "m", r#"{"features":[]}"#, &tiles, &fmt).is_none());
    }

    #[test]
    fn bubbles_area_and_labels() {
        let items = vec![
            Bubble {
                label: "A集群".into(),
                x: 10.0,
                y: 1.0,
                size: 400.0,
                strong: true,
            },
            Bubble {
                label: "B集群".into(),
                x: 5.0,
                y: -1.0,
                size: 100.0,
                strong: false,
            },
        ];
        let svg = bubbles("组合图", "占全市份额", "份额变化", &items);
        // Radius 4 + 26 √(s/400): A 30, B 17; x axis to nice_max(10.8) = 12 (step 2), so A at
        // 64 + 10/12 × (960 − 64 − 24) = 64 + 726.67 = 790.7.
        assert!(svg.contains("<circle cx=\"790.7\""), "{svg}");
        assert!(svg.contains("r=\"30.0\"") && svg.contains("r=\"17.0\""));
        assert!(svg.contains(">A集群</text>") && svg.contains(">B集群</text>"));
        assert!(svg.contains("A集群:占全市份额10.00%,份额变化+1.00个百分点,强集群;"));
    }
}
