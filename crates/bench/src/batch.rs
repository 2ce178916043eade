//! A [`Store`] that groups many use cases into one SQLite transaction, for bulk loading.
//!
//! The engine opens one write transaction per use case and commits it; committing (an fsync in
//! WAL mode) is most of the cost of a small write. [`BatchStore`] hands every use case the same
//! underlying transaction and makes their commits no-ops; [`BatchStore::flush`] commits for real.
//! Everything else (validation, ids, subjects, the admin request behind each assignment,
//! indexes) is the engine's and the API's own code, so the rows are exactly what the API writes.
//!
//! The loader is sequential: one use case at a time. A use case that fails leaves what it wrote
//! in the batch (there is no per-use-case rollback), so the loader stops at the first error.

use std::sync::Arc;

use accessd_domain::query::{Expr, Query, Value};
use accessd_domain::store::{Kind, Link, Row, Store, StoreResult, Tx};
use async_trait::async_trait;
use tokio::sync::Mutex;

type Shared = Arc<Mutex<Option<Box<dyn Tx>>>>;

pub struct BatchStore {
    inner: Arc<dyn Store>,
    cur: Shared,
}

impl BatchStore {
    pub fn new(inner: Arc<dyn Store>) -> BatchStore {
        BatchStore {
            inner,
            cur: Arc::new(Mutex::new(None)),
        }
    }

    /// Commits what the batch holds (if anything).
    pub async fn flush(&self) -> StoreResult<()> {
        let tx = self.cur.lock().await.take();
        if let Some(tx) = tx {
            tx.commit().await?;
        }
        Ok(())
    }

    async fn handle(&self) -> StoreResult<Box<dyn Tx>> {
        let mut g = self.cur.lock().await;
        if g.is_none() {
            *g = Some(self.inner.write().await?);
        }
        Ok(Box::new(Proxy(self.cur.clone())))
    }
}

#[async_trait]
impl Store for BatchStore {
    async fn read(&self) -> StoreResult<Box<dyn Tx>> {
        // Reads must see what the batch wrote and has not committed yet.
        self.handle().await
    }
    async fn write(&self) -> StoreResult<Box<dyn Tx>> {
        self.handle().await
    }
    fn backend(&self) -> &'static str {
        self.inner.backend()
    }
}

struct Proxy(Shared);

macro_rules! fwd {
    ($self:ident, $m:ident ( $($a:expr),* )) => {{
        let mut g = $self.0.lock().await;
        match g.as_mut() {
            Some(tx) => tx.$m($($a),*).await,
            None => Err(accessd_domain::StoreError::Other("batch already flushed".into())),
        }
    }};
}

#[async_trait]
impl Tx for Proxy {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>> {
        fwd!(self, get(kind, id))
    }
    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>> {
        fwd!(self, get_many(kind, ids))
    }
    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>> {
        fwd!(self, query(kind, query))
    }
    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64> {
        fwd!(self, count(kind, filter))
    }
    async fn insert(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
    ) -> StoreResult<()> {
        fwd!(self, insert(kind, id, index, data))
    }
    async fn update(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<i64> {
        fwd!(self, update(kind, id, index, data, expected_version))
    }
    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        fwd!(self, delete(kind, id))
    }
    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        fwd!(self, link(link, from, to))
    }
    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        fwd!(self, unlink(link, from, to))
    }
    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>> {
        fwd!(self, linked(link, from))
    }
    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>> {
        fwd!(self, linked_to(link, to))
    }
    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64> {
        fwd!(self, unlink_all(link, id))
    }
    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>> {
        fwd!(self, meta_get(key))
    }
    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()> {
        fwd!(self, meta_put(key, value))
    }
    async fn meta_all(&mut self) -> StoreResult<Vec<(String, String)>> {
        fwd!(self, meta_all())
    }
    async fn links_page(
        &mut self,
        link: Link,
        after: Option<(&str, &str)>,
        limit: u64,
    ) -> StoreResult<Vec<(String, String)>> {
        fwd!(self, links_page(link, after, limit))
    }
    /// A no-op: the batch commits in [`BatchStore::flush`].
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        Ok(())
    }
}
