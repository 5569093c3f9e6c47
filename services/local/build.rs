//! Rebuilds `ecomm` whenever a console asset changes, is added or is removed: the assets are
//! embedded at compile time, and the compiler alone sees only the files of the last build.
fn main() {
    println!("cargo:rerun-if-changed=console/assets");
}
