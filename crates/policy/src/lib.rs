//! Rules as code for every yuan of the plan.
//!
//! * Each incentive is a YAML file (`plan/policies/<id>.yaml`, see [`model`]) with its clause,
//!   the clause's own text, funding, responsible units, dated parameters, facts and readings.
//! * [`PolicySet::evaluate`] turns a [`Claim`] and the ledger of earlier payouts into
//!   [`Outcome`]s: three-valued status, integer fen, whether a cap bit, and a trace that cites
//!   the clause at every step.
//! * [`calc_json`] and [`list_text`] are the `clusterdesk policy calc` / `policy list`
//!   contract; [`PolicySet::run_tests`] runs the YAML tests beside the policies.
//!
//! Nothing here touches a database or the network; [`read_folder`] is the one helper that
//! reads files, for `clusterdesk policy test [PATH]`.

pub mod eval;
pub mod json;
pub mod labels;
pub mod model;
mod rank;
pub mod scan;
pub mod testing;

pub use eval::{Claim, LedgerEntry, Outcome, Status, TraceStep};
pub use json::{calc_json, list_text};
pub use model::{Kind, Policy};
pub use testing::{CaseResult, TestReport, read_folder, test_folder};

use std::collections::BTreeMap;

/// One error type for the policy layer. Messages are Chinese and name the file, or the claim
/// (1-based) and field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A policy or test file that cannot be used.
    #[error("{file}:{message}")]
    Load { file: String, message: String },
    /// A claim in `calc` input, numbered from 1.
    #[error("第{index}条申请的字段 {field}:{message}")]
    Claim {
        index: usize,
        field: String,
        message: String,
    },
    /// A ledger entry in `calc` input, numbered from 1.
    #[error("第{index}条台账记录的字段 {field}:{message}")]
    Ledger {
        index: usize,
        field: String,
        message: String,
    },
    /// A claim handed to [`PolicySet::evaluate`] directly.
    #[error("申请({policy})的字段 {field}:{message}")]
    Field {
        policy: String,
        field: String,
        message: String,
    },
    /// Input that is not even the right shape.
    #[error("输入格式错误:{0}")]
    Input(String),
}

impl PolicyError {
    /// Re-address a [`PolicyError::Field`] error to claim number `index` (1-based).
    pub(crate) fn at_claim(self, index: usize) -> PolicyError {
        match self {
            PolicyError::Field { field, message, .. } => PolicyError::Claim {
                index,
                field,
                message,
            },
            other => other,
        }
    }
}

/// The loaded policies, keyed by id.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    by_id: BTreeMap<String, Policy>,
    order: Vec<String>,
    /// A hash of the policy files loaded: results computed under one set are not reused under
    /// another.
    fingerprint: u64,
}

fn is_test_file(path: &str) -> bool {
    path.ends_with(".test.yaml") || path.ends_with(".test.yml")
}

/// A policy file: `*.yaml` (not `*.test.yaml`) that sits in a `policies` folder or is given
/// without a folder.
fn is_policy_file(path: &str) -> bool {
    let p = path.replace('\\', "/");
    if !(p.ends_with(".yaml") || p.ends_with(".yml")) || is_test_file(&p) {
        return false;
    }
    match p.rsplit_once('/') {
        None => true,
        Some((dir, _)) => dir.split('/').any(|c| c == "policies"),
    }
}

fn file_stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name)
}

/// Sort key that puts clauses in the plan's order: 三(一)2 before 三(三)1 before 四.
fn clause_key(clause: &str) -> String {
    clause
        .chars()
        .map(|c| match c {
            '一' => '1',
            '二' => '2',
            '三' => '3',
            '四' => '4',
            '五' => '5',
            '六' => '6',
            '七' => '7',
            '八' => '8',
            '九' => '9',
            other => other,
        })
        .collect()
}

impl PolicySet {
    /// Load policies from `(relative path, text)` pairs. Takes `*.yaml` under `policies/`
    /// (or with no folder), ignores `*.test.yaml` and everything else. Refuses a file with an
    /// unknown field, a value without a clause, an unknown reading, a file name that is not
    /// its id, a duplicate id, or a reference to a policy that is not loaded.
    pub fn load(files: &[(String, String)]) -> Result<PolicySet, PolicyError> {
        use std::hash::{Hash, Hasher};
        let mut set = PolicySet::default();
        let mut sources = BTreeMap::new();
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for (path, text) in files {
            if !is_policy_file(path) {
                continue;
            }
            (path, text).hash(&mut hasher);
            let mut p: Policy = serde_yaml_ng::from_str(text).map_err(|e| PolicyError::Load {
                file: path.clone(),
                message: e.to_string(),
            })?;
            p.validate(path)?;
            if file_stem(path) != p.id {
                return Err(PolicyError::Load {
                    file: path.clone(),
                    message: format!("文件名应为 {}.yaml(与 id 一致)", p.id),
                });
            }
            if let Some(prev) = sources.insert(p.id.clone(), path.clone()) {
                return Err(PolicyError::Load {
                    file: path.clone(),
                    message: format!("政策 id“{}”与 {prev} 重复:两条规则不能同时适用", p.id),
                });
            }
            set.by_id.insert(p.id.clone(), p);
        }
        // Cross references.
        for p in set.by_id.values() {
            let file = &sources[&p.id];
            let mut refs: Vec<&str> = p.exclusive_with.iter().map(|x| x.policy.as_str()).collect();
            refs.extend(p.other_level.as_ref().map(|o| o.policy.as_str()));
            refs.extend(p.series.as_ref().and_then(|s| s.previous.as_deref()));
            for r in refs {
                if !set.by_id.contains_key(r) {
                    return Err(PolicyError::Load {
                        file: file.clone(),
                        message: format!("引用的政策“{r}”未加载"),
                    });
                }
            }
            if let Some(prev) = p.series.as_ref().and_then(|s| s.previous.as_deref()) {
                let q = &set.by_id[prev];
                let ok = q.series.as_ref().is_some_and(|qs| {
                    p.series
                        .as_ref()
                        .is_some_and(|ps| qs.name == ps.name && qs.stage + 1 == ps.stage)
                });
                if !ok {
                    return Err(PolicyError::Load {
                        file: file.clone(),
                        message: format!("series.previous“{prev}”应是同一系列的上一阶段"),
                    });
                }
            }
        }
        let mut order: Vec<&Policy> = set.by_id.values().collect();
        order.sort_by(|a, b| {
            clause_key(&a.clause)
                .cmp(&clause_key(&b.clause))
                .then(a.id.cmp(&b.id))
        });
        set.order = order.into_iter().map(|p| p.id.clone()).collect();
        set.fingerprint = hasher.finish();
        Ok(set)
    }

    /// The same number for the same policy files (within one process).
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    /// Every policy, in the plan's clause order.
    pub fn policies(&self) -> impl Iterator<Item = &Policy> {
        self.order.iter().map(|id| &self.by_id[id])
    }

    pub fn get(&self, id: &str) -> Option<&Policy> {
        self.by_id.get(id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Evaluate one claim against the ledger of earlier payouts: one [`Outcome`], or one per
    /// county for a rank transfer. Errors are input errors (unknown policy, negative amount,
    /// a field that does not belong to the policy, fewer than six counties, …).
    pub fn evaluate(&self, claim: &Claim, ledger: &[LedgerEntry]) -> Result<Vec<Outcome>, PolicyError> {
        eval::evaluate(self, claim, ledger)
    }

    /// Run every `*.test.yaml` among `files`.
    pub fn run_tests(&self, files: &[(String, String)]) -> TestReport {
        testing::run_tests(self, files)
    }
}
