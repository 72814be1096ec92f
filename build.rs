//! Build-time facts the crate needs:
//!
//! - Rebuild when the bundled exercise pack changes: `include_dir!` embeds `exercises/`, but on
//!   stable Rust it cannot tell cargo which files it read.
//! - `cfg(netgrade_root)` when building as root, so tests that can only run as root (switching
//!   to another user, say) are reported as *ignored* elsewhere instead of passing silently.
fn main() {
    println!("cargo:rerun-if-changed=exercises");
    println!("cargo::rustc-check-cfg=cfg(netgrade_root)");
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let effective_uid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1));
    if effective_uid == Some("0") {
        println!("cargo::rustc-cfg=netgrade_root");
    }
}
