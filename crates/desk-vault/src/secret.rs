//! The in-memory form of a secret: wiped on drop, redacted in Debug, no Display.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string (client secret, token, credential). Its bytes are zeroed when dropped, and
/// `Debug` prints a placeholder so a stray `{:?}` in a log line cannot leak it. There is
/// deliberately no `Display`: reading the value takes an explicit `expose()`.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(value: String) -> Self {
        SecretString(value)
    }

    /// The plain value. Keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        SecretString(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        SecretString(value.to_owned())
    }
}

impl std::fmt::Debug for SecretString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretString(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_secret() {
        let secret = SecretString::from("hunter2-very-secret");
        let printed = format!("{secret:?} {:?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }

    #[test]
    fn expose_returns_the_value_it_was_made_from() {
        let secret = SecretString::new("abc".to_owned());
        assert_eq!(secret.expose(), "abc");
        assert_eq!(secret.len(), 3);
        assert!(!secret.is_empty());
    }
}
