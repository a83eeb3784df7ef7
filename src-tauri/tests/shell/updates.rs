//! Signed updates through the real updater plugin (mock runtime, the app's own configuration):
//! a channel on 127.0.0.1 serves a `latest.json` for a newer version and the release's bytes,
//! signed with a key pair made for this test only (never the app's). The app sees the newer
//! version with its notes, downloads it and verifies the signature; a manifest whose signature
//! comes from another key is refused with its own code; no channel is an answer, not a crash.

use base64::Engine as _;
use desk_core::VaultAccess;
use makini_desk_lib::ShellConfig;
use std::io::{BufRead as _, BufReader, Cursor, Write as _};
use std::net::TcpListener;
use std::time::Duration;
use tauri::test::mock_builder;
use tauri::Manager as _;

const RELEASE: &[u8] = b"makini-desk 9.9.9: the release's bytes, as a channel would serve a .deb";

/// A key pair in the updater's spelling: the public key and signatures are base64 of
/// minisign's text boxes.
struct SigningKey {
    public: String,
    secret: minisign::SecretKey,
}

impl SigningKey {
    fn new() -> Self {
        let pair = minisign::KeyPair::generate_unencrypted_keypair().expect("a key pair");
        let public_box = pair.pk.to_box().expect("the public key's box").to_string();
        Self {
            public: base64::engine::general_purpose::STANDARD.encode(public_box),
            secret: pair.sk,
        }
    }

    fn sign(&self, bytes: &[u8]) -> String {
        let signature = minisign::sign(
            None,
            &self.secret,
            Cursor::new(bytes),
            Some("makini-desk 9.9.9"),
            None,
        )
        .expect("a signature");
        base64::engine::general_purpose::STANDARD.encode(signature.to_string())
    }
}

fn manifest(base: &str, signature: &str) -> String {
    serde_json::json!({
        "version": "9.9.9",
        "notes": "Alerts open faster; the tray shows the count.",
        "pub_date": "2026-12-01T09:00:00Z",
        "platforms": {
            "linux-x86_64": { "signature": signature, "url": format!("{base}/makini-desk_9.9.9_amd64.deb") },
            "darwin-aarch64": { "signature": signature, "url": format!("{base}/makini-desk.app.tar.gz") },
            "windows-x86_64": { "signature": signature, "url": format!("{base}/makini-desk.msi") }
        }
    })
    .to_string()
}

/// A channel on 127.0.0.1: `/latest.json` signed by `good`, `/tampered.json` signed by
/// another key, and the release's bytes. Answers a bounded number of requests, then stops.
fn serve_channel(good: &SigningKey, other: &SigningKey) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let base = format!("http://{}", listener.local_addr().expect("an address"));
    let latest = manifest(&base, &good.sign(RELEASE));
    let tampered = manifest(&base, &other.sign(RELEASE));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(16) {
            let Ok(mut stream) = stream else { continue };
            let mut request_line = String::new();
            let mut reader = BufReader::new(stream.try_clone().expect("a stream"));
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            // The headers, up to the blank line (no request here has a body).
            loop {
                let mut line = String::new();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) if line == "\r\n" => break,
                    Ok(_) => {}
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/");
            let (status, kind, body): (&str, &str, Vec<u8>) = match path {
                "/latest.json" => ("200 OK", "application/json", latest.clone().into_bytes()),
                "/tampered.json" => ("200 OK", "application/json", tampered.clone().into_bytes()),
                "/makini-desk_9.9.9_amd64.deb" => {
                    ("200 OK", "application/octet-stream", RELEASE.to_vec())
                }
                _ => ("404 Not Found", "text/plain", b"not here".to_vec()),
            };
            let head = format!(
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let written = stream
                .write_all(head.as_bytes())
                .and_then(|()| stream.write_all(&body));
            if let Err(err) = written {
                eprintln!("the test channel could not answer {path}: {err}");
            }
        }
    });
    base
}

fn set_endpoint(app: &tauri::App<tauri::test::MockRuntime>, endpoint: Option<String>) {
    let desk = app
        .state::<makini_desk_lib::DeskHost>()
        .desk()
        .expect("the desk");
    tauri::async_runtime::block_on(async {
        let mut settings = desk.settings().await.expect("settings");
        settings.update_endpoint = endpoint;
        desk.save_settings(settings).await.expect("saved");
    });
}

#[test]
fn the_window_finds_a_signed_release_downloads_it_verified_and_refuses_a_bad_signature() {
    let data = tempfile::tempdir().expect("a temp dir");
    let config = ShellConfig {
        data_dir: data.path().to_path_buf(),
        vault: VaultAccess {
            key_file: None,
            passphrase: Some(desk_vault::SecretString::new("updater test".to_owned())),
        },
        jobs: desk_core::jobs::JobIntervals {
            sync: Duration::from_secs(3600),
            poll: Duration::from_secs(3600),
        },
    };
    let app = makini_desk_lib::app(mock_builder(), config).expect("the app builds");
    let handle = app.handle().clone();
    let good = SigningKey::new();
    let other = SigningKey::new();
    let base = serve_channel(&good, &other);

    // No channel: tauri.conf.json names none and settings have none; a clear answer.
    let none = tauri::async_runtime::block_on(makini_desk_lib::updates::check(&handle, None))
        .expect_err("no channel");
    assert_eq!(none.code.as_str(), "NOT_SUPPORTED", "{none:?}");
    assert!(none.message.contains("Settings > Desktop"), "{none:?}");

    // The channel offers 9.9.9, signed: seen with its notes, downloaded and verified.
    set_endpoint(&app, Some(format!("{base}/latest.json")));
    let found = tauri::async_runtime::block_on(makini_desk_lib::updates::check(
        &handle,
        Some(good.public.clone()),
    ))
    .expect("the check answers");
    assert_eq!(found.current_version, env!("CARGO_PKG_VERSION"));
    let available = found.available.expect("a newer release");
    assert_eq!(available.version, "9.9.9");
    assert_eq!(
        available.notes.as_deref(),
        Some("Alerts open faster; the tray shows the count.")
    );
    assert_eq!(
        available.published_at.as_deref(),
        Some("2026-12-01T09:00:00+00:00")
    );
    assert!(
        available.download_url.ends_with("_amd64.deb"),
        "{available:?}"
    );
    let downloaded =
        tauri::async_runtime::block_on(makini_desk_lib::updates::download(&handle, false))
            .expect("downloaded and verified");
    assert_eq!(downloaded.version, "9.9.9");
    assert_eq!(downloaded.bytes, RELEASE.len() as u64);
    assert!(!downloaded.installed);

    // The same release signed by a key that is not the app's: refused at download.
    set_endpoint(&app, Some(format!("{base}/tampered.json")));
    tauri::async_runtime::block_on(makini_desk_lib::updates::check(
        &handle,
        Some(good.public.clone()),
    ))
    .expect("the manifest itself reads");
    let refused = tauri::async_runtime::block_on(makini_desk_lib::updates::download(&handle, true))
        .expect_err("a bad signature is refused");
    assert_eq!(
        refused.code.as_str(),
        "UPDATE_SIGNATURE_INVALID",
        "{refused:?}"
    );
    assert!(
        refused.message.contains("nothing was installed"),
        "{refused:?}"
    );

    // With the app's own key (not the test's), the test's release does not verify either.
    set_endpoint(&app, Some(format!("{base}/latest.json")));
    tauri::async_runtime::block_on(makini_desk_lib::updates::check(&handle, None))
        .expect("the check answers");
    let foreign =
        tauri::async_runtime::block_on(makini_desk_lib::updates::download(&handle, false))
            .expect_err("signed by a key the app does not hold");
    assert_eq!(
        foreign.code.as_str(),
        "UPDATE_SIGNATURE_INVALID",
        "{foreign:?}"
    );

    // An unreachable channel is an update failure with a retry, not a hang or a crash.
    set_endpoint(&app, Some("http://127.0.0.1:9/latest.json".to_owned()));
    let unreachable =
        tauri::async_runtime::block_on(makini_desk_lib::updates::check(&handle, None))
            .expect_err("nothing listens on port 9");
    assert_eq!(
        unreachable.code.as_str(),
        "UPDATE_FAILED",
        "{unreachable:?}"
    );

    // Plain http off loopback is refused when saved.
    let desk = app
        .state::<makini_desk_lib::DeskHost>()
        .desk()
        .expect("the desk");
    let plain = tauri::async_runtime::block_on(async {
        let mut settings = desk.settings().await.expect("settings");
        settings.update_endpoint = Some("http://updates.example.com/latest.json".to_owned());
        desk.save_settings(settings).await
    })
    .expect_err("plain http off loopback");
    assert!(plain.to_string().contains("use https"), "{plain}");
    drop(desk);
    makini_desk_lib::shutdown(&handle);
}
