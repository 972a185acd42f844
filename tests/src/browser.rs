//! A real browser for the page tests: headless Chromium driven through
//! WebDriver (`chromedriver` on a free loopback port, a child process of the
//! test, with its browser killed when the [`Browser`] is dropped).
//!
//! [`Browser::start`] gives `None`, saying so on stdout, where Chromium or
//! chromedriver is not installed, so a developer without them still runs
//! the rest; with `PORTICO_REQUIRE_BROWSER=1` (CI sets it) a missing browser
//! fails the test instead.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use crate::{eventually, request};

/// Set to `1` where a missing browser must fail the page tests (CI).
pub const REQUIRE_BROWSER: &str = "PORTICO_REQUIRE_BROWSER";

/// The window a page is first shown in, and the desktop screenshot width.
pub const DESKTOP: (u32, u32) = (1280, 900);
/// A phone's width in CSS pixels (an iPhone 12 to 15), for the phone screenshot.
pub const PHONE_WIDTH: u32 = 390;

/// The flags headless Chromium needs on a server: no sandbox (root in a
/// container), no GPU, and nothing that phones home during a test.
const CHROMIUM_FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

static NEXT: AtomicU32 = AtomicU32::new(0);

/// One headless Chromium session and the chromedriver serving it.
#[derive(Debug)]
pub struct Browser {
    client: Client,
    driver: Child,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver on a free loopback port and opens a session in a
    /// fresh profile, or `None` when no browser is installed and
    /// [`REQUIRE_BROWSER`] is not set.
    ///
    /// # Panics
    /// When the browser is required but missing, or does not start.
    pub async fn start() -> Option<Self> {
        let found = (find_program(&["chromedriver"]), find_program(&["chromium", "chromium-browser", "google-chrome"]));
        let (Some(driver), Some(chromium)) = found else {
            let required = std::env::var(REQUIRE_BROWSER).is_ok_and(|v| v == "1");
            assert!(!required, "{REQUIRE_BROWSER}=1 but chromium or chromedriver is not installed");
            println!("browser test skipped: install chromium and chromedriver (Debian: chromium chromium-driver)");
            return None;
        };
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let profile = std::env::temp_dir().join(format!("portico-chromium-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).expect("a browser profile directory");
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so dropping the Browser ends Chromium too.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        eventually("chromedriver answers", || async {
            match request(address, "GET", "/status", &[], None).await {
                Ok(answer) if answer.json()["value"]["ready"] == true => Ok(()),
                Ok(answer) => Err(answer.text()),
                Err(e) => Err(e.to_string()),
            }
        })
        .await;
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(capabilities(&chromium, &profile))
            .connect(&format!("http://{address}"))
            .await
            .expect("a Chromium session");
        let browser = Self { client, driver: child, profile };
        browser.resize(DESKTOP.0, DESKTOP.1).await;
        Some(browser)
    }

    /// Opens `url` and waits for it to load.
    ///
    /// # Panics
    /// When the browser fails.
    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// The element `css` selects.
    ///
    /// # Panics
    /// When there is none, showing the page.
    pub async fn find(&self, css: &str) -> Element {
        match self.client.find(Locator::Css(css)).await {
            Ok(element) => element,
            Err(e) => panic!("no element {css} ({e}) on {}", self.source().await),
        }
    }

    /// Every element `css` selects (perhaps none).
    ///
    /// # Panics
    /// When the browser fails.
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client.find_all(Locator::Css(css)).await.expect("finding elements")
    }

    /// Clicks the element `css` selects, and waits for the page it opens, if
    /// it opens one.
    ///
    /// # Panics
    /// When there is no such element or the browser fails.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        element.click().await.unwrap_or_else(|e| panic!("clicking {css}: {e}"));
        self.wait_until_loaded().await;
    }

    /// Types `text` into the field `css` selects, key by key, as a person would.
    ///
    /// # Panics
    /// When there is no such field or it takes no typing.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.send_keys(text).await.unwrap_or_else(|e| panic!("typing into {css}: {e}"));
    }

    /// Submits the form `css` selects with its submit button, and waits for
    /// the next page to load.
    ///
    /// # Panics
    /// When there is no such form or button, or the next page does not load.
    pub async fn submit(&self, css: &str) {
        let before = self.find("html").await;
        let button = format!("{css} button[type=submit], {css} input[type=submit]");
        self.find(&button).await.click().await.unwrap_or_else(|e| panic!("submitting {css}: {e}"));
        eventually("the next page replaces this one", || async {
            match before.tag_name().await {
                Err(e) if e.is_stale_element_reference() => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
        self.wait_until_loaded().await;
    }

    /// Waits until `check` gives a value, for up to [`PATIENCE`](crate::PATIENCE).
    ///
    /// # Panics
    /// When the deadline passes, with `what` and the last thing `check` said.
    pub async fn wait_for<T, F, Fut>(&self, what: &str, check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, String>>,
    {
        eventually(what, check).await
    }

    /// Waits until an element matches `css`, and gives it.
    pub async fn wait_for_css(&self, css: &str) -> Element {
        self.wait_for(&format!("an element {css}"), || async {
            self.client.find(Locator::Css(css)).await.map_err(|e| e.to_string())
        })
        .await
    }

    /// The address of the page shown.
    ///
    /// # Panics
    /// When the browser fails.
    pub async fn current_url(&self) -> String {
        self.client.current_url().await.expect("the current URL").to_string()
    }

    /// The page's document as the browser holds it (after any script).
    ///
    /// # Panics
    /// When the browser fails.
    pub async fn source(&self) -> String {
        self.client.source().await.expect("the page source")
    }

    /// The visible text of the page.
    pub async fn text(&self) -> String {
        self.find("body").await.text().await.expect("the page text")
    }

    /// Runs `script` in the page and gives what it returns.
    ///
    /// # Panics
    /// When the script fails.
    pub async fn execute(&self, script: &str) -> Value {
        self.client.execute(script, Vec::new()).await.unwrap_or_else(|e| panic!("running {script}: {e}"))
    }

    /// Sets the window's inner size in CSS pixels.
    ///
    /// # Panics
    /// When the browser refuses.
    pub async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resizing the window");
        // The outer size includes whatever frame the platform draws; correct for it.
        let inner = self.execute("return [window.innerWidth, window.innerHeight]").await;
        let (w, h) = (inner[0].as_u64().unwrap_or(0), inner[1].as_u64().unwrap_or(0));
        let (dw, dh) = (u64::from(width).saturating_sub(w), u64::from(height).saturating_sub(h));
        if dw > 0 || dh > 0 {
            let grow = |base: u32, by: u64| base + u32::try_from(by).unwrap_or(0);
            self.client.set_window_size(grow(width, dw), grow(height, dh)).await.expect("resizing the window");
        }
    }

    /// Writes a PNG of the whole page at the window's width to
    /// `target/screenshots/NAME.png` and gives its path.
    ///
    /// # Panics
    /// When the browser cannot take it or the file cannot be written.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let width = self.execute("return window.innerWidth").await.as_u64().unwrap_or(u64::from(DESKTOP.0));
        let width = u32::try_from(width).unwrap_or(DESKTOP.0);
        let height = self.execute("return document.documentElement.scrollHeight").await.as_u64().unwrap_or(0);
        let height = u32::try_from(height).unwrap_or(DESKTOP.1).clamp(400, 8000);
        self.resize(width, height).await;
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = screenshots_dir().join(format!("{name}.png"));
        std::fs::write(&path, &png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{} is not a PNG", path.display());
        path
    }

    /// The page shown, at desktop width then at phone width:
    /// `NAME-desktop.png` and `NAME-phone.png` under `target/screenshots/`.
    /// Leaves the window at desktop size.
    ///
    /// # Panics
    /// When the page is wider than a phone's screen (it would scroll
    /// sideways there), or a screenshot fails.
    pub async fn screenshots(&self, name: &str) -> [PathBuf; 2] {
        self.resize(DESKTOP.0, DESKTOP.1).await;
        let desktop = self.screenshot(&format!("{name}-desktop")).await;
        self.resize(PHONE_WIDTH, 844).await;
        let wide = self.execute("return document.documentElement.scrollWidth").await.as_u64().unwrap_or(0);
        assert!(wide <= u64::from(PHONE_WIDTH), "{name} is {wide} px wide on a {PHONE_WIDTH} px phone");
        let phone = self.screenshot(&format!("{name}-phone")).await;
        self.resize(DESKTOP.0, DESKTOP.1).await;
        [desktop, phone]
    }

    /// One page for `make screenshots`: waits until the page shown says
    /// `shows`, then takes its [`screenshots`](Self::screenshots).
    pub async fn capture(&self, name: &str, shows: &str) {
        self.wait_for(&format!("{name} says {shows:?}"), || async {
            let text = self.text().await;
            if text.contains(shows) { Ok(()) } else { Err(text) }
        })
        .await;
        self.screenshots(name).await;
    }

    /// Ends the session and the browser.
    pub async fn close(mut self) {
        let client = self.client.clone();
        let _ = client.close().await;
        let _ = self.driver.start_kill();
    }

    async fn wait_until_loaded(&self) {
        self.wait_for("the page loads", || async {
            let state = self.client.execute("return document.readyState", Vec::new()).await;
            match state {
                Ok(Value::String(s)) if s == "complete" => Ok(()),
                other => Err(format!("{other:?}")),
            }
        })
        .await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // chromedriver's group holds Chromium and its helpers: end them all,
        // also when a test panics before `close`.
        if let Some(pid) = self.driver.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Where screenshots go: `target/screenshots/` of the build running this.
///
/// # Panics
/// When the directory cannot be made.
#[must_use]
pub fn screenshots_dir() -> PathBuf {
    // A test binary runs from target/<profile>/deps/.
    let exe = std::env::current_exe().expect("the test binary's path");
    let target = exe.ancestors().nth(3).map_or_else(|| PathBuf::from("target"), Path::to_path_buf);
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("creating {}: {e}", dir.display()));
    dir
}

fn capabilities(chromium: &Path, profile: &Path) -> Capabilities {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|f| (*f).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.push(format!("--window-size={},{}", DESKTOP.0, DESKTOP.1));
    let options = json!({ "binary": chromium, "args": args });
    let mut capabilities = Capabilities::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    capabilities
}

/// The first of `names` found on `PATH`.
fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|name| std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file()))
}

fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("a free loopback port");
    listener.local_addr().expect("its address").port()
}
