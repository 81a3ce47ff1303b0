fn main() {
    // stamps the commit into the binary
    let head = std::process::Command::new("git").args(["rev-parse", "HEAD"]).output().unwrap();
    println!("cargo:rustc-env=GIT_HASH={}", String::from_utf8_lossy(&head.stdout));
}
