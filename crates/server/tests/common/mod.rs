//! What the tests that run the real binary share.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `accessd serve`: the process, its base URL (no trailing slash) and the admin
/// token it printed.
pub struct Served {
    pub child: Child,
    pub base: String,
    pub token: String,
}

impl Served {
    /// Kills it with SIGKILL (no shutdown) and waits for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `accessd serve --database URL --listen 127.0.0.1:0` with `extra` arguments and
/// reads what it prints at start.
pub fn serve(url: &str, extra: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(["serve", "--database", url, "--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("accessd starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a first line").expect("text");
    let base = first
        .rsplit(' ')
        .next()
        .expect("the URL ends the first line")
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");
    let _ = lines.next();
    let _ = lines.next();
    let token = lines.next().expect("the token line").expect("text");
    // Keep reading what else it prints, so that no write of the server meets a closed pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        base,
        token: token.trim().to_string(),
    }
}

/// Runs `accessd ARGS` to its end.
pub fn accessd(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_accessd"))
        .args(args)
        .output()
        .expect("accessd runs")
}

/// Says that a test skipped, past the test harness's capture.
pub fn skipped(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {why}");
}
