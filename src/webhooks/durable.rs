//! The ids of handled webhook events, kept in a redb database file (cargo feature
//! `durable`).

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition};

/// id -> when it was first seen (milliseconds since the epoch).
const SEEN: TableDefinition<&str, u64> = TableDefinition::new("seen_ids");
/// (when first seen, id): the same ids, oldest first.
const ORDER: TableDefinition<(u64, &str), ()> = TableDefinition::new("seen_order");
/// Figures: `bytes` (what the remembered ids count against the bound), `last_seen`.
const META: TableDefinition<&str, u64> = TableDefinition::new("seen_meta");

/// Remembers which webhook events were handled, in a database file that survives restarts
/// and crashes: the provider's guide asks receivers to keep seen ids for at least 7 days,
/// and AccessGrid delivers an event again for up to 6 hours.
///
/// The file is a [redb](https://docs.rs/redb) database: every change is one transaction,
/// committed to disk (fsync) before [`first_time`](DurableSeenStore::first_time) answers,
/// so a crash in the middle of a write leaves the state of the last commit, never a torn
/// file. Ids are kept for [`ttl`](DurableSeenStore::ttl) (7 days unless set) and in at
/// most [`max_bytes`](DurableSeenStore::max_bytes) (16 MiB unless set; each id counts its
/// length twice plus [`ENTRY_OVERHEAD`](DurableSeenStore::ENTRY_OVERHEAD)): past the bound
/// the oldest are forgotten first. It is a [`SeenStore`](super::SeenStore) for the
/// [`Receiver`](super::Receiver) (with the feature `webhook-receiver`).
///
/// ```
/// # fn main() -> std::io::Result<()> {
/// use accessgrid::webhooks::DurableSeenStore;
///
/// let dir = std::env::temp_dir().join(format!("seen-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let path = dir.join("seen.redb");
/// {
///     let seen = DurableSeenStore::open(&path)?;
///     assert!(seen.first_time("evt_1")?);
///     assert!(!seen.first_time("evt_1")?);
/// }
/// // After a restart the id is still known.
/// let seen = DurableSeenStore::open(&path)?;
/// assert!(!seen.first_time("evt_1")?);
/// assert!(seen.last_seen()?.is_some());
/// # drop(seen);
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok(()) }
/// ```
pub struct DurableSeenStore {
    db: Database,
    path: PathBuf,
    ttl: Duration,
    max_bytes: u64,
}

fn db_error(e: impl Into<redb::Error>) -> io::Error {
    match e.into() {
        redb::Error::Io(e) => e,
        other => io::Error::other(other.to_string()),
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl DurableSeenStore {
    /// What each remembered id counts against [`max_bytes`](DurableSeenStore::max_bytes)
    /// besides twice its length (it is kept in two tables).
    pub const ENTRY_OVERHEAD: u64 = 64;

    /// Opens the database at `path`, creating it if it does not exist; ids are kept for 7
    /// days in at most 16 MiB. Fails if another process has it open.
    pub fn open(path: impl AsRef<Path>) -> io::Result<DurableSeenStore> {
        let path = path.as_ref().to_path_buf();
        let db = Database::create(&path).map_err(db_error)?;
        // Make the tables, so that reads find them.
        let tx = db.begin_write().map_err(db_error)?;
        tx.open_table(SEEN).map_err(db_error)?;
        tx.open_table(ORDER).map_err(db_error)?;
        tx.open_table(META).map_err(db_error)?;
        tx.commit().map_err(db_error)?;
        Ok(DurableSeenStore {
            db,
            path,
            ttl: Duration::from_secs(7 * 24 * 60 * 60),
            max_bytes: 16 * 1024 * 1024,
        })
    }

    /// How long an id is remembered after it was first seen (default 7 days, what the
    /// provider's guide asks for at least).
    #[must_use]
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// The most bytes the remembered ids may count (default 16 MiB); the oldest are
    /// forgotten first.
    #[must_use]
    pub fn max_bytes(mut self, bytes: u64) -> Self {
        self.max_bytes = bytes;
        self
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cost(id: &str) -> u64 {
        (id.len() as u64)
            .saturating_mul(2)
            .saturating_add(Self::ENTRY_OVERHEAD)
    }

    /// Whether `id` is seen for the first time (within the ttl): `true` the first time,
    /// and records it (committed to disk before answering); `false` for a repeat.
    pub fn first_time(&self, id: &str) -> io::Result<bool> {
        self.first_time_at(id, SystemTime::now())
    }

    /// [`first_time`](DurableSeenStore::first_time) at a given time (for tests).
    pub fn first_time_at(&self, id: &str, now: SystemTime) -> io::Result<bool> {
        self.first_time_inner(id, millis(now)).map_err(db_error)
    }

    // redb's error is large, but lives only until it is turned into an `io::Error`.
    #[allow(clippy::result_large_err)]
    fn first_time_inner(&self, id: &str, now: u64) -> Result<bool, redb::Error> {
        let ttl = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let cost = Self::cost(id);
        let tx = self.db.begin_write()?;
        let fresh = {
            let mut seen = tx.open_table(SEEN)?;
            let mut order = tx.open_table(ORDER)?;
            let mut meta = tx.open_table(META)?;
            let mut bytes = meta.get("bytes")?.map_or(0, |v| v.value());
            // Forget what expired, oldest first.
            loop {
                let oldest = order.first()?.map(|(k, _)| {
                    let (at, old) = k.value();
                    (at, old.to_owned())
                });
                match oldest {
                    Some((at, old)) if at.saturating_add(ttl) <= now => {
                        order.remove((at, old.as_str()))?;
                        seen.remove(old.as_str())?;
                        bytes = bytes.saturating_sub(Self::cost(&old));
                    }
                    _ => break,
                }
            }
            let known = seen.get(id)?.map(|v| v.value());
            let fresh = match known {
                Some(_) => false,
                None if cost > self.max_bytes => true, // too long to remember at all
                None => {
                    while bytes.saturating_add(cost) > self.max_bytes {
                        let Some((k, _)) = order.pop_first()? else {
                            break;
                        };
                        let (_, old) = k.value();
                        seen.remove(old)?;
                        bytes = bytes.saturating_sub(Self::cost(old));
                    }
                    seen.insert(id, now)?;
                    order.insert((now, id), ())?;
                    bytes = bytes.saturating_add(cost);
                    meta.insert("last_seen", now)?;
                    true
                }
            };
            meta.insert("bytes", bytes)?;
            fresh
        };
        tx.commit()?;
        Ok(fresh)
    }

    /// Forgets `id`, so that its next delivery counts as the first (after its handling
    /// failed). Answers whether it was remembered.
    pub fn forget(&self, id: &str) -> io::Result<bool> {
        #[allow(clippy::result_large_err)]
        let run = || -> Result<bool, redb::Error> {
            let tx = self.db.begin_write()?;
            let known = {
                let mut seen = tx.open_table(SEEN)?;
                let mut order = tx.open_table(ORDER)?;
                let mut meta = tx.open_table(META)?;
                let at = seen.remove(id)?.map(|v| v.value());
                if let Some(at) = at {
                    order.remove((at, id))?;
                    let bytes = meta.get("bytes")?.map_or(0, |v| v.value());
                    meta.insert("bytes", bytes.saturating_sub(Self::cost(id)))?;
                }
                at.is_some()
            };
            tx.commit()?;
            Ok(known)
        };
        run().map_err(db_error)
    }

    /// How many ids are remembered (expired ones included until the next write).
    pub fn len(&self) -> io::Result<u64> {
        let tx = self.db.begin_read().map_err(db_error)?;
        let seen = tx.open_table(SEEN).map_err(db_error)?;
        seen.len().map_err(db_error)
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// What the remembered ids count against the bound, in bytes.
    pub fn bytes(&self) -> io::Result<u64> {
        self.meta("bytes").map(|v| v.unwrap_or(0))
    }

    /// When the newest event was first seen: where a catch-up after downtime starts
    /// (the template event log from then on, and a fresh snapshot).
    pub fn last_seen(&self) -> io::Result<Option<SystemTime>> {
        Ok(self
            .meta("last_seen")?
            .map(|ms| UNIX_EPOCH + Duration::from_millis(ms)))
    }

    fn meta(&self, key: &str) -> io::Result<Option<u64>> {
        let tx = self.db.begin_read().map_err(db_error)?;
        let meta = tx.open_table(META).map_err(db_error)?;
        let value = meta.get(key).map_err(db_error)?.map(|v| v.value());
        Ok(value)
    }
}

debug_fields!(DurableSeenStore, |s| {
    path,
    ttl,
    max_bytes,
    ..
});

#[cfg(feature = "webhook-receiver")]
impl super::SeenStore for DurableSeenStore {
    fn first_time(&self, id: &str) -> io::Result<bool> {
        DurableSeenStore::first_time(self, id)
    }

    fn forget(&self, id: &str) -> io::Result<()> {
        DurableSeenStore::forget(self, id).map(|_| ())
    }
}
