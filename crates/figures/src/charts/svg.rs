//! What every chart shares: escaping, the opening tag, the colours of ink and grid, nice
//! axis steps and the width of a label.

/// Text for HTML or SVG built by hand, escaped as askama escapes the templates, so that the
/// crate has one escaper. Pages use it too (`charts::esc`).
pub fn esc(s: &str) -> String {
    use askama::filters::Escaper;
    let mut out = String::with_capacity(s.len());
    // Writing to a String cannot fail.
    let _ = askama::filters::Html.write_escaped_str(&mut out, s);
    out
}

pub(super) const INK: &str = "#1f2933";
pub(super) const MUTED: &str = "#616e7c";
pub(super) const GRID: &str = "#d9e2ec";

/// Opening tag with the accessible name and description.
pub(super) fn open(class: &str, w: f64, h: f64, title: &str, desc: &str) -> String {
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
pub(super) fn decimals_of(step: f64) -> usize {
    (0..6)
        .find(|d| ((step * 10f64.powi(*d as i32)).round() - step * 10f64.powi(*d as i32)).abs() < 1e-6)
        .unwrap_or(6)
}

/// Visual width of a label at a font size: CJK characters a full em, others about half.
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.58 } else { 1.0 })
        .sum::<f64>()
        * size
}

pub(super) fn polyline(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .enumerate()
        .map(|(i, (x, y))| format!("{}{x:.1} {y:.1}", if i == 0 { "M" } else { " L" }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_is_askamas() {
        // The five characters of HTML as askama writes them; Chinese text passes as it is.
        assert_eq!(esc(r#"<a href="x">'&"#), "&#60;a href=&#34;x&#34;&#62;&#39;&#38;");
        assert_eq!(esc("营业收入"), "营业收入");
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
}
