//! The Chinese words for the engine's codes, as pages and explanations show them: the
//! readings (解读) and their values, and the options of choice facts. A code without a word
//! here is shown as it is.

/// A reading's name in words.
pub fn reading_label(name: &str) -> &str {
    match name {
        "events_before_issue" => "方案印发前的事件",
        "per" => "享受次数",
        "rounding" => "计算到分时的取舍",
        "requires_previous_stage" => "须先享受上一阶段",
        "after_other_level" => "已享受另一层级时",
        "cap_in_principle" => "“原则上”的上限",
        "ties" => "名次并列时",
        "remainder_fen" => "分配余下的分",
        "higher_score_better" => "得分越高名次越前",
        "expected_counties" => "参加考核的县(市)",
        other => other,
    }
}

/// A reading's value in words.
pub fn reading_value_label<'a>(name: &str, value: &'a str) -> &'a str {
    match (name, value) {
        ("events_before_issue", "paid") => "适用首个取值,照常奖励",
        ("events_before_issue", "excluded") => "不予奖励",
        ("per", "enterprise") => "每家企业一次",
        ("per", "project") => "每个项目计上限",
        ("per", "enterprise_total") => "每家企业累计计上限",
        ("rounding", "down_to_fen") => "舍去分以下",
        ("rounding", "half_up_to_fen") => "四舍五入到分",
        ("after_other_level", "in_full") => "全额享受",
        ("after_other_level", "difference") => "只补差额",
        ("cap_in_principle", "binding") => "严格执行",
        ("cap_in_principle", "advisory") => "不削减,个案审批",
        ("ties", "pool_and_split") => "合并所占名次的金额后平分",
        ("remainder_fen", "lowest_code_first") => "代码小的县(市)先得",
        ("remainder_fen", "highest_code_first") => "代码大的县(市)先得",
        (_, "true") => "是",
        (_, "false") => "否",
        (_, other) => other,
    }
}

/// "(解读:享受次数为每家企业一次)", the note an explanation ends with.
pub fn reading_note(name: &str, value: &str) -> String {
    format!(
        "(解读:{}为{})",
        reading_label(name),
        reading_value_label(name, value)
    )
}

/// An option of a choice fact, or a fact's value, in words.
pub fn option_label(value: &str) -> &str {
    match value {
        "national_key" => "国家级重点",
        "national" => "国家级",
        "provincial" => "省级",
        "csrc" => "中国证监会",
        "sse" => "上海证券交易所",
        "szse" => "深圳证券交易所",
        "bse" => "北京证券交易所",
        "other" => "其他",
        "true" => "是",
        "false" => "否",
        other => other,
    }
}

/// A fact's value (a JSON value) in words: 是/否, an option's label, or the text.
pub fn value_label(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => option_label(s).to_string(),
        serde_json::Value::Bool(true) => "是".into(),
        serde_json::Value::Bool(false) => "否".into(),
        other => other.to_string(),
    }
}

/// What an explanation says is missing, in words: the question of a fact, or the input.
pub fn missing_label(p: &crate::Policy, name: &str) -> String {
    match name {
        "base_yuan" => "基数(元)".into(),
        "approved_yuan" => "核定金额(元)".into(),
        "enterprise" => "企业统一社会信用代码".into(),
        "newly_built_entered_statistics" => "是新建入统还是小升规".into(),
        _ => p
            .facts
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.question.clone())
            .unwrap_or_else(|| name.to_string()),
    }
}

pub use clusterdesk_domain::clock::date_zh;
