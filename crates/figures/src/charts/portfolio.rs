//! The portfolio chart of the cluster observatories.

use super::svg::{GRID, INK, MUTED, decimals_of, esc, nice_max, open, text_width};
use std::fmt::Write;

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
