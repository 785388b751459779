//! The key catalog, as hover and completion need it: one small interface
//! over the core's catalog of `deployment.toml` keys.

/// Markdown describing a key (`apim.gateway.environment[].name`), if the
/// catalog knows it.
pub fn describe(_path: &str) -> Option<String> {
    None
}

/// The keys a table (`server`, `apim.gateway.environment[]`) may hold:
/// `(key, short description)`.
pub fn keys_of(_table: &str) -> Vec<(String, Option<String>)> {
    Vec::new()
}
