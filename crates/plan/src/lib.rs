//! The plan as data: org tree, clusters, indicators, 2025 targets, recurring quotas and the task
//! catalogue, loaded from the CSV/YAML files of a plan folder and validated at load.
//!
//! The default plan (Cangzhou, 沧政办规〔2022〕13号) is the repository's `plan/` folder, embedded
//! in the binary; another city's plan is another folder read with [`Plan::load_dir`].
//!
//! Files (paths relative to the plan folder; CSV is UTF-8 with a header row):
//! `plan.yaml`, `org_units.csv`, `clusters.csv`, `indicators.csv`, `targets.csv`, `quotas.csv`,
//! `tasks.csv`, `datasets.yaml`, `validation.yaml` (optional). Every other file (`policies/…`,
//! other `*.yaml`, READMEs) is handed on untouched in [`Plan::extra_files`] for the crates that
//! own it.
//!
//! Aggregation of an indicator is given on two axes, explicitly:
//! [`Indicator::aggregation`] combines sub-units (enterprises → cluster → county → city) and
//! [`Indicator::time_aggregation`] combines sub-periods (months → quarter → year). Flows sum on
//! both; stocks such as 发明专利拥有量 sum over units but take the last value over time.

pub mod assessment;
pub mod datasets;
mod error;
mod load;
pub mod reference;
mod source;
mod table;
pub mod validation;

pub use clusterdesk_domain::period::PeriodType;
pub use error::PlanError;
pub use source::ValueSource;

use clusterdesk_domain::{Fen, IndustryCode, RegionCode};
use rust_decimal::Decimal;
use serde::Serialize;

/// One file of a plan folder; `path` is relative to the folder and uses `/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub meta: PlanMeta,
    pub org_units: Vec<OrgUnit>,
    pub clusters: Vec<Cluster>,
    pub indicators: Vec<Indicator>,
    /// Every row of `targets.csv`. A clause may have more than one row (二.3c has `二.3c` and its
    /// sub-condition `二.3c-main`); [`Plan::target_clauses`] lists the clauses.
    pub targets: Vec<Target>,
    pub quotas: Vec<Quota>,
    pub tasks: Vec<Task>,
    /// The reporting data sets (`datasets.yaml`).
    pub datasets: Vec<datasets::Dataset>,
    /// The county assessment (`assessment.yaml`), when the plan has one.
    pub assessment: Option<assessment::Assessment>,
    /// The validation rules of the data sets (`validation.yaml`, optional).
    pub validation_rules: Vec<validation::Rule>,
    /// Outside figures for the location quotient and shift-share (`reference.csv`, optional).
    pub reference: Vec<reference::ReferenceFigure>,
    /// every file under policies/ and any other *.yaml not consumed here, for other crates
    pub extra_files: Vec<SourceFile>,
}

/// `plan.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanMeta {
    /// Stable ASCII id, e.g. `cangzhou-2022-13`.
    pub id: String,
    /// The plan's title.
    pub name: String,
    /// Title of the notice that issued the plan, if different from `name`.
    pub notice_title: String,
    pub doc_number: String,
    pub issuer: String,
    /// `YYYY-MM-DD`.
    pub issued: String,
    /// `YYYY-MM-DD`.
    pub published: String,
    pub city: RegionCode,
    /// Default baseline for growth and "new since" targets (the text names none for 二.2).
    pub baseline_year: i32,
    pub target_year: i32,
    /// The body under whose lead the plan runs (四(一)), e.g. 市民营经济领导小组.
    pub lead_group: String,
    /// Department code of the coordinating bureau (四(一): 市工信局统筹协调), e.g. `GXJ`.
    pub coordinator: String,
    /// 三(一)1: "每项工作都需各县(市)政府落实" — every county government is responsible for every
    /// task, in addition to the departments listed per task.
    pub counties_responsible_for_all_tasks: bool,
    /// An enterprise account sees its own figures, and an aggregate only when it is over at
    /// least this many other enterprises, so that no member can subtract itself to learn
    /// another's figure (统计法 第二十五条: 能够识别或者推断单个统计调查对象身份的资料不得对外提供、泄露).
    pub confidentiality_min_others: u32,
    /// Where the policy text is, for citation.
    pub source: String,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    City,
    County,
    District,
    Zone,
    Department,
}

impl OrgKind {
    pub const ALL: [OrgKind; 5] = [
        OrgKind::City,
        OrgKind::County,
        OrgKind::District,
        OrgKind::Zone,
        OrgKind::Department,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgKind::City => "city",
            OrgKind::County => "county",
            OrgKind::District => "district",
            OrgKind::Zone => "zone",
            OrgKind::Department => "department",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            OrgKind::City => "市",
            OrgKind::County => "县(市)",
            OrgKind::District => "区",
            OrgKind::Zone => "功能区",
            OrgKind::Department => "市直部门",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// City, county, district and zone carry a six-digit region code; departments do not.
    pub fn is_region(self) -> bool {
        self != OrgKind::Department
    }
}

/// A row of `org_units.csv`: the city, its county-level units, zones and departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrgUnit {
    /// Six-digit region code (GB/T 2260, or a statistical zone code) for regions; an upper-case
    /// ASCII code such as `GXJ` for departments.
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub parent: Option<String>,
    /// Other names the text or users write, e.g. 孟村县 for 孟村回族自治县.
    pub aliases: Vec<String>,
    pub note: String,
}

impl OrgUnit {
    pub fn region_code(&self) -> Option<RegionCode> {
        if self.kind.is_region() {
            RegionCode::parse(&self.code).ok()
        } else {
            None
        }
    }

    /// The name or one of the aliases equals `name` (trimmed).
    pub fn is_named(&self, name: &str) -> bool {
        let n = name.trim();
        self.name == n || self.aliases.iter().any(|a| a == n)
    }
}

/// A row of `clusters.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cluster {
    /// `C01`…`C45`, by attachment number.
    pub code: String,
    /// Short name, e.g. 化工.
    pub name: String,
    /// The attachment's title without 转型升级工作方案, e.g. 黄骅市化工产业集群.
    pub full_name: String,
    /// Region code of the county-level unit that owns the cluster.
    pub county: String,
    /// Attachment number in the plan (1-based, unique).
    pub attachment: u32,
    /// GB/T 4754-2017 classes (or broader groups/divisions) the cluster's enterprises fall in.
    pub industries: Vec<IndustryCode>,
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueType {
    Count,
    /// Stored in fen (scale 2, unit 元).
    Money,
    Decimal,
    /// Stored in hundredths of a percentage point when scale is 2.
    Percent,
    Text,
}

impl ValueType {
    pub const ALL: [ValueType; 5] = [
        ValueType::Count,
        ValueType::Money,
        ValueType::Decimal,
        ValueType::Percent,
        ValueType::Text,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ValueType::Count => "count",
            ValueType::Money => "money",
            ValueType::Decimal => "decimal",
            ValueType::Percent => "percent",
            ValueType::Text => "text",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// How values combine: see [`Indicator::aggregation`] (over units) and
/// [`Indicator::time_aggregation`] (over periods).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Last,
    Average,
}

impl Aggregation {
    pub const ALL: [Aggregation; 3] = [Aggregation::Sum, Aggregation::Last, Aggregation::Average];

    pub fn code(self) -> &'static str {
        match self {
            Aggregation::Sum => "sum",
            Aggregation::Last => "last",
            Aggregation::Average => "average",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// What one reported value means for its period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportingForm {
    /// 当月/当期: the value of that period alone.
    Monthly,
    /// 1–N月累计: from the start of the year to the end of the period.
    Cumulative,
    /// 期末: the level at the end of the period.
    Stock,
}

impl ReportingForm {
    pub const ALL: [ReportingForm; 3] = [
        ReportingForm::Monthly,
        ReportingForm::Cumulative,
        ReportingForm::Stock,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReportingForm::Monthly => "monthly",
            ReportingForm::Cumulative => "cumulative",
            ReportingForm::Stock => "stock",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Who reports the indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Cluster,
    Enterprise,
    Both,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Cluster, Level::Enterprise, Level::Both];

    pub fn code(self) -> &'static str {
        match self {
            Level::Cluster => "cluster",
            Level::Enterprise => "enterprise",
            Level::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn includes_cluster(self) -> bool {
        self != Level::Enterprise
    }

    pub fn includes_enterprise(self) -> bool {
        self != Level::Cluster
    }
}

/// A row of `indicators.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Indicator {
    /// Stable lowercase ASCII code, e.g. `revenue`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// Unit of the plain value: 元 for money (stored in fen), % for percent, 家, 件, 亩 …
    pub unit: String,
    pub value_type: ValueType,
    /// Decimal digits held in the stored integer: money 2 (fen), count 0, percent 2.
    pub scale: u32,
    /// How values of sub-units combine (enterprises → cluster → county → city).
    pub aggregation: Aggregation,
    /// How values of sub-periods combine (months → quarter → year): flows `sum`, stocks `last`.
    pub time_aggregation: Aggregation,
    /// The finest period the indicator is reported for.
    pub period_type: PeriodType,
    pub reporting_form: ReportingForm,
    pub level: Level,
    /// Where a target's value of this indicator comes from (`source` in indicators.csv).
    /// Not in the JSON of indicators: an internal rule of the computation.
    #[serde(skip)]
    pub source: ValueSource,
    pub note: String,
}

impl Indicator {
    /// A plain value (e.g. `60` percent, `1000000.5` yuan) as the stored integer, exactly;
    /// `None` if it has more decimals than `scale` or does not fit.
    pub fn to_stored(&self, plain: Decimal) -> Option<i64> {
        let factor = Decimal::from(10i64.checked_pow(self.scale)?);
        let v = plain.checked_mul(factor)?;
        if v.fract() != Decimal::ZERO {
            return None;
        }
        i64::try_from(v).ok()
    }

    /// The stored integer as a plain value.
    pub fn from_stored(&self, stored: i64) -> Decimal {
        Decimal::new(stored, self.scale).normalize()
    }

    pub fn is_stock(&self) -> bool {
        self.reporting_form == ReportingForm::Stock
    }
}

/// How a target is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// The number of clusters whose yearly value of the (money) indicator lies in the band
    /// given by the thresholds.
    CountOfClustersAbove,
    /// Average annual growth from `baseline_year` to `deadline_year` of at least
    /// `annual_growth_pct` percent.
    Growth,
    /// The indicator's value in the deadline year.
    Level,
    /// The indicator's flow summed over the years after `baseline_year` up to `deadline_year`.
    FlowSinceBaseline,
}

impl Measure {
    pub const ALL: [Measure; 4] = [
        Measure::CountOfClustersAbove,
        Measure::Growth,
        Measure::Level,
        Measure::FlowSinceBaseline,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Measure::CountOfClustersAbove => "count_of_clusters_above",
            Measure::Growth => "growth",
            Measure::Level => "level",
            Measure::FlowSinceBaseline => "flow_since_baseline",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// How the measured value is compared with the target value (以上/达到 = ge, 超/突破 = gt,
/// 左右 = approx, a–b = range).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparison {
    Gt,
    Ge,
    Approx,
    Range,
}

impl Comparison {
    pub const ALL: [Comparison; 4] = [
        Comparison::Gt,
        Comparison::Ge,
        Comparison::Approx,
        Comparison::Range,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Comparison::Gt => "gt",
            Comparison::Ge => "ge",
            Comparison::Approx => "approx",
            Comparison::Range => "range",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    /// Whether `actual` meets `value` (and `max` for a range). A range is met once its lower
    /// end is reached (新增2–3个: two meets it). `approx` needs judgement: `None`.
    pub fn met(self, actual: Decimal, value: Decimal) -> Option<bool> {
        match self {
            Comparison::Gt => Some(actual > value),
            Comparison::Ge | Comparison::Range => Some(actual >= value),
            Comparison::Approx => None,
        }
    }
}

/// Whose total a target or quota is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The city as a whole (for targets: over all its clusters).
    City,
    /// Each county-level unit.
    County,
    /// Each cluster.
    Cluster,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::City, Scope::County, Scope::Cluster];

    pub fn code(self) -> &'static str {
        match self {
            Scope::City => "city",
            Scope::County => "county",
            Scope::Cluster => "cluster",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A row of `targets.csv`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Unique row id: the clause id, or the clause id with a suffix for a sub-condition
    /// (`二.3c-main`).
    pub id: String,
    /// Clause id as PLAN-INVENTORY.md writes it, e.g. `二.1a`.
    pub clause: String,
    pub name: String,
    pub indicator: String,
    pub measure: Measure,
    pub comparison: Comparison,
    /// The count or level to reach (a percent as `60`); `None` for growth targets.
    pub target_value: Option<Decimal>,
    /// Upper end of a `range`.
    pub target_max: Option<Decimal>,
    /// For `count_of_clusters_above`: the band's lower bound, and whether a value equal to it
    /// is in the band (超 = strictly greater = `false`).
    pub threshold_low: Option<Fen>,
    pub low_inclusive: bool,
    /// For `count_of_clusters_above`: the band's upper bound, if any.
    pub threshold_high: Option<Fen>,
    pub high_inclusive: bool,
    /// For `growth`: average annual growth in percent (15 = 15%).
    pub annual_growth_pct: Option<Decimal>,
    pub baseline_year: Option<i32>,
    pub deadline_year: i32,
    /// 力争 ("strive for") rather than a firm target.
    pub strive: bool,
    pub scope: Scope,
    pub note: String,
    /// The file the row comes from: `targets.csv`, or a follow-on plan's `targets.d/NAME.csv`.
    pub source: String,
}

impl Target {
    /// For `count_of_clusters_above`: whether a cluster with this yearly value is in the band.
    pub fn in_band(&self, value: Fen) -> bool {
        let above_low = match self.threshold_low {
            None => true,
            Some(low) if self.low_inclusive => value >= low,
            Some(low) => value > low,
        };
        let below_high = match self.threshold_high {
            None => true,
            Some(high) if self.high_inclusive => value <= high,
            Some(high) => value < high,
        };
        above_low && below_high
    }
}

/// Whether a quota repeats every year or is a standing level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Per {
    Year,
    Standing,
}

impl Per {
    pub const ALL: [Per; 2] = [Per::Year, Per::Standing];

    pub fn code(self) -> &'static str {
        match self {
            Per::Year => "year",
            Per::Standing => "standing",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// A row of `quotas.csv`: a recurring or standing quota of section 三.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quota {
    /// Unique row id: the clause id, with a letter when a clause has several quotas (`三(六)3a`).
    pub id: String,
    pub clause: String,
    pub name: String,
    pub indicator: String,
    pub per: Per,
    /// At least (不少于/以上, inclusive).
    pub min: Option<Decimal>,
    /// At most (inclusive).
    pub max: Option<Decimal>,
    /// About (左右).
    pub approx: Option<Decimal>,
    /// Each unit of this scope must meet the quota (city = the city as a whole).
    pub scope: Scope,
    /// How the figure is counted (`source`): reported values (the default), or the registry's
    /// qualifications valid at the month end (`qualifications(…)`) or recognised in the year
    /// (`recognitions(…)`).
    #[serde(skip)]
    pub source: ValueSource,
    /// Counted this way when nothing is reported (`fallback`; only for a reported quota).
    #[serde(skip)]
    pub fallback: Option<ValueSource>,
    pub note: String,
}

/// A row of `tasks.csv`: an item of 三 重点行动 or 四 保障措施.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    pub id: String,
    /// e.g. `三(一)2`, `四(三)`.
    pub clause: String,
    /// e.g. `三(一)`, or `四` for the safeguards.
    pub action: String,
    pub action_title: String,
    /// Item number within the action (1-based; for 四 the number of (一)…(五)).
    pub item: u32,
    pub title: String,
    /// Department codes of the text's 责任单位, in the text's order. Every county government is
    /// responsible too when [`PlanMeta::counties_responsible_for_all_tasks`] is set.
    pub responsible: Vec<String>,
    pub summary: String,
    pub note: String,
}

/// A code of lower-case ASCII letters, digits and `_`, not empty.
pub(crate) fn is_snake_code(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

impl Plan {
    /// The default plan: the repository's `plan/` folder, embedded at build time.
    pub fn embedded() -> Result<Plan, PlanError> {
        Plan::from_files(Plan::embedded_files())
    }

    /// The files of the embedded plan folder (hidden files left out), sorted by path.
    pub fn embedded_files() -> Vec<SourceFile> {
        load::embedded_files()
    }

    /// Reads every file under `dir` (hidden files and folders left out) and loads them.
    pub fn load_dir(dir: &std::path::Path) -> Result<Plan, PlanError> {
        Plan::from_files(load::read_dir(dir)?)
    }

    /// Loads and validates a plan from its files; paths are relative to the plan folder.
    pub fn from_files(files: Vec<SourceFile>) -> Result<Plan, PlanError> {
        load::from_files(files)
    }

    /// The policy files (`policies/…`) as (path relative to the plan folder, text), as
    /// `PolicySet::load` takes them.
    pub fn policy_files(&self) -> Vec<(String, String)> {
        self.extra_files
            .iter()
            .filter(|f| f.path.starts_with("policies/"))
            .map(|f| (f.path.clone(), f.text.clone()))
            .collect()
    }

    pub fn org_unit(&self, code: &str) -> Option<&OrgUnit> {
        self.org_units.iter().find(|u| u.code == code)
    }

    /// Any unit by name or alias.
    pub fn org_unit_by_name(&self, name: &str) -> Option<&OrgUnit> {
        self.org_units.iter().find(|u| u.is_named(name))
    }

    /// The city unit (`meta.city`).
    pub fn city(&self) -> &OrgUnit {
        self.org_unit(self.meta.city.as_str()).expect("checked at load")
    }

    /// The county-level units that own clusters, in code order.
    pub fn counties(&self) -> impl Iterator<Item = &OrgUnit> {
        let mut v: Vec<&OrgUnit> = self
            .org_units
            .iter()
            .filter(|u| u.kind == OrgKind::County)
            .collect();
        v.sort_by(|a, b| a.code.cmp(&b.code));
        v.into_iter()
    }

    /// A county-level unit by name or alias (孟村县, 吴桥 …).
    pub fn county_by_name(&self, name: &str) -> Option<&OrgUnit> {
        self.org_units
            .iter()
            .find(|u| u.kind == OrgKind::County && u.is_named(name))
    }

    /// The departments, in file order.
    pub fn departments(&self) -> impl Iterator<Item = &OrgUnit> {
        self.org_units.iter().filter(|u| u.kind == OrgKind::Department)
    }

    /// Direct children of a unit, in file order.
    pub fn children(&self, code: &str) -> impl Iterator<Item = &OrgUnit> {
        self.org_units
            .iter()
            .filter(move |u| u.parent.as_deref() == Some(code))
    }

    pub fn cluster(&self, code: &str) -> Option<&Cluster> {
        self.clusters.iter().find(|c| c.code == code)
    }

    /// The clusters of a county (by region code), in attachment order.
    pub fn clusters_of(&self, county: &str) -> Vec<&Cluster> {
        let mut v: Vec<&Cluster> = self.clusters.iter().filter(|c| c.county == county).collect();
        v.sort_by_key(|c| c.attachment);
        v
    }

    pub fn indicator(&self, code: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.code == code)
    }

    pub fn target(&self, id: &str) -> Option<&Target> {
        self.targets.iter().find(|t| t.id == id)
    }

    /// The distinct clause ids of the targets, in file order (二.1a … 二.4c).
    pub fn target_clauses(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for t in &self.targets {
            if !v.contains(&t.clause.as_str()) {
                v.push(&t.clause);
            }
        }
        v
    }

    /// All target rows of a clause (二.3c gives the 45 and its main-board sub-condition).
    pub fn targets_of_clause(&self, clause: &str) -> Vec<&Target> {
        self.targets.iter().filter(|t| t.clause == clause).collect()
    }

    pub fn quota(&self, id: &str) -> Option<&Quota> {
        self.quotas.iter().find(|q| q.id == id)
    }

    pub fn task(&self, id: &str) -> Option<&Task> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// Tasks naming this department among their responsible units.
    pub fn tasks_of(&self, department: &str) -> Vec<&Task> {
        self.tasks
            .iter()
            .filter(|t| t.responsible.iter().any(|r| r == department))
            .collect()
    }

    /// The qualification kinds the indicators' and quotas' sources read, sorted.
    pub fn qualification_kinds(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .indicators
            .iter()
            .flat_map(|i| i.source.qual_kinds())
            .chain(self.quotas.iter().flat_map(|q| {
                q.source
                    .qual_kinds()
                    .into_iter()
                    .chain(q.fallback.iter().flat_map(|f| f.qual_kinds()))
            }))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn extra_file(&self, path: &str) -> Option<&SourceFile> {
        self.extra_files.iter().find(|f| f.path == path)
    }
}
