//! The sandbox's pages in a real browser: headless Chromium (Debian's `chromium`, which
//! `.ci/run` installs) opens the install page and the dashboard of a running sandbox, takes
//! screenshots (under `target/tmp/screenshots/`), and the test reads the DOM it rendered
//! (`--dump-dom`): the holder's name, escaping, and the state after the install form's
//! POST. A second test clicks the install button through the DevTools protocol, and
//! clicks another site's form that posts to the sandbox (refused).
//!
//! Every Chromium run has a fresh profile, no network beyond 127.0.0.1, and a time limit
//! after which its process group is killed. Without Chromium the test fails in CI
//! (`CI` set) and, elsewhere, prints a notice and passes.
#![cfg(feature = "sandbox")]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use accessgrid::sandbox::Sandbox;
use common::receiver::Receiver;
use common::web::{issue, path_of, post_form, subscribe, template};

/// The longest one Chromium run may take.
const RUN_LIMIT: Duration = Duration::from_secs(40);

/// Chromium headless, quiet, with no proxy and nothing fetched in the background.
const HEADLESS: [&str; 11] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--proxy-server=direct://",
    "--proxy-bypass-list=*",
];

/// Chromium's path: `CHROMIUM` if set, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let paths = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&paths).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Where this test writes: `target/tmp/screenshots` and fresh profiles beside it.
fn work_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).expect("a screenshot folder");
    dir
}

/// Runs Chromium headless on `url` with `extra` flags, within [`RUN_LIMIT`]; answers what
/// it printed on stdout. A run past the limit has its process group killed and fails.
fn run(browser: &Path, extra: &[String], url: &str) -> String {
    let dir = work_dir();
    static RUNS: AtomicUsize = AtomicUsize::new(0);
    let run_id = format!(
        "{}-{}",
        std::process::id(),
        RUNS.fetch_add(1, Ordering::Relaxed)
    );
    let profile = dir.join(format!("profile-{run_id}"));
    let stdout_path = dir.join(format!("stdout-{run_id}.html"));
    let stderr_path = dir.join(format!("stderr-{run_id}.txt"));
    let mut command = Command::new(browser);
    command
        .args(HEADLESS)
        .arg("--hide-scrollbars")
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("a stdout file"))
        .stderr(File::create(&stderr_path).expect("a stderr file"));
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let started = Instant::now();
    let mut child = command.spawn().expect("chromium starts");
    let status = loop {
        if let Some(status) = child.try_wait().expect("chromium's status") {
            break Some(status);
        }
        if started.elapsed() > RUN_LIMIT {
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    // Whatever happened, no process of this run outlives it: the group is killed.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", child.id())])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&profile);
    let _ = std::fs::remove_file(&stdout_path);
    let _ = std::fs::remove_file(&stderr_path);
    match status {
        Some(status) if status.success() => {
            eprintln!("chromium {url}: {:?}", started.elapsed());
            stdout
        }
        Some(status) => panic!("chromium failed ({status}) on {url}: {stderr}"),
        None => panic!("chromium took longer than {RUN_LIMIT:?} on {url}: {stderr}"),
    }
}

/// The DOM Chromium rendered from `url`.
fn dump_dom(browser: &Path, url: &str) -> String {
    run(browser, &["--dump-dom".to_owned()], url)
}

/// A screenshot of `url` at `width`×`height`, saved as `name` under the work folder;
/// answers its path after checking it is a PNG of some substance.
fn screenshot(browser: &Path, url: &str, name: &str, width: u32, height: u32) -> PathBuf {
    let path = work_dir().join(name);
    let _ = std::fs::remove_file(&path);
    run(
        browser,
        &[
            format!("--screenshot={}", path.display()),
            format!("--window-size={width},{height}"),
        ],
        url,
    );
    let png = std::fs::read(&path).expect("a screenshot was written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
    assert!(
        png.len() > 10_000,
        "{name} has content: {} bytes",
        png.len()
    );
    path
}

#[test]
fn the_install_page_and_the_dashboard_render_in_chromium() {
    let Some(browser) = chromium() else {
        assert!(
            !in_ci(),
            "chromium is required in CI for the browser tests (.ci/run installs it)"
        );
        eprintln!(
            "NOTICE: chromium not found; the browser test did not run \
             (apt-get install chromium, or set CHROMIUM)"
        );
        return;
    };
    let receiver = Receiver::accepting();
    let sb = Sandbox::start().expect("sandbox");
    subscribe(&sb, &receiver.url());
    let template_id = template(&sb, "<script>document.title='pwned'</script>Lab", "apple");
    let (id, url) = issue(&sb, &template_id, "Zoë Ångström");

    // The install page: the holder, the escaped template name, the form; nothing installed.
    let dom = dump_dom(&browser, &url);
    assert!(
        dom.contains(r#"<div class="holder" id="holder">Zoë Ångström</div>"#),
        "{dom}"
    );
    assert!(
        dom.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;Lab"),
        "{dom}"
    );
    assert!(!dom.contains("<script"), "no script element: {dom}");
    assert!(!dom.contains("pwned</title>"));
    assert!(dom.contains(r#"<span class="badge s-created" id="state">created</span>"#));
    assert!(dom.contains("Add to Apple Wallet on a phone"));
    let shot = screenshot(&browser, &url, "install-page.png", 480, 900);
    eprintln!("install page: {}", shot.display());
    assert_eq!(
        sb.client().access_cards().get(&id).expect("read").state,
        Some(accessgrid::models::CardState::Created),
        "opening the page in a browser installs nothing"
    );

    // The install form's POST (what its button sends; the click test below clicks it).
    let posted = post_form(sb.addr(), &path_of(&url), "device=mobile");
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert!(sb.wait_for_deliveries(Duration::from_secs(10)));

    // The dashboard: the pass, its events and the deliveries to the receiver.
    let dashboard = format!("{}/", sb.base_url());
    let dom = dump_dom(&browser, &dashboard);
    for expected in [
        r#"<td class="holder">Zoë Ångström</td>"#,
        r#"<span class="badge s-active">active</span>"#,
        "ag.access_pass.activated",
        receiver.url().as_str(),
        "answered 200",
        "Mark device lost",
        "&lt;script&gt;document.title='pwned'&lt;/script&gt;Lab",
    ] {
        assert!(dom.contains(expected), "{expected}: {dom}");
    }
    assert!(!dom.contains("<script"));
    let shot = screenshot(&browser, &dashboard, "dashboard.png", 1280, 1400);
    eprintln!("dashboard: {}", shot.display());
}

/// Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: the
/// browser reads commands on its descriptor 3 and writes answers on its descriptor 4, each a
/// JSON text ending in a NUL byte), for what `--dump-dom` can not do: click a button.
/// Every wait is bounded by one deadline; dropping it kills the browser's process group.
struct Devtools {
    child: std::process::Child,
    commands: std::io::PipeWriter,
    answers: std::sync::mpsc::Receiver<serde_json::Value>,
    next_id: u64,
    session: Option<String>,
    deadline: Instant,
    profile: PathBuf,
}

impl Devtools {
    fn launch(browser: &Path) -> Devtools {
        use std::os::fd::AsRawFd;
        use std::os::unix::process::CommandExt;

        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let profile = work_dir().join(format!(
            "devtools-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        ));
        let (browser_reads, commands) = std::io::pipe().expect("a pipe");
        let (answers_in, browser_writes) = std::io::pipe().expect("a pipe");
        let (read_fd, write_fd) = (browser_reads.as_raw_fd(), browser_writes.as_raw_fd());
        let mut command = Command::new(browser);
        command
            .args(HEADLESS)
            .args(["--remote-debugging-pipe", "--window-size=480,900"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0);
        // SAFETY: between fork and exec only async-signal-safe calls (fcntl, dup2) on
        // descriptors this process owns: the pipe ends become the child's 3 and 4 (moved
        // above 10 first, so that neither can overwrite the other).
        unsafe {
            command.pre_exec(move || {
                let high_read = libc::fcntl(read_fd, libc::F_DUPFD, 10);
                let high_write = libc::fcntl(write_fd, libc::F_DUPFD, 10);
                if high_read < 0
                    || high_write < 0
                    || libc::dup2(high_read, 3) < 0
                    || libc::dup2(high_write, 4) < 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn().expect("chromium starts");
        drop((browser_reads, browser_writes));
        let (sender, answers) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead;
            let mut reader = std::io::BufReader::new(answers_in);
            let mut message = Vec::new();
            // Ends when the browser closes its end (it exits or is killed).
            while matches!(reader.read_until(0, &mut message), Ok(n) if n > 0) {
                message.pop();
                if let Ok(value) = serde_json::from_slice(&message) {
                    if sender.send(value).is_err() {
                        break;
                    }
                }
                message.clear();
            }
        });
        Devtools {
            child,
            commands,
            answers,
            next_id: 0,
            session: None,
            deadline: Instant::now() + RUN_LIMIT,
            profile,
        }
    }

    /// Sends a command (to the attached page, once there is one) and waits for its result.
    fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        use std::io::Write;
        self.next_id += 1;
        let id = self.next_id;
        let mut message = serde_json::json!({"id": id, "method": method, "params": params});
        if let Some(session) = &self.session {
            message["sessionId"] = session.clone().into();
        }
        let mut bytes = message.to_string().into_bytes();
        bytes.push(0);
        self.commands
            .write_all(&bytes)
            .expect("chromium reads its pipe");
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            let answer = self
                .answers
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("no answer to {method} within the time limit"));
            if answer["id"] == id {
                assert!(answer.get("error").is_none(), "{method}: {answer}");
                return answer["result"].clone();
            }
        }
    }

    /// Opens `url` in a new page and attaches to it.
    fn open(&mut self, url: &str) {
        let target = self.call("Target.createTarget", serde_json::json!({"url": url}));
        let attached = self.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = attached["sessionId"].as_str().map(str::to_owned);
    }

    /// Evaluates `expression` in the page: its value.
    fn eval(&mut self, expression: &str) -> serde_json::Value {
        let result = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true}),
        );
        result["result"]["value"].clone()
    }

    /// Waits until `expression` is true in the page (polled every 50 ms).
    fn wait_for(&mut self, expression: &str) {
        while self.eval(expression) != serde_json::Value::Bool(true) {
            assert!(
                Instant::now() < self.deadline,
                "{expression} never held; the page: {}",
                self.eval("document.documentElement.outerHTML")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Devtools {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A page of another origin (another port of 127.0.0.1) whose form posts to `action`:
/// what a site the developer browses could hold. Serves until dropped (a minute at most).
struct HostilePage {
    url: String,
    stop: std::sync::mpsc::Sender<()>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl HostilePage {
    fn start(action: &str) -> HostilePage {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a server");
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .expect("an IP");
        let html = format!(
            "<!DOCTYPE html><meta charset=utf-8><title>Cute cats</title>\
             <form method=post action=\"{action}\">\
             <button id=go name=device value=mobile>See the cats</button></form>"
        );
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            for _ in 0..600 {
                if stopped.try_recv().is_ok() {
                    break;
                }
                if let Ok(Some(request)) = server.recv_timeout(Duration::from_millis(100)) {
                    let header = tiny_http::Header::from_bytes("Content-Type", "text/html")
                        .expect("a header");
                    let _ = request.respond(
                        tiny_http::Response::from_string(html.clone()).with_header(header),
                    );
                }
            }
        });
        HostilePage {
            url: format!("http://127.0.0.1:{port}/"),
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for HostilePage {
    fn drop(&mut self) {
        let _ = self.stop.send(());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[test]
fn clicking_the_install_button_in_chromium_installs_and_another_sites_form_does_not() {
    let Some(browser) = chromium() else {
        assert!(
            !in_ci(),
            "chromium is required in CI for the browser tests (.ci/run installs it)"
        );
        eprintln!("NOTICE: chromium not found; the browser click test did not run");
        return;
    };
    let sb = Sandbox::start().expect("sandbox");
    let (id, url) = issue(&sb, &sb.template_id(), "Zoë Ångström");
    let read_state = || sb.client().access_cards().get(&id).expect("read").state;
    let started = Instant::now();
    let mut chrome = Devtools::launch(&browser);

    // Another site's form that posts to the install URL: the browser sends it (with its
    // Origin and Sec-Fetch-Site), the sandbox refuses it, nothing is installed.
    let hostile = HostilePage::start(&url);
    chrome.open(&hostile.url);
    chrome.wait_for("document.readyState === 'complete' && !!document.getElementById('go')");
    chrome.eval("document.getElementById('go').click(); true");
    chrome.wait_for(&format!(
        "location.href.startsWith({:?}) && document.readyState === 'complete'",
        sb.base_url()
    ));
    let text = chrome.eval("document.body.innerText");
    assert!(
        text.as_str().is_some_and(|t| t.contains("Refused:")),
        "{text}"
    );
    assert_eq!(read_state(), Some(accessgrid::models::CardState::Created));
    assert!(sb
        .events()
        .iter()
        .all(|e| e.kind != "ag.access_pass.activated"));

    // The install page itself: click "on a watch"; the browser follows the redirect.
    chrome.open(&url);
    chrome.wait_for("document.readyState === 'complete' && !!document.getElementById('holder')");
    assert_eq!(
        chrome.eval("document.getElementById('holder').textContent"),
        "Zoë Ångström"
    );
    chrome.eval("document.querySelector('button[name=device][value=watch]').click(); true");
    chrome.wait_for(
        "location.search === '?installed=watch' && document.readyState === 'complete' \
         && document.getElementById('state').textContent === 'active'",
    );
    assert_eq!(
        chrome.eval("document.getElementById('notice').textContent"),
        "Added to your wallet on a watch."
    );
    let card = sb.client().access_cards().get(&id).expect("read");
    assert_eq!(card.state, Some(accessgrid::models::CardState::Active));
    let devices = card.devices.unwrap_or_default();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_type.as_deref(), Some("watch"));
    assert_eq!(
        sb.events().pop().map(|e| e.kind).as_deref(),
        Some("ag.access_pass.activated")
    );
    // The install came from the browser: the event log names its user agent.
    let log = sb
        .client()
        .console()
        .templates()
        .logs(
            &sb.template_id(),
            accessgrid::models::TemplateLogQuery::default(),
        )
        .expect("event log");
    let install = log
        .into_items()
        .into_iter()
        .find(|e| e.event.as_ref().is_some_and(|k| k.to_string() == "install"))
        .expect("an install entry");
    assert!(
        install
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("HeadlessChrome")),
        "{:?}",
        install.user_agent
    );

    // A screenshot of the page after the click.
    let shot = chrome.call(
        "Page.captureScreenshot",
        serde_json::json!({"format": "png"}),
    );
    let png = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        shot["data"].as_str().unwrap_or_default(),
    )
    .expect("base64");
    assert!(png.starts_with(b"\x89PNG"));
    let path = work_dir().join("install-page-after-click.png");
    std::fs::write(&path, png).expect("written");
    eprintln!(
        "after the click: {} ({:?})",
        path.display(),
        started.elapsed()
    );
}
