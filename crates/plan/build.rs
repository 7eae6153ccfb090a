// The plan folder is embedded with include_dir!, which does not tell cargo about the files it
// reads; this makes an edit under plan/ rebuild the crate.
fn main() {
    println!("cargo:rerun-if-changed=../../plan");
}
