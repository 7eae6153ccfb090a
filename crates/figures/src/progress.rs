//! The SVG drawn for a target: its progress bar and its trend chart.

use crate::charts::esc;
use clusterdesk_analytics::ForecastMethod;
use clusterdesk_analytics::targets::{TargetProgress, show_value};
use rust_decimal::prelude::ToPrimitive;

/// The Open SDG statuses in the order they are counted on a page.
pub const STATUSES: [(&str, &str); 5] = [
    ("achieved", "已达成"),
    ("on_track", "进度正常"),
    ("needs_acceleration", "需加快"),
    ("limited_progress", "进展有限"),
    ("deteriorating", "倒退"),
];

/// The icon of a status, shown beside its word.
pub fn icon(status: &str) -> &'static str {
    match status {
        "achieved" => "✓",
        "on_track" => "↗",
        "needs_acceleration" => "→",
        "limited_progress" => "↘",
        "deteriorating" => "✗",
        _ => "?",
    }
}

/// Fill colour of a status; the word and the icon go with it everywhere.
pub fn colour(status: &str) -> &'static str {
    match status {
        "achieved" => "#1e7b34",
        "on_track" => "#1d4f91",
        "needs_acceleration" => "#9a6700",
        "limited_progress" => "#c2410c",
        "deteriorating" => "#b42318",
        _ => "#7b8794",
    }
}

/// A decimal as a float for drawing only; amounts shown as text never pass through it.
pub fn f(d: &rust_decimal::Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// A horizontal bar: the value filled in the status colour, the target as a solid line, where
/// the value should be by now (the phased target) as a dashed line, the forecast as a diamond
/// with its interval. 0 is the left edge; the scale runs to the largest of them × 1.08.
pub fn bar_svg(t: &TargetProgress) -> String {
    let (w, h, x0, bw) = (420.0, 34.0, 4.0, 412.0);
    let value = f(&t.value);
    let target = t.target.as_ref().map(f);
    let expected = t.expected.as_ref().map(f);
    let fc = t.forecast.as_ref().filter(|x| x.method != ForecastMethod::Actual);
    let mut top = value.max(target.unwrap_or(0.0)).max(expected.unwrap_or(0.0));
    if let Some(fc) = fc {
        top = top.max(f(&fc.value)).max(f(&fc.high).min(top * 1.6));
    }
    let top = if top <= 0.0 { 1.0 } else { top * 1.08 };
    let x = |v: f64| x0 + (v.max(0.0) / top).min(1.0) * bw;
    let col = colour(t.status.code());
    let mut s = format!(
        r##"<svg class="pbar" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}"><title>{label}</title><rect x="{x0}" y="8" width="{bw}" height="16" fill="#eef2f6" stroke="#9aa5b1" stroke-width="0.5"/><rect x="{x0}" y="8" width="{vw:.1}" height="16" fill="{col}"/>"##,
        label = esc(&format!(
            "{} {}:当前 {},目标 {},{}",
            t.id,
            t.name,
            show_value(&t.value, &t.unit),
            t.target
                .as_ref()
                .map(|v| show_value(v, &t.unit))
                .unwrap_or_else(|| "—".into()),
            t.status_label
        )),
        vw = x(value) - x0,
    );
    if let Some(e) = expected
        && !t.is_final
    {
        let ex = x(e);
        s.push_str(&format!(
            r##"<line x1="{ex:.1}" y1="4" x2="{ex:.1}" y2="28" stroke="#323f4b" stroke-width="1.2" stroke-dasharray="3 2"/>"##
        ));
    }
    if let Some(tv) = target {
        let tx = x(tv);
        s.push_str(&format!(
            r##"<line x1="{tx:.1}" y1="2" x2="{tx:.1}" y2="30" stroke="#1f2933" stroke-width="2.5"/>"##
        ));
    }
    if let Some(fc) = fc {
        let (lo, mid, hi) = (x(f(&fc.low)), x(f(&fc.value)), x(f(&fc.high)));
        s.push_str(&format!(
            r##"<line x1="{lo:.1}" y1="16" x2="{hi:.1}" y2="16" stroke="#1f2933" stroke-width="1"/><path d="M{mid:.1} 10 L{r:.1} 16 L{mid:.1} 22 L{l:.1} 16 Z" fill="#ffffff" stroke="#1f2933" stroke-width="1.2"/>"##,
            l = mid - 6.0,
            r = mid + 6.0
        ));
    }
    s.push_str("</svg>");
    s
}

/// A small trend chart: the yearly series (solid, dots), the phased target path (dashed) and,
/// before the deadline, the forecast with its interval.
pub fn trend_svg(t: &TargetProgress) -> String {
    let (w, h) = (420.0, 150.0);
    let (l, r, top, bottom) = (56.0, 12.0, 12.0, 26.0);
    let pts: Vec<(String, f64, Option<f64>)> = t
        .series
        .iter()
        .map(|p| (p.period.clone(), f(&p.value), p.milestone.as_ref().map(f)))
        .collect();
    if pts.is_empty() {
        return String::new();
    }
    let fc = t
        .forecast
        .as_ref()
        .filter(|x| x.method != ForecastMethod::Actual)
        .map(|x| (f(&x.value), f(&x.low), f(&x.high)));
    // x positions: one slot per point, plus the deadline when a forecast is drawn.
    let slots = pts.len() + usize::from(fc.is_some());
    let step = if slots > 1 {
        (w - l - r) / (slots - 1) as f64
    } else {
        0.0
    };
    let xs = |i: usize| l + step * i as f64;
    let mut ymax = pts
        .iter()
        .map(|(_, v, m)| v.max(m.unwrap_or(0.0)))
        .fold(0.0, f64::max);
    if let Some(tv) = t.target.as_ref().map(f) {
        ymax = ymax.max(tv);
    }
    if let Some((p, _, hi)) = fc {
        ymax = ymax.max(p).max(hi.min(ymax * 1.6));
    }
    let ymax = if ymax <= 0.0 { 1.0 } else { ymax * 1.1 };
    let y = |v: f64| top + (1.0 - (v.max(0.0) / ymax).min(1.0)) * (h - top - bottom);
    let mut s = format!(
        r##"<svg class="ptrend" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{a}"><title>{a}</title><line x1="{l}" y1="{yb}" x2="{xr}" y2="{yb}" stroke="#9aa5b1"/>"##,
        a = esc(&format!("{} 历年走势", t.id)),
        yb = h - bottom,
        xr = w - r
    );
    // Axis labels: 0 and the top, in the target's unit.
    let unit_max = rust_decimal::Decimal::from_f64_retain(ymax).unwrap_or_default();
    s.push_str(&format!(
        r##"<text x="{tx}" y="{y0}" font-size="10" text-anchor="end" fill="#616e7c">0</text><text x="{tx}" y="{y1}" font-size="10" text-anchor="end" fill="#616e7c">{m}</text>"##,
        tx = l - 4.0,
        y0 = h - bottom + 3.0,
        y1 = top + 8.0,
        m = esc(&show_value(&unit_max, &t.unit))
    ));
    let line = |vals: Vec<(usize, f64)>| -> String {
        vals.iter()
            .enumerate()
            .map(|(k, (i, v))| format!("{}{:.1} {:.1}", if k == 0 { "M" } else { " L" }, xs(*i), y(*v)))
            .collect()
    };
    let ms: Vec<(usize, f64)> = pts
        .iter()
        .enumerate()
        .filter_map(|(i, (_, _, m))| m.map(|m| (i, m)))
        .collect();
    if ms.len() > 1 {
        s.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="#616e7c" stroke-width="1.2" stroke-dasharray="4 3"/>"##,
            line(ms)
        ));
    }
    let vals: Vec<(usize, f64)> = pts.iter().enumerate().map(|(i, (_, v, _))| (i, *v)).collect();
    let col = colour(t.status.code());
    if vals.len() > 1 {
        s.push_str(&format!(
            r##"<path d="{}" fill="none" stroke="{col}" stroke-width="2"/>"##,
            line(vals.clone())
        ));
    }
    for (i, v) in &vals {
        s.push_str(&format!(
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{col}"/>"##,
            xs(*i),
            y(*v)
        ));
    }
    for (i, (label, _, _)) in pts.iter().enumerate() {
        s.push_str(&format!(
            r##"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="#616e7c">{}</text>"##,
            xs(i),
            h - 8.0,
            esc(label)
        ));
    }
    if let Some((p, lo, hi)) = fc {
        let i = pts.len();
        let (last_i, last_v) = (pts.len() - 1, pts[pts.len() - 1].1);
        s.push_str(&format!(
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#1f2933" stroke-dasharray="2 2"/><line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{:.1}" stroke="#1f2933"/><path d="M{x:.1} {a:.1} L{xr:.1} {yp:.1} L{x:.1} {b:.1} L{xl:.1} {yp:.1} Z" fill="#ffffff" stroke="#1f2933"/><text x="{tx:.1}" y="{}" font-size="10" text-anchor="end" fill="#616e7c">{}预测</text>"##,
            xs(last_i),
            y(last_v),
            xs(i),
            y(p),
            y(hi),
            y(lo),
            h - 8.0,
            t.deadline_year,
            x = xs(i),
            a = y(p) - 5.0,
            b = y(p) + 5.0,
            xl = xs(i) - 5.0,
            xr = xs(i) + 5.0,
            yp = y(p),
            tx = xs(i) + 6.0
        ));
    }
    if let Some(tv) = t.target.as_ref().map(f) {
        let yt = y(tv);
        s.push_str(&format!(
            r##"<line x1="{l}" y1="{yt:.1}" x2="{xr}" y2="{yt:.1}" stroke="#1f2933" stroke-width="1"/><text x="{xr}" y="{ty:.1}" font-size="10" text-anchor="end" fill="#1f2933">目标</text>"##,
            xr = w - r,
            ty = yt - 3.0
        ));
    }
    s.push_str("</svg>");
    s
}
