use chrono::Duration;

/// How an engine instance behaves; the defaults are the platform's.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The admin client allowed to ask for tokens.
    pub admin_client_id: String,
    /// `None`: keep the stored secret, or generate one on first start (reported once).
    pub admin_client_secret: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    /// `credits.low` is emitted when `available` falls below this.
    pub credits_low_threshold: i64,
    pub account_name: String,
    pub region: String,
    /// First retry delay of a failed webhook delivery; it doubles per attempt.
    pub webhook_retry_base: std::time::Duration,
    /// A delivery still failing this long after its first attempt is marked failed.
    pub webhook_max_age: Duration,
    /// A receiver that has not answered by then counts as failed.
    pub webhook_timeout: std::time::Duration,
    /// Applied once, when the store is created empty.
    pub seed: Option<crate::seed::Seed>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            admin_client_id: "mdesk-local".to_owned(),
            admin_client_secret: None,
            access_token_ttl: Duration::hours(1),
            refresh_token_ttl: Duration::days(31),
            credits_low_threshold: 5,
            account_name: "Local engine".to_owned(),
            region: "local".to_owned(),
            seed: None,
            webhook_retry_base: std::time::Duration::from_secs(30),
            webhook_max_age: Duration::hours(24),
            webhook_timeout: std::time::Duration::from_secs(10),
        }
    }
}
