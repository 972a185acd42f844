//! The portal pages in a real browser, headless Chromium: the invitation page
//! renders its form under its strict content policy, and a browser opening
//! the link (as a mail scanner's does) changes nothing. Skipped, with a line
//! saying so, where Chromium is not installed; CI installs it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use portico_testkit::smtp::SmtpServer;
use tokio::process::Command;

use crate::support::scenario::{invite_one, with_sample};
use portico_tests::link;

/// The browser binary, if one is installed.
async fn chromium() -> Option<&'static str> {
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        let found = Command::new(name).arg("--version").output().await.is_ok_and(|o| o.status.success());
        if found {
            return Some(name);
        }
    }
    None
}

/// Runs the browser headless on `url` with `extra` arguments; its stdout.
async fn browse(browser: &str, profile: &Path, url: &str, extra: &[String]) -> String {
    let run = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the browser finishes within a minute")
        .expect("the browser starts");
    assert!(output.status.success(), "the browser failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_invitation_page_renders_in_chromium_and_opening_it_changes_nothing() {
    let Some(browser) = chromium().await else {
        println!("Chromium skipped: install the chromium package to run the page tests");
        return;
    };
    let smtp = SmtpServer::start().await;
    let (app, report) = with_sample(&smtp).await;
    let invited = invite_one(&app, &smtp, &report, 3).await;
    let url = format!("http://{}{}", app.address, link(&invited.token));
    let profile = app.dir.join("chromium-profile");

    let dom = browse(browser, &profile, &url, &["--dump-dom".to_owned()]).await;

    assert!(dom.contains(&format!("action=\"{}/accept\"", link(&invited.token))), "{dom}");
    assert!(dom.contains("name=\"password\"") && dom.contains("name=\"password_confirm\""), "{dom}");
    assert!(dom.contains(&invited.recipient), "the page names the sign-in: {dom}");
    assert!(dom.contains("Decline"), "{dom}");
    let shots = std::env::temp_dir().join("portico-page-screenshots");
    std::fs::create_dir_all(&shots).expect("a screenshot folder");
    let shot: PathBuf = shots.join("invitation.png");
    let _ = std::fs::remove_file(&shot);
    browse(browser, &profile, &url, &[format!("--screenshot={}", shot.display()), "--window-size=900,1100".to_owned()])
        .await;
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "a real picture, {} bytes", png.len());

    let id = invited.invitation["id"].as_str().expect("an id");
    assert_eq!(app.status_of(id).await, "pending", "a browser opening the link accepted nothing");
    assert!(!app.has_login(&invited.customer_id).await);

    let unknown = format!("http://{}{}", app.address, link(&"0".repeat(64)));
    let dom = browse(browser, &profile, &unknown, &["--dump-dom".to_owned()]).await;
    assert!(dom.contains("This link does not work"), "{dom}");
    app.stop().await;
}
