//! The customer's notice: which system and connection, what happened and since when, what to
//! do for that system's kind of sign-in, and a magic link when the platform offers one; as
//! text and as a `mailto:` link. The text comes from a template with `{placeholders}`
//! (settings' `notice_template`, else [`DEFAULT_TEMPLATE`]), so support can word it their way.

use desk_alerts::{Alert, AlertKind};
use desk_platform::catalog::{AuthKind, AuthSpec};

pub const DEFAULT_TEMPLATE: &str = "Hello {customer},

the connection \"{connection}\" between your {system} and our service needs your attention since {since}: {what}

What to do:
{steps}
{link}
The connection keeps its identity ({connection_id}) and the data synced so far.

Thank you";

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 8] = [
    "customer",
    "system",
    "connection",
    "connection_id",
    "what",
    "since",
    "steps",
    "link",
];

/// What the template is filled with.
pub struct NoticeFacts<'a> {
    pub alert: &'a Alert,
    pub customer: &'a str,
    pub system: &'a str,
    pub auth: Option<&'a AuthSpec>,
    pub connection: &'a str,
    /// The link line (a magic link and its expiry), or why there is none.
    pub link: String,
}

/// What happened, in the customer's words.
pub fn what(alert: &Alert) -> String {
    let base = match alert.kind {
        AlertKind::ReauthorizationRequired => {
            "the system no longer accepts the credentials we connect with (they expired, were changed or were revoked)"
        }
        AlertKind::Offline => "the system does not answer our requests",
        AlertKind::SyncFailing => "synchronising data keeps failing",
        AlertKind::SystemError => "the system reported an internal error",
        AlertKind::CreditsLow => "the account is running low on credits",
    };
    match &alert.detail {
        Some(detail) if alert.kind != AlertKind::ReauthorizationRequired => {
            format!("{base} ({detail})")
        }
        _ => base.to_owned(),
    }
}

/// Step by step, for the system's kind of sign-in.
pub fn steps(alert: &Alert, system: &str, auth: Option<&AuthSpec>) -> String {
    if alert.kind != AlertKind::ReauthorizationRequired {
        return format!(
            "1. Check that {system} is running and reachable from the internet (or from our \
             connector on your network).\n2. Reply to this message once it is; we check the \
             connection again and confirm."
        );
    }
    let fields = auth
        .map(|auth| {
            auth.fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .filter(|fields| !fields.is_empty())
        .unwrap_or_else(|| "the credentials".to_owned());
    let steps = match auth.map(|auth| auth.kind) {
        Some(AuthKind::Oauth2) => vec![
            "Open the link below.".to_owned(),
            format!("Sign in to {system} with an administrator account."),
            "Approve the access request; the connection resumes by itself.".to_owned(),
        ],
        Some(AuthKind::ApiKey) => vec![
            format!("In {system}, create a new API key for the integration user (the old one no longer works)."),
            format!("Open the link below and enter {fields}."),
        ],
        Some(AuthKind::Basic) => vec![
            format!("Check the integration user in {system}: its password may have expired or been changed, or the user was locked."),
            format!("Open the link below and enter {fields}."),
        ],
        Some(AuthKind::Certificate) => vec![
            format!("Renew the client certificate of the integration in {system}."),
            format!("Open the link below and upload it with {fields}."),
        ],
        None => vec![format!("Open the link below and enter {fields} for {system}.")],
    };
    let mut text = String::new();
    for (n, step) in steps.iter().enumerate() {
        text.push_str(&format!("{}. {step}\n", n + 1));
    }
    text.push_str(&format!(
        "{}. We check the connection live and confirm when it works again.",
        steps.len() + 1
    ));
    text
}

/// Fills `template`; unknown `{names}` stay as written.
pub fn render(template: &str, facts: &NoticeFacts<'_>) -> String {
    let alert = facts.alert;
    let values = [
        ("customer", facts.customer.to_owned()),
        ("system", facts.system.to_owned()),
        ("connection", facts.connection.to_owned()),
        (
            "connection_id",
            alert.connection_id.clone().unwrap_or_default(),
        ),
        ("what", what(alert)),
        (
            "since",
            alert.opened_at.format("%Y-%m-%d %H:%M UTC").to_string(),
        ),
        ("steps", steps(alert, facts.system, facts.auth)),
        ("link", facts.link.clone()),
    ];
    let mut text = template.to_owned();
    for (name, value) in values {
        text = text.replace(&format!("{{{name}}}"), &value);
    }
    text
}

pub fn subject(system: &str, connection: &str) -> String {
    format!("Action needed: reconnect {system} ({connection})")
}

/// `mailto:` with the subject and body percent-encoded (RFC 6068).
pub fn mailto(to: Option<&str>, subject: &str, body: &str) -> String {
    format!(
        "mailto:{}?subject={}&body={}",
        encode(to.unwrap_or_default()),
        encode(subject),
        encode(body)
    )
}

fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                out.push(char::from(byte))
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mailto_encodes_what_would_break_the_link() {
        let link = mailto(Some("it@acme.test"), "a & b", "line 1\nline 2 ?=#");
        assert_eq!(
            link,
            "mailto:it@acme.test?subject=a%20%26%20b&body=line%201%0Aline%202%20%3F%3D%23"
        );
    }
}
