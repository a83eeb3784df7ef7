//! Opaque ids with a type prefix, so a pasted id says what it is (`cus_`, `conn_`, ...).

/// Prefixes of every id kind the platform hands out.
pub mod prefix {
    pub const ACCOUNT: &str = "acct_";
    pub const CUSTOMER: &str = "cus_";
    pub const CONNECTION: &str = "conn_";
    pub const EVENT: &str = "evt_";
    pub const SYNC: &str = "sync_";
    pub const LEDGER_ENTRY: &str = "led_";
    pub const MAGIC_LINK: &str = "ml_";
    pub const REQUEST: &str = "req_";
    pub const DELIVERY: &str = "dlv_";
    /// Connection token (Bearer on data routes).
    pub const CONNECTION_TOKEN: &str = "ct_";
    /// Admin access token.
    pub const ACCESS_TOKEN: &str = "at_";
    /// Admin refresh token.
    pub const REFRESH_TOKEN: &str = "rt_";
    /// Webhook signing secret, Standard Webhooks style.
    pub const WEBHOOK_SECRET: &str = "whsec_";
}

/// True when `id` has `prefix` and a non-empty body of URL-safe characters.
pub fn has_prefix(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|body| {
        !body.is_empty()
            && body.len() <= 64
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_ids_are_recognised_and_foreign_ones_are_not() {
        assert!(has_prefix("cus_abc123", prefix::CUSTOMER));
        assert!(!has_prefix("cus_", prefix::CUSTOMER));
        assert!(!has_prefix("conn_abc", prefix::CUSTOMER));
        assert!(!has_prefix("cus_a/b", prefix::CUSTOMER));
    }
}
