//! `makini-desk://` links: what a second launch (or the first) passes to open a place in the
//! app, as the UI's own path. `makini-desk://connections/ID` opens that connection,
//! `makini-desk://alerts/ID` that alert, `makini-desk://credits` (any screen) that screen.

/// The scheme the desktop entry registers (`x-scheme-handler/makini-desk`).
pub const SCHEME: &str = "makini-desk";

/// The UI path `link` opens, or `None` when it is not one of ours or names nothing the app has.
pub fn route(link: &str) -> Option<String> {
    let rest = link.strip_prefix(SCHEME)?.strip_prefix("://")?;
    // A link may come with a trailing slash, a query or a fragment from whoever wrote it.
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let mut parts = rest.split('/').filter(|part| !part.is_empty());
    let first = parts.next().unwrap_or("overview");
    let second = parts.next();
    if parts.next().is_some() {
        return None;
    }
    match (first, second) {
        ("connections", Some(id)) if is_id(id) => Some(format!("/connections/{id}")),
        ("alerts", Some(id)) if is_id(id) => Some(format!("/alerts?alert={id}")),
        ("overview", None) => Some("/".to_owned()),
        (screen, None) if SCREENS.contains(&screen) => Some(format!("/{screen}")),
        _ => None,
    }
}

/// The first argument that is one of our links, as a route (a launcher passes it as `%u`).
pub fn route_in_args<I, S>(args: I) -> Option<String>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    args.into_iter().find_map(|arg| {
        let arg = arg.as_ref();
        let found = route(arg);
        if found.is_none() && arg.starts_with(SCHEME) {
            tracing::warn!(link = arg, "a link the app does not know; opening as is");
        }
        found
    })
}

/// The screens a link may name (ui/src/lib/router/routes.ts).
const SCREENS: &[&str] = &[
    "connect",
    "customers",
    "credits",
    "alerts",
    "webhooks",
    "data",
    "settings",
];

/// Ids are the platform's (`conn_...`, `alrt_...`): nothing that could leave the path.
fn is_id(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 128
        && text
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_open_connections_alerts_and_screens() {
        assert_eq!(
            route("makini-desk://connections/conn_0123abcd").as_deref(),
            Some("/connections/conn_0123abcd")
        );
        assert_eq!(
            route("makini-desk://alerts/alrt_42/").as_deref(),
            Some("/alerts?alert=alrt_42")
        );
        assert_eq!(route("makini-desk://credits").as_deref(), Some("/credits"));
        assert_eq!(route("makini-desk://").as_deref(), Some("/"));
        assert_eq!(route("makini-desk://overview?x=1").as_deref(), Some("/"));
    }

    #[test]
    fn other_links_and_odd_ids_open_nothing() {
        for link in [
            "https://example.com/connections/conn_1",
            "makini-desk:connections/conn_1",
            "makini-desk://connections",
            "makini-desk://connections/conn_1/extra",
            "makini-desk://connections/..%2Fsettings",
            "makini-desk://connections/a b",
            "makini-desk://nowhere",
        ] {
            assert_eq!(route(link), None, "{link}");
        }
    }

    #[test]
    fn the_first_link_among_arguments_is_taken() {
        let args = [
            "/usr/bin/makini-desk",
            "--flag",
            "makini-desk://connections/conn_9",
            "makini-desk://credits",
        ];
        assert_eq!(route_in_args(args).as_deref(), Some("/connections/conn_9"));
        assert_eq!(route_in_args(["/usr/bin/makini-desk"]), None);
    }
}
