//! groups through the API.

use super::*;

pub fn router() -> Router<AppState> {
    Router::new()
}

/// The groups paths, merged into the API document.
#[derive(OpenApi)]
#[openapi()]
pub struct Doc;
