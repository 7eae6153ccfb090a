//! Where a figure comes from (the `source` column of `indicators.csv` and `quotas.csv`):
//! reported values, enterprise stocks, or the registry's qualifications.

/// Where an indicator's value comes from when a target is judged on it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ValueSource {
    /// Values reported on cluster units (`reported`, or the column left empty).
    #[default]
    Reported,
    /// Stocks reported by enterprises, summed over the member enterprises (`enterprise_stock`).
    EnterpriseStock,
    /// Member enterprises holding a valid qualification of one of `kinds` (at one of `levels`,
    /// any when empty); every qualification counts when `rows`, else each enterprise once:
    /// `qualifications(kind+kind;level+level;rows)`.
    Qualifications {
        kinds: Vec<String>,
        levels: Vec<String>,
        rows: bool,
    },
    /// Qualifications of `kind` (at one of `levels`, any when empty) recognised in the period
    /// counted (for a target, after the baseline year; for a yearly quota, in its year):
    /// `recognitions(kind;level+level)`.
    Recognitions { kind: String, levels: Vec<String> },
}

impl ValueSource {
    /// `reported`, `enterprise_stock`, `qualifications(kinds;levels;rows)` (kinds and levels
    /// joined by `+`; levels and `rows` may be left out) or `recognitions(kind;levels)` (levels
    /// may be left out); kinds and levels those of `clusterdesk_domain::QualKind`.
    pub fn parse(s: &str) -> Result<Self, String> {
        let kind = |k: &str| {
            clusterdesk_domain::QualKind::parse(k.trim()).map_err(|_| format!("资质类型“{}”不存在", k.trim()))
        };
        let args = |name: &str| {
            s.strip_prefix(name)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
        };
        match s.trim() {
            "" | "reported" => return Ok(ValueSource::Reported),
            "enterprise_stock" => return Ok(ValueSource::EnterpriseStock),
            _ => {}
        }
        // Levels joined by `+`, each a level of one of `kinds`.
        let levels_of = |part: &str, kinds: &[clusterdesk_domain::QualKind]| -> Result<Vec<String>, String> {
            let mut levels = Vec::new();
            for l in part.split('+').map(str::trim).filter(|l| !l.is_empty()) {
                if !kinds.iter().any(|k| k.parse_level(l).is_ok()) {
                    return Err(format!("级别“{l}”不属于所列资质类型"));
                }
                levels.push(l.to_string());
            }
            Ok(levels)
        };
        if let Some(a) = args("recognitions") {
            let parts: Vec<&str> = a.split(';').map(str::trim).collect();
            if parts.len() > 2 {
                return Err(format!("“{s}”最多两部分:资质类型;级别"));
            }
            let k = kind(parts[0])?;
            return Ok(ValueSource::Recognitions {
                kind: k.code().to_string(),
                levels: levels_of(parts.get(1).copied().unwrap_or(""), &[k])?,
            });
        }
        if let Some(a) = args("qualifications") {
            let parts: Vec<&str> = a.split(';').map(str::trim).collect();
            if parts.len() > 3 {
                return Err(format!("“{s}”最多三部分:资质类型;级别;rows"));
            }
            let mut kinds = Vec::new();
            for k in parts[0].split('+') {
                kinds.push(kind(k)?);
            }
            let levels = levels_of(parts.get(1).copied().unwrap_or(""), &kinds)?;
            let rows = match parts.get(2).copied().unwrap_or("") {
                "" => false,
                "rows" => true,
                x => return Err(format!("第三部分应为 rows 或留空,而不是“{x}”")),
            };
            return Ok(ValueSource::Qualifications {
                kinds: kinds.iter().map(|k| k.code().to_string()).collect(),
                levels,
                rows,
            });
        }
        Err(format!(
            "取值来源“{s}”应为 reported、enterprise_stock、qualifications(类型+类型;级别;rows) 或 recognitions(类型;级别)"
        ))
    }
}

impl ValueSource {
    /// The qualification kinds this source reads from the registry.
    pub fn qual_kinds(&self) -> Vec<&str> {
        match self {
            ValueSource::Qualifications { kinds, .. } => kinds.iter().map(String::as_str).collect(),
            ValueSource::Recognitions { kind, .. } => vec![kind.as_str()],
            ValueSource::Reported | ValueSource::EnterpriseStock => Vec::new(),
        }
    }
}
