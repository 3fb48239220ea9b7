//! Helpers for the console tests: a sentinel that proves no (further) request was sent.
#![allow(dead_code)]

/// Mocks that match any request of any method and expect none.
pub struct NothingSent(Vec<mockito::Mock>);

/// Installs the sentinel. Mocks made before it keep priority while they still expect hits;
/// any request beyond them lands here and fails [`NothingSent::assert`].
pub fn nothing_sent(server: &mut mockito::ServerGuard) -> NothingSent {
    NothingSent(
        ["GET", "POST", "PUT", "PATCH", "DELETE"]
            .into_iter()
            .map(|method| {
                server
                    .mock(method, mockito::Matcher::Any)
                    .with_status(599)
                    .expect(0)
                    .create()
            })
            .collect(),
    )
}

impl NothingSent {
    /// Asserts that no request reached the sentinel.
    pub fn assert(&self) {
        for mock in &self.0 {
            assert!(
                mock.matched(),
                "a request was sent that should not have been"
            );
            mock.assert();
        }
    }
}

/// Unwraps an `InvalidInput` error into its field, failing on anything else.
pub fn invalid_field<T: std::fmt::Debug>(result: Result<T, accessgrid::Error>) -> String {
    match result {
        Err(accessgrid::Error::InvalidInput { field, .. }) => field,
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}
