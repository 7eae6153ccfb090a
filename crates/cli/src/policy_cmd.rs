//! `clusterdesk policy …`: list, calc and test the incentive policies of the plan.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use clusterdesk_plan::Plan;
use clusterdesk_policy::PolicySet;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum PolicyCmd {
    /// Every policy with its clause and the parameters in force.
    List {
        /// The date whose parameters to show; today when absent.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Evaluate the claims of a JSON file and print the results as JSON.
    Calc { file: PathBuf },
    /// Run the YAML tests beside the policies.
    Test {
        /// A policies folder (or a plan folder holding one); the embedded plan's when absent.
        path: Option<PathBuf>,
    },
}

/// The policy files of a plan as (path relative to the plan folder, text).
fn policy_files(plan: &Plan) -> Vec<(String, String)> {
    plan.extra_files
        .iter()
        .filter(|f| f.path.starts_with("policies/"))
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect()
}

fn load(plan_dir: Option<&PathBuf>) -> Result<(PolicySet, Vec<(String, String)>)> {
    let plan = match plan_dir {
        Some(d) => Plan::load_dir(d).map_err(|e| anyhow::anyhow!("{e}"))?,
        None => Plan::embedded().map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let files = policy_files(&plan);
    let set = PolicySet::load(&files).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((set, files))
}

pub fn run(cmd: &PolicyCmd, plan_dir: Option<&PathBuf>) -> Result<()> {
    match cmd {
        PolicyCmd::List { as_of } => {
            let (set, _) = load(plan_dir)?;
            let date = match as_of {
                Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .with_context(|| format!("日期“{s}”应为 YYYY-MM-DD"))?,
                None => chrono::Utc::now().date_naive(),
            };
            print!("{}", clusterdesk_policy::list_text(&set, date));
            Ok(())
        }
        PolicyCmd::Calc { file } => {
            let (set, _) = load(plan_dir)?;
            let input =
                std::fs::read_to_string(file).with_context(|| format!("无法读取 {}", file.display()))?;
            let out = clusterdesk_policy::calc_json(&set, &input)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            println!("{}", serde_json::to_string_pretty(&out)?);
            Ok(())
        }
        PolicyCmd::Test { path } => {
            let report = match path {
                Some(p) => {
                    // A plan folder holding policies/, or a policies folder itself.
                    let dir = if p.join("policies").is_dir() {
                        p.join("policies")
                    } else {
                        p.clone()
                    };
                    clusterdesk_policy::test_folder(&dir).map_err(|e| anyhow::anyhow!("{e}"))?
                }
                None => {
                    let (set, files) = load(plan_dir)?;
                    set.run_tests(&files)
                }
            };
            println!("{}", report.render());
            if !report.ok() || report.passed == 0 {
                bail!("policy tests failed");
            }
            Ok(())
        }
    }
}
