//! Which platform URLs the client accepts: https anywhere, plain http only on this machine.

use crate::error::ClientError;
use reqwest::Url;

/// Parses and checks a profile's base URL. Plain `http://` would send the admin secret and every
/// token in clear text, so it is refused unless the host is a loopback address (127.0.0.0/8,
/// ::1, localhost), where the local engine runs.
pub fn parse_base_url(text: &str) -> Result<Url, ClientError> {
    let invalid = |reason: String| ClientError::InvalidUrl {
        url: text.to_owned(),
        reason,
    };
    let url = Url::parse(text.trim()).map_err(|err| invalid(err.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        // Credentials in a URL end up in logs and error messages.
        return Err(invalid(
            "the URL must not carry a user name or password; use the client id and secret"
                .to_owned(),
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "the base URL must not have a query or fragment".to_owned(),
        ));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(format!(
                "plain http:// is allowed only for loopback hosts (127.0.0.0/8, ::1, localhost); \
                 use https:// for {}",
                url.host_str().unwrap_or("this host")
            )))
        }
        other => {
            return Err(invalid(format!(
                "unsupported scheme {other:?}; use https://"
            )))
        }
    }
    if url.host().is_none() {
        return Err(invalid("the URL has no host".to_owned()));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else {
        return false;
    };
    // IPv6 hosts come bracketed, as they are written in URLs.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_may_use_plain_http() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://127.9.9.9",
            "http://[::1]:1",
            "http://localhost:3000/base",
            "https://api.example.com",
        ] {
            assert!(parse_base_url(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn other_hosts_need_https_and_the_error_says_so() {
        for bad in [
            "http://api.example.com",
            "http://10.0.0.1",
            "http://128.0.0.1",
            "http://[::2]",
            "http://localhost.example.com",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_URL");
            assert!(err.to_string().contains("loopback"), "{err}");
        }
        assert!(parse_base_url("ftp://127.0.0.1").is_err());
        assert!(parse_base_url("https://user:pw@api.example.com").is_err());
        assert!(parse_base_url("not a url").is_err());
    }
}
