//! YAML tests beside the policies (`plan/policies/<id>.test.yaml`).
//!
//! ```yaml
//! policy: informatization          # optional; defaults to the file name
//! cases:
//!   - name: 投资 300 万,封顶 100 万
//!     why: 3,000,000 × 50% = 1,500,000 > 1,000,000        # the hand computation
//!     claim: {enterprise: 91130981MA0AB12CXA, date: 2024-03-01, base_yuan: "3000000"}
//!     ledger: []                    # optional, same shape as the calc input
//!     expect: {status: eligible, amount_yuan: "1000000.00", capped: true, missing: []}
//! ```
//! A claim goes through [`crate::calc_json`], so the tests exercise the command-line contract.
//! `expect` may also give `flagged`, `trace_contains`, `error_contains` (the claim must be
//! refused) or, for a rank transfer, `results: [{county, amount_yuan, flagged}]`.

use crate::{PolicyError, PolicySet, calc_json};
use clusterdesk_domain::Fen;
use serde::Deserialize;
use serde_json::{Value, json};
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestFile {
    #[serde(default)]
    policy: Option<String>,
    cases: Vec<TestCase>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestCase {
    name: String,
    #[serde(default)]
    why: Option<String>,
    claim: serde_yaml_ng::Value,
    #[serde(default)]
    ledger: Vec<serde_yaml_ng::Value>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    amount_yuan: Option<String>,
    #[serde(default)]
    capped: Option<bool>,
    #[serde(default)]
    missing: Option<Vec<String>>,
    #[serde(default)]
    flagged: Option<bool>,
    #[serde(default)]
    trace_contains: Vec<String>,
    #[serde(default)]
    error_contains: Option<String>,
    #[serde(default)]
    results: Option<Vec<CountyExpect>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CountyExpect {
    county: String,
    amount_yuan: String,
    #[serde(default)]
    flagged: Option<bool>,
}

/// One case's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResult {
    pub file: String,
    pub case: String,
    pub passed: bool,
    /// Empty when passed; what differed otherwise.
    pub message: String,
}

/// The result of running the YAML tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestReport {
    pub passed: usize,
    pub failed: usize,
    pub cases: Vec<CaseResult>,
}

impl TestReport {
    pub fn ok(&self) -> bool {
        self.failed == 0
    }

    fn push(&mut self, file: &str, case: &str, message: Option<String>) {
        match &message {
            None => self.passed += 1,
            Some(_) => self.failed += 1,
        }
        self.cases.push(CaseResult {
            file: file.into(),
            case: case.into(),
            passed: message.is_none(),
            message: message.unwrap_or_default(),
        });
    }

    /// One line per failing case naming file and case, then exactly `N passed, N failed`.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for c in self.cases.iter().filter(|c| !c.passed) {
            out.push_str(&format!("FAIL {} :: {} — {}\n", c.file, c.case, c.message));
        }
        out.push_str(&format!("{} passed, {} failed", self.passed, self.failed));
        out
    }
}

fn yaml_to_json(v: &serde_yaml_ng::Value) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| format!("无法转换为 JSON:{e}"))
}

fn same_money(got: &Value, want: &str) -> Result<bool, String> {
    let want = Fen::parse_yuan(want).map_err(|e| e.message)?;
    let got = got.as_str().and_then(|s| Fen::parse_yuan(s).ok());
    Ok(got == Some(want))
}

fn run_case(set: &PolicySet, policy: &str, case: &TestCase) -> Result<(), String> {
    let mut claim = yaml_to_json(&case.claim)?;
    let obj = claim.as_object_mut().ok_or("claim 应为映射")?;
    obj.entry("policy").or_insert_with(|| json!(policy));
    let ledger = case
        .ledger
        .iter()
        .map(yaml_to_json)
        .collect::<Result<Vec<_>, _>>()?;
    let input = json!({ "claims": [claim], "ledger": ledger }).to_string();
    let e = &case.expect;
    let out = match (calc_json(set, &input), &e.error_contains) {
        (Err(err), Some(want)) => {
            let msg = err.to_string();
            return if msg.contains(want.as_str()) {
                Ok(())
            } else {
                Err(format!("错误信息“{msg}”不含“{want}”"))
            };
        }
        (Ok(_), Some(want)) => return Err(format!("应当报错(含“{want}”),却算出了结果")),
        (Err(err), None) => return Err(format!("意外错误:{err}")),
        (Ok(v), None) => v,
    };
    let results = out["results"].as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    if let Some(want) = &e.results {
        if want.len() != results.len() {
            problems.push(format!("结果数 {} ≠ 期望 {}", results.len(), want.len()));
        }
        for w in want {
            let Some(r) = results.iter().find(|r| r["county"] == json!(w.county)) else {
                problems.push(format!("缺少县(市) {} 的结果", w.county));
                continue;
            };
            if !same_money(&r["amount_yuan"], &w.amount_yuan)? {
                problems.push(format!(
                    "{}:金额 {} ≠ 期望 {}",
                    w.county, r["amount_yuan"], w.amount_yuan
                ));
            }
            if let Some(f) = w.flagged {
                let got = r["flags"].as_array().is_some_and(|a| !a.is_empty());
                if got != f {
                    problems.push(format!("{}:flagged {got} ≠ 期望 {f}", w.county));
                }
            }
        }
    }
    let single = e.status.is_some()
        || e.amount_yuan.is_some()
        || e.capped.is_some()
        || e.missing.is_some()
        || e.flagged.is_some()
        || !e.trace_contains.is_empty();
    if single {
        if e.results.is_none() && results.len() != 1 {
            return Err(format!("期望一条结果,实际 {} 条", results.len()));
        }
        let r = &results[0];
        if let Some(s) = &e.status
            && r["status"] != json!(s)
        {
            problems.push(format!("status {} ≠ 期望 {s}", r["status"]));
        }
        if let Some(a) = &e.amount_yuan
            && !same_money(&r["amount_yuan"], a)?
        {
            problems.push(format!("amount_yuan {} ≠ 期望 {a}", r["amount_yuan"]));
        }
        if let Some(c) = e.capped
            && r["capped"] != json!(c)
        {
            problems.push(format!("capped {} ≠ 期望 {c}", r["capped"]));
        }
        if let Some(m) = &e.missing
            && r["missing"] != json!(m)
        {
            problems.push(format!("missing {} ≠ 期望 {m:?}", r["missing"]));
        }
        if let Some(f) = e.flagged {
            let got = r["flags"].as_array().is_some_and(|a| !a.is_empty());
            if got != f {
                problems.push(format!("flagged {got} ≠ 期望 {f}(flags {})", r["flags"]));
            }
        }
        let trace = r["trace"].to_string();
        for t in &e.trace_contains {
            if !trace.contains(t.as_str()) {
                problems.push(format!("trace 不含“{t}”"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join(";"))
    }
}

fn file_policy(path: &str) -> String {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.trim_end_matches(".test.yaml")
        .trim_end_matches(".test.yml")
        .to_string()
}

/// Run every `*.test.yaml` among `files` against `set`.
pub fn run_tests(set: &PolicySet, files: &[(String, String)]) -> TestReport {
    let mut report = TestReport::default();
    let mut files: Vec<&(String, String)> = files
        .iter()
        .filter(|(p, _)| p.ends_with(".test.yaml") || p.ends_with(".test.yml"))
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, text) in files {
        let tf: TestFile = match serde_yaml_ng::from_str(text) {
            Ok(tf) => tf,
            Err(e) => {
                report.push(path, "(文件)", Some(format!("无法读取测试文件:{e}")));
                continue;
            }
        };
        let policy = tf.policy.clone().unwrap_or_else(|| file_policy(path));
        if set.get(&policy).is_none() {
            report.push(path, "(文件)", Some(format!("未知政策“{policy}”")));
            continue;
        }
        if tf.cases.is_empty() {
            report.push(path, "(文件)", Some("没有测试用例".into()));
        }
        for case in &tf.cases {
            let _ = &case.why;
            report.push(path, &case.name, run_case(set, &policy, case).err());
        }
    }
    report
}

/// Read every file under `dir` (recursively) as `(path relative to dir, text)`, sorted.
pub fn read_folder(dir: &Path) -> Result<Vec<(String, String)>, PolicyError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), PolicyError> {
        let io = |e: std::io::Error| PolicyError::Load {
            file: dir.display().to_string(),
            message: e.to_string(),
        };
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .collect::<Result<_, _>>()
            .map_err(io)?;
        entries.sort_by_key(|e| e.path());
        for e in entries {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
                let text = std::fs::read_to_string(&p).map_err(|err| PolicyError::Load {
                    file: p.display().to_string(),
                    message: err.to_string(),
                })?;
                let rel = p
                    .strip_prefix(root)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((rel, text));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out)?;
    Ok(out)
}

/// `clusterdesk policy test [PATH]`: load the policies in the folder and run its tests.
pub fn test_folder(dir: &Path) -> Result<TestReport, PolicyError> {
    let files = read_folder(dir)?;
    let set = PolicySet::load(&files)?;
    Ok(set.run_tests(&files))
}
