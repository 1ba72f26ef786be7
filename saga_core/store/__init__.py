"""History stores: the `HistoryStore` interface and its declared capabilities (`base`), a store
in this process's memory (`memory`) and one in a SQLite file (`sqlite`, laid out by `schema`)."""

from .base import HistoryStore, RunRecord, Transition
from .memory import MemoryHistory
from .sqlite import RunSummary, SQLiteHistory

__all__ = ["HistoryStore", "MemoryHistory", "RunRecord", "RunSummary", "SQLiteHistory",
           "Transition"]
