//! `cargo run -p clusterdesk-policy --example calc -- FILE.json [list]`: the `policy calc`
//! contract without the CLI.
use clusterdesk_policy::{PolicySet, calc_json, list_text, read_folder};
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plan/policies");
    let set = PolicySet::load(&read_folder(&dir).expect("read")).expect("load");
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("list") {
        println!("{}", list_text(&set, clusterdesk_domain::Clock::system().today()));
        return;
    }
    let input = std::fs::read_to_string(&args[1]).expect("read input");
    match calc_json(&set, &input) {
        Ok(v) => println!("{}", serde_json::to_string_pretty(&v).expect("json")),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}
