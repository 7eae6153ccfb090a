//! `tasks.csv`: the task catalogue and its responsible departments.

use super::TASKS;
use super::rows::check_id;
use crate::table::read_table;
use crate::*;

// ---------------------------------------------------------------- tasks.csv

pub(super) fn parse_tasks(text: &str, units: &[OrgUnit]) -> Result<Vec<Task>, PlanError> {
    let cols = [
        "id",
        "clause",
        "action",
        "action_title",
        "item",
        "title",
        "responsible",
        "summary",
        "note",
    ];
    let table = read_table(TASKS, text, &cols)?;
    let mut out: Vec<Task> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    for row in table.rows() {
        let id = check_id(&row, "任务编号")?;
        if let Some(i) = out.iter().position(|t| t.id == id) {
            return Err(row.err("id", format!("任务编号“{id}”与第{}行重复", lines[i])));
        }
        let clause = row.required("clause", "条款编号")?;
        let action = row.required("action", "行动编号")?;
        if !clause.starts_with(action) {
            return Err(row.err("clause", format!("条款编号“{clause}”应以行动编号“{action}”开头")));
        }
        let action_title = row.required("action_title", "行动名称")?;
        if let Some(other) = out
            .iter()
            .find(|t| t.action == action && t.action_title != action_title)
        {
            return Err(row.err(
                "action_title",
                format!(
                    "行动“{action}”的名称“{action_title}”与任务“{}”的“{}”不一致",
                    other.id, other.action_title
                ),
            ));
        }
        let item: u32 = row.int("item", "项目序号")?;
        if item == 0 {
            return Err(row.err("item", "项目序号应从1开始"));
        }
        let title = row.required("title", "任务标题")?;
        let responsible = row.list("responsible", "责任单位")?;
        for code in &responsible {
            match units.iter().find(|u| &u.code == code) {
                None => return Err(row.err("responsible", format!("责任单位“{code}”不在组织机构表中"))),
                Some(u) if u.kind != OrgKind::Department => {
                    return Err(row.err(
                        "responsible",
                        format!("责任单位“{code}”({})是{},不是部门", u.name, u.kind.label_zh()),
                    ));
                }
                Some(_) => {}
            }
        }
        let summary = row.required("summary", "任务摘要")?;
        out.push(Task {
            id,
            clause: clause.to_string(),
            action: action.to_string(),
            action_title: action_title.to_string(),
            item,
            title: title.to_string(),
            responsible,
            summary: summary.to_string(),
            note: row.string("note"),
        });
        lines.push(row.line());
    }
    Ok(out)
}
