//! Rebuild when the bundled exercise pack changes: `include_dir!` embeds `exercises/`, but on
//! stable Rust it cannot tell cargo which files it read.
fn main() {
    println!("cargo:rerun-if-changed=exercises");
}
