//! A write transaction that tells the authorization cache when it commits (see
//! `authz::Cache`): every row primitive goes to the store's own transaction unchanged.

use std::sync::Arc;

use accessd_domain::query::{Expr, Query, Value};
use accessd_domain::store::{Kind, Link, Row, SnapshotInfo, StoreResult, Tx};
use async_trait::async_trait;

use crate::authz::{Cache, SHARED_EPOCH};

pub(crate) struct EpochTx {
    pub inner: Box<dyn Tx>,
    pub cache: Arc<Cache>,
}

#[async_trait]
impl Tx for EpochTx {
    async fn get(&mut self, kind: Kind, id: &str) -> StoreResult<Option<Row>> {
        self.inner.get(kind, id).await
    }
    async fn get_many(&mut self, kind: Kind, ids: &[String]) -> StoreResult<Vec<Row>> {
        self.inner.get_many(kind, ids).await
    }
    async fn query(&mut self, kind: Kind, query: &Query) -> StoreResult<Vec<Row>> {
        self.inner.query(kind, query).await
    }
    async fn count(&mut self, kind: Kind, filter: Option<&Expr>) -> StoreResult<u64> {
        self.inner.count(kind, filter).await
    }
    async fn insert(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
    ) -> StoreResult<()> {
        self.inner.insert(kind, id, index, data).await
    }
    async fn update(
        &mut self,
        kind: Kind,
        id: &str,
        index: &[Value],
        data: &str,
        expected_version: Option<i64>,
    ) -> StoreResult<i64> {
        self.inner
            .update(kind, id, index, data, expected_version)
            .await
    }
    async fn delete(&mut self, kind: Kind, id: &str) -> StoreResult<bool> {
        self.inner.delete(kind, id).await
    }
    async fn link(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        self.inner.link(link, from, to).await
    }
    async fn unlink(&mut self, link: Link, from: &str, to: &str) -> StoreResult<bool> {
        self.inner.unlink(link, from, to).await
    }
    async fn linked(&mut self, link: Link, from: &str) -> StoreResult<Vec<String>> {
        self.inner.linked(link, from).await
    }
    async fn linked_to(&mut self, link: Link, to: &str) -> StoreResult<Vec<String>> {
        self.inner.linked_to(link, to).await
    }
    async fn unlink_all(&mut self, link: Link, id: &str) -> StoreResult<u64> {
        self.inner.unlink_all(link, id).await
    }
    async fn meta_get(&mut self, key: &str) -> StoreResult<Option<String>> {
        self.inner.meta_get(key).await
    }
    async fn meta_all(&mut self) -> StoreResult<Vec<(String, String)>> {
        self.inner.meta_all().await
    }
    async fn links_page(
        &mut self,
        link: Link,
        after: Option<(&str, &str)>,
        limit: u64,
    ) -> StoreResult<Vec<(String, String)>> {
        self.inner.links_page(link, after, limit).await
    }
    async fn snapshot_save(&mut self, name: &str, created: &str) -> StoreResult<u64> {
        self.inner.snapshot_save(name, created).await
    }
    async fn snapshot_restore(&mut self, name: &str) -> StoreResult<Option<SnapshotInfo>> {
        self.inner.snapshot_restore(name).await
    }
    async fn snapshot_list(&mut self) -> StoreResult<Vec<SnapshotInfo>> {
        self.inner.snapshot_list().await
    }
    async fn snapshot_delete(&mut self, name: &str) -> StoreResult<bool> {
        self.inner.snapshot_delete(name).await
    }
    async fn clear_tenant(&mut self) -> StoreResult<()> {
        self.inner.clear_tenant().await
    }
    async fn meta_put(&mut self, key: &str, value: &str) -> StoreResult<()> {
        self.inner.meta_put(key, value).await
    }
    async fn commit(self: Box<Self>) -> StoreResult<()> {
        let EpochTx { mut inner, cache } = *self;
        // Several instances: the write moves the shared epoch too, so that the others drop
        // what they cached (within `authz::SHARED_EPOCH_CHECK`).
        let mut moved = None;
        if cache.is_shared() {
            // Only a change is looked for, so a fresh value will do: one statement, no read.
            let next = accessd_domain::new_id();
            inner.meta_put(SHARED_EPOCH, &next).await?;
            moved = Some(next);
        }
        let r = inner.commit().await;
        cache.invalidate();
        if let (Ok(()), Some(v)) = (&r, moved) {
            cache.wrote_shared(v);
        }
        r
    }
}
