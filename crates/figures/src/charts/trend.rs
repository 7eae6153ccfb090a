//! The trend of one indicator against its target path, with the forecast at the deadline.

use super::svg::{GRID, INK, MUTED, esc, nice_max, open, polyline, text_width};
use std::fmt::Write;

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
}
