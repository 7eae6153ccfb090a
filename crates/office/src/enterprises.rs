//! The enterprise registry as a spreadsheet: the import columns, row parsing with cell-level
//! errors, and a template to fill in.

use crate::CellError;
use crate::normalize::{clean_text, header_key, normalize};
use crate::table::Table;
use clusterdesk_domain::{IndustryCode, Uscc};
use clusterdesk_plan::Plan;
use clusterdesk_store::registry::{EnterpriseInput, RowError};

/// The columns of the enterprise sheet: field, Chinese header, accepted aliases, required.
pub const COLUMNS: &[(&str, &str, &[&str], bool)] = &[
    (
        "uscc",
        "统一社会信用代码",
        &["uscc", "信用代码", "社会信用代码"],
        true,
    ),
    ("name", "企业名称", &["name", "名称"], true),
    (
        "county",
        "所在县(市)",
        &["county", "所在县(市)", "县(市)", "县市", "县(市)代码"],
        true,
    ),
    ("cluster", "所属集群", &["cluster", "集群", "集群代码"], false),
    (
        "cluster_since",
        "加入集群日期",
        &["cluster_since", "加入日期"],
        false,
    ),
    (
        "industry_code",
        "行业代码",
        &["industry_code", "国民经济行业代码", "行业代码(GB/T 4754)"],
        true,
    ),
    ("address", "地址", &["address", "企业地址"], false),
    (
        "contact",
        "联系人及电话",
        &["contact", "联系人", "联系电话"],
        false,
    ),
];

pub const SHEET_NAME: &str = "企业名录";

/// Rows that parsed, each with the spreadsheet row it came from.
pub struct ParsedRows {
    pub inputs: Vec<EnterpriseInput>,
    pub source_rows: Vec<usize>,
    /// For mapping store errors back: field -> column index.
    pub columns: Vec<(&'static str, usize)>,
}

/// Whether a header cell names a column (its Chinese header or an alias).
fn is_header(h: &str, zh: &str, aliases: &[&str]) -> bool {
    // Headers compared as reporting compares them: what looks the same is the same.
    let h = header_key(h);
    h == header_key(zh) || aliases.iter().any(|a| h.eq_ignore_ascii_case(&header_key(a)))
}

/// Parse every data row; on any error, return all errors and no rows.
pub fn parse(plan: &Plan, t: &Table) -> Result<ParsedRows, Vec<CellError>> {
    let Some(header) = t.rows.first() else {
        return Err(vec![CellError {
            file: t.file.clone(),
            sheet: t.sheet.clone(),
            cell: String::new(),
            row: 0,
            column: String::new(),
            value: String::new(),
            rule: "file_empty".into(),
            message: "文件为空,缺少表头行".into(),
            count: None,
        }]);
    };
    let mut columns = Vec::new();
    let mut errors = Vec::new();
    for (field, zh, aliases, required) in COLUMNS {
        let pos = header.iter().position(|h| is_header(h, zh, aliases));
        match pos {
            Some(p) => columns.push((*field, p)),
            None if *required => errors.push(CellError {
                file: t.file.clone(),
                sheet: t.sheet.clone(),
                cell: "A1".into(),
                row: 1,
                column: "A".into(),
                value: String::new(),
                rule: "column_missing".into(),
                message: format!("表头缺少必填列“{zh}”"),
                count: None,
            }),
            None => {}
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let col = |f: &str| columns.iter().find(|(n, _)| *n == f).map(|(_, p)| *p);
    let mut inputs = Vec::new();
    let mut source_rows = Vec::new();
    for (i, r) in t.rows.iter().enumerate().skip(1) {
        let row = i + 1;
        // Empty rows and notes rows (合计, 填表人 …) are not enterprises.
        if r.iter().all(|c| clean_text(c).is_empty()) || crate::layout::is_notes_row(r) {
            continue;
        }
        // Codes, keys and dates as reporting reads them; names, addresses and contacts are
        // free text, kept as typed but for invisible characters.
        let get = |f: &str| {
            let free = matches!(f, "name" | "address" | "contact");
            col(f)
                .and_then(|p| r.get(p))
                .map(|s| if free { clean_text(s) } else { normalize(s) })
                .unwrap_or_default()
        };
        let mut row_errs = Vec::new();
        let uscc_s = get("uscc");
        let uscc = Uscc::parse(&uscc_s)
            .map_err(|e| row_errs.push(t.error(row, col("uscc").unwrap_or(0), &uscc_s, e.rule, e.message)))
            .ok();
        let name = get("name");
        if name.is_empty() {
            row_errs.push(t.error(
                row,
                col("name").unwrap_or(0),
                "",
                "required",
                "企业名称不能为空".into(),
            ));
        }
        let county_s = get("county");
        let county = plan
            .org_unit(&county_s)
            .filter(|u| u.kind.code() == "county")
            .or_else(|| plan.county_by_name(&county_s))
            .map(|u| u.code.clone());
        if county.is_none() {
            row_errs.push(t.error(
                row,
                col("county").unwrap_or(0),
                &county_s,
                "county_unknown",
                format!("县(市)“{county_s}”不在本方案的14个县(市)中"),
            ));
        }
        let cluster_s = get("cluster");
        let mut cluster = None;
        if !cluster_s.is_empty() {
            let found = plan.cluster(&cluster_s).or_else(|| {
                let c = county.as_deref()?;
                plan.clusters_of(c)
                    .into_iter()
                    .find(|k| k.name == cluster_s || k.full_name == cluster_s)
            });
            match found {
                Some(c) => cluster = Some(c.code.clone()),
                None => row_errs.push(t.error(
                    row,
                    col("cluster").unwrap_or(0),
                    &cluster_s,
                    "cluster_unknown",
                    format!("集群“{cluster_s}”不存在(可填集群代码如 C17,或本县(市)的集群名称)"),
                )),
            }
        }
        let since_s = get("cluster_since");
        let since = if since_s.is_empty() {
            None
        } else {
            match chrono::NaiveDate::parse_from_str(&since_s, "%Y-%m-%d") {
                Ok(d) => Some(d.to_string()),
                Err(_) => {
                    row_errs.push(t.error(
                        row,
                        col("cluster_since").unwrap_or(0),
                        &since_s,
                        "date_format",
                        format!("日期“{since_s}”应为 YYYY-MM-DD"),
                    ));
                    None
                }
            }
        };
        let ind_s = get("industry_code");
        let industry = IndustryCode::parse(&ind_s)
            .map_err(|e| {
                row_errs.push(t.error(row, col("industry_code").unwrap_or(0), &ind_s, e.rule, e.message))
            })
            .ok();
        if row_errs.is_empty() {
            inputs.push(EnterpriseInput {
                uscc: uscc.expect("no error"),
                name,
                county_code: county.expect("no error"),
                industry: industry.expect("no error"),
                cluster_code: cluster,
                cluster_since: since,
                address: get("address"),
                contact: get("contact"),
            });
            source_rows.push(row);
        }
        errors.extend(row_errs);
    }
    if errors.is_empty() {
        Ok(ParsedRows {
            inputs,
            source_rows,
            columns,
        })
    } else {
        Err(crate::limits::cap_errors(errors))
    }
}

/// Map the store's row errors back to cells of the file.
pub fn store_errors_to_cells(t: &Table, parsed: &ParsedRows, errs: &[RowError]) -> Vec<CellError> {
    errs.iter()
        .map(|e| {
            let row = parsed.source_rows[e.index];
            let col = parsed
                .columns
                .iter()
                .find(|(f, _)| *f == e.field)
                .map(|(_, p)| *p)
                .unwrap_or(0);
            let value = t
                .rows
                .get(row - 1)
                .and_then(|r| r.get(col))
                .cloned()
                .unwrap_or_default();
            t.error(row, col, &value, e.rule, e.message.clone())
        })
        .collect()
}

/// An .xlsx template: the header row, one example row, widths, and a notes sheet.
pub fn template(plan: &Plan) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDE6F0");
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(SHEET_NAME)?;
    for (i, (_, zh, _, required)) in COLUMNS.iter().enumerate() {
        let title = if *required {
            format!("{zh}*")
        } else {
            zh.to_string()
        };
        ws.write_with_format(0, i as u16, title, &head)?;
        ws.set_column_width(i as u16, if i == 1 || i == 6 { 36 } else { 20 })?;
        ws.set_column_format(i as u16, &text)?;
    }
    ws.set_freeze_panes(1, 0)?;
    let example = [
        "91130981MA0AB12CXA",
        "泊头市示例铸造有限公司",
        "泊头市",
        "铸造",
        "2021-01-01",
        "C3391",
        "河北省沧州市泊头市",
        "",
    ];
    for (i, v) in example.iter().enumerate() {
        ws.write_with_format(1, i as u16, *v, &text)?;
    }
    let notes = wb.add_worksheet();
    notes.set_name("填写说明")?;
    notes.set_column_width(0, 100)?;
    let mut lines = vec![
        "带 * 的列必填。第2行是示例,导入前请删除或替换。".to_string(),
        "统一社会信用代码:18位,按 GB 32100-2015 校验。".to_string(),
        "所在县(市):填写名称或行政区划代码,如“泊头市”或 130981。".to_string(),
        "所属集群:填写集群代码(如 C19)或本县(市)集群名称(如“铸造”)。".to_string(),
        "行业代码:GB/T 4754-2017 国民经济行业分类代码,如 C3391 或 3391。".to_string(),
        "日期格式:YYYY-MM-DD。".to_string(),
        "整个文件要么全部导入,要么一行也不导入;错误会指出工作表、单元格和规则。".to_string(),
        String::new(),
        "集群代码一览:".to_string(),
    ];
    for c in &plan.clusters {
        let county = plan.org_unit(&c.county).map(|u| u.name.as_str()).unwrap_or("");
        lines.push(format!("{}  {}  {}", c.code, county, c.name));
    }
    for (i, l) in lines.iter().enumerate() {
        notes.write(i as u32, 0, l)?;
    }
    wb.save_to_buffer()
}

#[derive(Debug)]
pub enum ImportError {
    /// The file was refused; nothing was written.
    Cells(Vec<CellError>),
    Store(clusterdesk_store::StoreError),
}

/// Read, check and write an enterprise file, all or nothing.
pub async fn import(
    store: &clusterdesk_store::Store,
    actor: &clusterdesk_store::Actor,
    file: &str,
    bytes: &[u8],
    dry_run: bool,
) -> Result<clusterdesk_store::registry::WriteSummary, ImportError> {
    // The sheet whose header row names the credit code: a notes sheet may come first.
    let fits = |t: &Table| {
        let (_, zh, aliases, _) = COLUMNS[0];
        t.rows
            .first()
            .is_some_and(|r| r.iter().any(|h| is_header(h, zh, aliases)))
    };
    let table = crate::table::read_table_for(file, bytes, &fits, "(第1行为表头,含“统一社会信用代码”列)")
        .map_err(|e| ImportError::Cells(vec![*e]))?;
    let parsed = parse(store.plan(), &table).map_err(ImportError::Cells)?;
    match store
        .upsert_enterprises(actor, &parsed.inputs, dry_run)
        .await
        .map_err(ImportError::Store)?
    {
        Ok(s) => Ok(s),
        Err(errs) => Err(ImportError::Cells(crate::limits::cap_errors(
            store_errors_to_cells(&table, &parsed, &errs),
        ))),
    }
}
