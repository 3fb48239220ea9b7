//! The agent the client sends through: `ureq`'s own connector and resolver, wrapped so
//! that a failure before anything was sent is marked as such, and the retry rules can tell
//! a request that never left from one that may have reached the server.

use ureq::http;

/// The mark on a failure that came before any byte of the request was written: name
/// resolution, connecting (a proxy's `CONNECT` included) or the TLS handshake. The
/// client's own agent puts it there (see [`agent`]); [`unmark`] takes it off again, so
/// callers see `ureq`'s error as it was.
#[derive(Debug)]
struct BeforeSending(ureq::Error);

impl std::fmt::Display for BeforeSending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BeforeSending {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

pub(crate) fn mark(error: ureq::Error) -> ureq::Error {
    ureq::Error::Io(std::io::Error::other(BeforeSending(error)))
}

/// `ureq`'s error without the mark, and whether it carried one.
pub(crate) fn unmark(error: ureq::Error) -> (ureq::Error, bool) {
    match error {
        ureq::Error::Io(io) if io.get_ref().is_some_and(|e| e.is::<BeforeSending>()) => {
            match io.into_inner().map(|e| e.downcast::<BeforeSending>()) {
                Some(Ok(marked)) => (marked.0, true),
                // Not reached: the check above saw the mark.
                Some(Err(other)) => (ureq::Error::Io(std::io::Error::other(other)), false),
                None => (ureq::Error::ConnectionFailed, true),
            }
        }
        other => (other, false),
    }
}

/// Connects as `ureq` does by default (proxy, TCP, TLS), marking any failure.
#[derive(Debug, Default)]
struct MarkingConnector(ureq::unversioned::transport::DefaultConnector);

impl ureq::unversioned::transport::Connector for MarkingConnector {
    type Out = Box<dyn ureq::unversioned::transport::Transport>;

    fn connect(
        &self,
        details: &ureq::unversioned::transport::ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        self.0.connect(details, chained).map_err(mark)
    }
}

/// Resolves as `R` does, marking any failure.
#[derive(Debug, Default)]
pub(crate) struct MarkingResolver<R>(pub(crate) R);

impl<R: ureq::unversioned::resolver::Resolver> ureq::unversioned::resolver::Resolver
    for MarkingResolver<R>
{
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: ureq::unversioned::transport::NextTimeout,
    ) -> Result<ureq::unversioned::resolver::ResolvedSocketAddrs, ureq::Error> {
        self.0.resolve(uri, config, timeout).map_err(mark)
    }

    fn empty(&self) -> ureq::unversioned::resolver::ResolvedSocketAddrs {
        self.0.empty()
    }
}

/// An agent as `config` describes, with `ureq`'s own connector and `resolver`, whose
/// failures before sending are marked, so that the retry rules can tell a request that
/// never left from one that may have reached the server.
pub(crate) fn agent_with(
    config: ureq::config::Config,
    resolver: impl ureq::unversioned::resolver::Resolver,
) -> ureq::Agent {
    ureq::Agent::with_parts(
        config,
        MarkingConnector::default(),
        MarkingResolver(resolver),
    )
}

/// [`agent_with`] `ureq`'s default resolver (the operating system's).
pub(crate) fn agent(config: ureq::config::Config) -> ureq::Agent {
    agent_with(
        config,
        ureq::unversioned::resolver::DefaultResolver::default(),
    )
}
