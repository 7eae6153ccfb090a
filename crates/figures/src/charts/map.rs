//! The counties on a map: schematic tiles on a grid, or real boundaries from GeoJSON.

use super::svg::{INK, esc, open, polyline};
use std::fmt::Write;

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

/// The map's text description: each county's label, or 无数据.
fn describe(tiles: &[Tile]) -> String {
    tiles
        .iter()
        .map(|t| {
            format!(
                "{}:{};",
                t.name,
                if t.value.is_some() { &t.label } else { "无数据" }
            )
        })
        .collect()
}

/// A tile's (fill, ink): its class's colours, or the no-data ones.
fn colours(t: &Tile, sorted: &[f64]) -> (&'static str, &'static str) {
    match t.value {
        Some(v) if v.is_finite() => CLASSES[class_of(v, sorted)],
        _ => (NO_DATA, INK),
    }
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
    let mut o = open("tilemap", w, h, &format!("{title}({metric})"), &describe(tiles));
    for (c, r, t) in &placed {
        let (x, y) = (left + *c as f64 * (tw + gap), top + *r as f64 * (th + gap));
        let (fill, ink) = colours(t, &sorted);
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
    let mut o = open("geomap", w, h, &format!("{title}({metric})"), &describe(tiles));
    for (t, rings) in &shapes {
        let (fill, ink) = colours(t, &sorted);
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(svg.contains("href=\"/counties/x?a=1&#38;b=2\""));
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
}
