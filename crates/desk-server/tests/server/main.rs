//! Browser mode against a real desk: a temp data folder, the local engine in-process with the
//! demo seed, the server on a loopback port, reqwest as the browser.

mod actions;
mod credits;
mod security;

use desk_core::{Desk, DeskConfig, VaultAccess};
use desk_server::{LaunchToken, ServerState};
use std::sync::Arc;

pub struct Served {
    pub base: String,
    pub token: LaunchToken,
    pub http: reqwest::Client,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    desk: Arc<Desk>,
    _dir: tempfile::TempDir,
}

impl Served {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("a temp dir");
        let desk = Desk::open(DeskConfig {
            vault: VaultAccess {
                key_file: None,
                passphrase: Some(desk_vault::SecretString::new("server-test".to_owned())),
            },
            ..DeskConfig::new(dir.path())
        })
        .await
        .expect("the desk opens");
        let desk = Arc::new(desk);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        let token = LaunchToken::random();
        let state = Arc::new(ServerState::new(Arc::clone(&desk), token.clone(), addr));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(desk_server::serve(listener, state, None, async move {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("a client");
        Self {
            base: format!("http://{addr}"),
            token,
            http,
            stop: Some(stop),
            task: Some(task),
            desk,
            _dir: dir,
        }
    }

    /// Calls an action with the launch token, as the UI does after the first load.
    pub async fn call(&self, name: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let answer = self
            .http
            .post(format!("{}/api/actions/{name}", self.base))
            .bearer_auth(self.token.as_str())
            .json(&body)
            .send()
            .await
            .expect("the server answers");
        let status = answer.status().as_u16();
        (status, answer.json().await.expect("a JSON body"))
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("the server task").expect("served");
        }
        if let Ok(desk) = Arc::try_unwrap(self.desk) {
            desk.close().await;
        }
    }
}
