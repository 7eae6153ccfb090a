//! `reference.csv`: outside figures the location quotient and the shift-share compare a
//! cluster with — a province's or the nation's revenue (or employment) by GB/T 4754 division,
//! and the total over all divisions on the same basis, by year. The file is optional: without
//! it (or without a division in it) the city is its own reference.

use crate::PlanError;
use crate::table::read_table;
use rust_decimal::Decimal;
use serde::Serialize;

pub(crate) const REFERENCE: &str = "reference.csv";

/// What a reference figure measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefMeasure {
    /// Operating revenue, in 亿元.
    Revenue,
    /// Persons employed (年平均用工人数), in 人.
    Employment,
}

impl RefMeasure {
    pub fn code(self) -> &'static str {
        match self {
            RefMeasure::Revenue => "revenue",
            RefMeasure::Employment => "employment",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "revenue" => Some(RefMeasure::Revenue),
            "employment" => Some(RefMeasure::Employment),
            _ => None,
        }
    }

    /// The unit the `value` column must be written in.
    pub fn unit(self) -> &'static str {
        match self {
            RefMeasure::Revenue => "亿元",
            RefMeasure::Employment => "人",
        }
    }
}

/// One row of `reference.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReferenceFigure {
    /// Two-digit GB/T 4754 division; `None` for the row `total` (all divisions on this basis).
    pub division: Option<String>,
    pub division_name: String,
    /// 河北省 or 全国.
    pub region: String,
    pub year: i32,
    pub measure: RefMeasure,
    /// In [`RefMeasure::unit`].
    pub value: Decimal,
    /// Where the figure comes from (yearbook, table); `示例数据…` for placeholders.
    pub source: String,
    pub note: String,
    /// Line in the file (header = 1), for people checking a figure.
    pub line: usize,
}

impl ReferenceFigure {
    /// A placeholder that must be replaced by the statistical yearbook's figure.
    pub fn is_placeholder(&self) -> bool {
        self.source.contains("示例数据")
    }
}

/// The regions a file may use, most specific first (the province is the closer comparison).
pub const REGIONS: [&str; 2] = ["河北省", "全国"];

pub(crate) fn parse_reference(text: &str) -> Result<Vec<ReferenceFigure>, PlanError> {
    let table = read_table(
        REFERENCE,
        text,
        &[
            "division",
            "division_name",
            "region",
            "year",
            "measure",
            "value",
            "unit",
            "source",
            "note",
        ],
    )?;
    let mut out: Vec<ReferenceFigure> = Vec::new();
    for row in table.rows() {
        let d = row.required("division", "行业大类")?;
        let division = if d == "total" {
            None
        } else {
            let code =
                clusterdesk_domain::IndustryCode::parse(d).map_err(|e| row.err("division", e.message))?;
            if code.as_str().len() != 2 {
                return Err(row.err(
                    "division",
                    format!("行业大类“{d}”应为GB/T 4754的2位大类代码(或 total 表示合计)"),
                ));
            }
            Some(code.as_str().to_string())
        };
        let region = row.required("region", "参照地区")?;
        if !REGIONS.contains(&region) {
            return Err(row.err(
                "region",
                format!("参照地区“{region}”无效(应为:{})", REGIONS.join("、")),
            ));
        }
        let year: i32 = row.int("year", "年份")?;
        if !(1949..=2100).contains(&year) {
            return Err(row.err("year", format!("年份“{year}”无效")));
        }
        let measure = row.enumeration("measure", "指标", RefMeasure::parse, &["revenue", "employment"])?;
        let unit = row.required("unit", "单位")?;
        if unit != measure.unit() {
            return Err(row.err(
                "unit",
                format!("{}的单位应为“{}”,不是“{unit}”", measure.code(), measure.unit()),
            ));
        }
        let value = row
            .opt_decimal("value", "数值")?
            .ok_or_else(|| row.err("value", "数值不能为空"))?;
        if value <= Decimal::ZERO {
            return Err(row.err("value", format!("数值“{value}”应大于0")));
        }
        let source = row.required("source", "来源")?.to_string();
        let key = |f: &ReferenceFigure| (f.division.clone(), f.region.clone(), f.year, f.measure);
        let fig = ReferenceFigure {
            division,
            division_name: row.string("division_name"),
            region: region.to_string(),
            year,
            measure,
            value,
            source,
            note: row.string("note"),
            line: row.line(),
        };
        if let Some(prev) = out.iter().find(|o| key(o) == key(&fig)) {
            return Err(row.err(
                "division",
                format!("与第{}行重复(同一地区、年份、指标和行业大类)", prev.line),
            ));
        }
        out.push(fig);
    }
    // Every division row needs the total of its region, year and measure, and cannot exceed it.
    for f in out.iter().filter(|f| f.division.is_some()) {
        let total = out.iter().find(|t| {
            t.division.is_none() && t.region == f.region && t.year == f.year && t.measure == f.measure
        });
        match total {
            None => {
                return Err(PlanError::at_column(
                    REFERENCE,
                    f.line,
                    "division",
                    format!(
                        "缺少{}{}年{}的合计行(division 为 total),无法计算区位商",
                        f.region,
                        f.year,
                        f.measure.code()
                    ),
                ));
            }
            Some(t) if f.value > t.value => {
                return Err(PlanError::at_column(
                    REFERENCE,
                    f.line,
                    "value",
                    format!(
                        "行业大类{}的数值{}大于第{}行的合计{}",
                        f.division.as_deref().unwrap_or(""),
                        f.value,
                        t.line,
                        t.value
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The reference for one division and year: (division row, total row) of the first region in
/// [`REGIONS`] that has the division, at `year` or else the latest year before it.
pub fn reference_for<'a>(
    figures: &'a [ReferenceFigure],
    measure: RefMeasure,
    division: &str,
    year: i32,
) -> Option<(&'a ReferenceFigure, &'a ReferenceFigure)> {
    for region in REGIONS {
        let best = figures
            .iter()
            .filter(|f| {
                f.measure == measure
                    && f.region == region
                    && f.year <= year
                    && f.division.as_deref() == Some(division)
            })
            .max_by_key(|f| f.year);
        if let Some(d) = best {
            let total = figures
                .iter()
                .find(|t| {
                    t.division.is_none() && t.region == region && t.year == d.year && t.measure == measure
                })
                .expect("checked at load");
            return Some((d, total));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "division,division_name,region,year,measure,value,unit,source,note\n";

    #[test]
    fn reads_and_picks_the_latest_year_not_after() {
        let text = format!(
            "{HEAD}total,合计,河北省,2021,revenue,50000,亿元,示例数据，须以统计年鉴替换,\n\
             35,专用设备制造业,河北省,2021,revenue,1500.5,亿元,示例数据，须以统计年鉴替换,\n\
             total,合计,河北省,2023,revenue,52000,亿元,年鉴,\n\
             35,专用设备制造业,河北省,2023,revenue,1600,亿元,年鉴,\n\
             total,合计,全国,2021,revenue,1279200,亿元,国家统计局,\n\
             36,汽车制造业,全国,2021,revenue,86706.2,亿元,国家统计局,\n"
        );
        let f = parse_reference(&text).unwrap();
        assert_eq!(f.len(), 6);
        let (d, t) = reference_for(&f, RefMeasure::Revenue, "35", 2022).unwrap();
        assert_eq!(
            (d.year, d.value, t.value),
            (2021, Decimal::new(15005, 1), Decimal::from(50000))
        );
        assert!(d.is_placeholder());
        let (d, _) = reference_for(&f, RefMeasure::Revenue, "35", 2025).unwrap();
        assert_eq!((d.year, d.line), (2023, 5));
        // Hebei lacks 36: the nation is next.
        let (d, t) = reference_for(&f, RefMeasure::Revenue, "36", 2025).unwrap();
        assert_eq!((d.region.as_str(), t.line), ("全国", 6));
        assert!(reference_for(&f, RefMeasure::Revenue, "35", 2020).is_none());
        assert!(reference_for(&f, RefMeasure::Employment, "35", 2025).is_none());
    }

    #[test]
    fn refuses_with_line_and_column() {
        let cases = [
            (
                "total,合计,河北省,2021,revenue,5,亿元,x,\n351,x,河北省,2021,revenue,1,亿元,x,\n",
                3,
                "division",
            ),
            ("total,合计,天津市,2021,revenue,5,亿元,x,\n", 2, "region"),
            ("total,合计,河北省,2021,revenue,5,万元,x,\n", 2, "unit"),
            ("total,合计,河北省,2021,revenue,-5,亿元,x,\n", 2, "value"),
            ("total,合计,河北省,2021,revenue,5,亿元,,\n", 2, "source"),
            ("35,x,河北省,2021,revenue,5,亿元,x,\n", 2, "division"),
            (
                "total,合计,河北省,2021,revenue,5,亿元,x,\ntotal,合计,河北省,2021,revenue,6,亿元,x,\n",
                3,
                "division",
            ),
            (
                "total,合计,河北省,2021,revenue,5,亿元,x,\n35,x,河北省,2021,revenue,6,亿元,x,\n",
                3,
                "value",
            ),
            ("total,合计,河北省,2021,sales,5,亿元,x,\n", 2, "measure"),
        ];
        for (body, line, col) in cases {
            let e = parse_reference(&format!("{HEAD}{body}")).unwrap_err();
            assert_eq!(
                (e.file.as_str(), e.line, e.column.as_deref()),
                (REFERENCE, Some(line), Some(col)),
                "{body}: {e}"
            );
        }
    }
}
