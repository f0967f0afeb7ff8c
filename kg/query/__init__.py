"""Queries over the claim store: who claimed what, when, where."""

from kg.query.claims import ClaimRow, find_claims

__all__ = ["ClaimRow", "find_claims"]
