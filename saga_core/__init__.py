"""SagaScope's saga engine: deterministic, durable, and checked against the saga invariants.

Knows nothing of the web. The public API is re-exported here (and pinned by a test).
"""

from .definition import Action, Completion, Move, Saga, Step, StepEvents, Timing
from .errors import (
    HistoryError,
    InvalidDefinition,
    InvalidFailureSpec,
    InvalidRequest,
    InvariantViolation,
    ReplayDivergence,
    SagaDidNotTerminate,
    SagaError,
)
from .events import KINDS, Event, event_schema
from .export import export_run, export_saga
from .failures import FAILURE_KINDS, FailureKind, FailureSpec, parse_failure, parse_failures
from .graph import choreography_graph, flow_payload, orchestration_graph
from .retry import RetryPolicy
from .run import MODES, Run
from .scenarios import InvalidScenarioFile, load_scenario, load_scenario_file, scenario_names
from .store import HistoryStore, MemoryHistory, RunRecord, SQLiteHistory

__all__ = [
    "FAILURE_KINDS",
    "KINDS",
    "MODES",
    "Action",
    "Completion",
    "Event",
    "FailureKind",
    "FailureSpec",
    "HistoryError",
    "HistoryStore",
    "InvalidDefinition",
    "InvalidFailureSpec",
    "InvalidRequest",
    "InvalidScenarioFile",
    "InvariantViolation",
    "MemoryHistory",
    "Move",
    "ReplayDivergence",
    "RetryPolicy",
    "Run",
    "RunRecord",
    "Saga",
    "SagaDidNotTerminate",
    "SagaError",
    "SQLiteHistory",
    "Step",
    "StepEvents",
    "Timing",
    "choreography_graph",
    "event_schema",
    "export_run",
    "export_saga",
    "flow_payload",
    "load_scenario",
    "load_scenario_file",
    "orchestration_graph",
    "parse_failure",
    "parse_failures",
    "scenario_names",
]
