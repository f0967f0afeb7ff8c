"""The embedded on-disk claim store (pyoxigraph / RocksDB)."""

from kg.store.oxigraph_store import ClaimStore, QueryError, ServiceError, StoreError, StoreLockedError, to_python

__all__ = ["ClaimStore", "QueryError", "ServiceError", "StoreError", "StoreLockedError", "to_python"]
