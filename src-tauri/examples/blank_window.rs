//! The baseline of the window's start-up bench (scripts/bench-window.sh): a Tauri app built in
//! the same run with the same runtime, features and configuration, whose one window shows a
//! one-line page from a custom protocol (no UI bundle, no desk, no engine). It logs "page
//! loaded" as the app does, then idles until it is stopped.

use std::time::Instant;
use tauri::webview::PageLoadEvent;
use tauri::{WebviewUrl, WebviewWindowBuilder};

const PAGE: &[u8] = b"<!doctype html><meta charset=utf-8><title>blank</title><p>blank</p>";

fn main() {
    let started = Instant::now();
    let mut context = makini_desk_lib::context::<tauri::Wry>();
    // Not the app's window: this one is made below, on the blank page.
    context.config_mut().app.windows.clear();
    let built = tauri::Builder::default()
        .register_uri_scheme_protocol("blank", |_context, _request| {
            tauri::http::Response::builder()
                .header("content-type", "text/html")
                .body(PAGE.to_vec())
                .unwrap_or_default()
        })
        .on_page_load(move |webview, payload| {
            if payload.event() == PageLoadEvent::Finished {
                eprintln!(
                    "page loaded window={} elapsed_ms={}",
                    webview.label(),
                    started.elapsed().as_millis()
                );
            }
        })
        .setup(|app| {
            let url = "blank://localhost/"
                .parse()
                .map_err(|err| format!("the blank page's URL: {err}"))?;
            WebviewWindowBuilder::new(app, "blank", WebviewUrl::CustomProtocol(url))
                .title("blank")
                .inner_size(1100.0, 720.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(err) = built {
        eprintln!("blank_window: {err}");
        std::process::exit(1);
    }
}
