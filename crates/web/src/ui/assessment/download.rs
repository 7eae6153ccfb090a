//! The assessment's tables as .xlsx / .csv downloads.

use crate::ui::{PageError, table_download};
use axum::response::Response;
use clusterdesk_domain::Fen;
use clusterdesk_store::assessment::AssessmentReport;

/// The columns shown: indicators with a weight, or with data.
pub(super) fn shown(r: &AssessmentReport) -> Vec<usize> {
    r.indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.weight > 0)
        .map(|(k, _)| k)
        .collect()
}

pub(super) fn download(r: &AssessmentReport, format: &str, table: &str) -> Result<Response, PageError> {
    let cols = shown(r);
    match table {
        "transfer" => {
            let headers = [
                "名次",
                "县(市)",
                "入园企业数(家)",
                "转移金额(元)",
                "并列",
                "说明",
                "条款",
            ];
            let rows: Vec<Vec<String>> = r
                .park_entry
                .rows
                .iter()
                .map(|t| {
                    vec![
                        t.place.to_string(),
                        t.name.clone(),
                        t.park_entries.to_string(),
                        Fen(t.amount_fen).yuan_string(),
                        if t.tied { "是".into() } else { String::new() },
                        t.flags.join(";"),
                        r.park_entry.clause.clone(),
                    ]
                })
                .collect();
            table_download(format, &format!("入园进区考核转移_{}", r.year), &headers, &rows)
        }
        "above_scale" => {
            let headers = [
                "县(市)",
                "年初规上企业(家)",
                "新入统(家)",
                "其中小升规",
                "其中新建入统或无法区分",
                "退出(家)",
                "净增(家)",
                "目标(家)",
                "目标来源",
                "完成率(%)",
                "超额(+)/差额(−)",
            ];
            let rows: Vec<Vec<String>> = r
                .above_scale
                .iter()
                .map(|a| {
                    vec![
                        a.name.clone(),
                        a.start.to_string(),
                        a.entered.to_string(),
                        a.small_to_above.to_string(),
                        a.newly_built_or_unknown.to_string(),
                        a.exits.to_string(),
                        a.net_new.to_string(),
                        a.target.map(|t| t.to_string()).unwrap_or_default(),
                        a.target_source_text.clone(),
                        a.attainment_pct.clone().unwrap_or_default(),
                        a.gap.map(|g| g.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            table_download(format, &format!("净增规上工业企业_{}", r.year), &headers, &rows)
        }
        _ => {
            let mut headers: Vec<String> = vec!["名次".into(), "县(市)".into(), "综合得分".into()];
            for k in &cols {
                let i = &r.indicators[*k];
                headers.push(format!("{}({})", i.name, i.unit));
                headers.push(format!("{}得分(权重{})", i.name, i.weight));
            }
            headers.push("上年名次".into());
            headers.push("名次变化".into());
            let rows: Vec<Vec<String>> = r
                .rows
                .iter()
                .map(|x| {
                    let mut v = vec![
                        format!("{}{}", x.rank, if x.tied { "(并列)" } else { "" }),
                        x.name.clone(),
                        x.composite.clone(),
                    ];
                    for k in &cols {
                        v.push(x.values[*k].raw.clone().unwrap_or_default());
                        v.push(x.values[*k].score.clone().unwrap_or_default());
                    }
                    v.push(x.last_rank.map(|l| l.to_string()).unwrap_or_default());
                    v.push(x.rank_change.map(|c| c.to_string()).unwrap_or_default());
                    v
                })
                .collect();
            let h: Vec<&str> = headers.iter().map(String::as_str).collect();
            table_download(format, &format!("县(市)考核排名_{}", r.year), &h, &rows)
        }
    }
}
