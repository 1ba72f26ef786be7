"""One error tree for the engine, so callers can catch `SagaError` and read a sentence."""


class SagaError(Exception):
    """Base of every error the engine raises on purpose."""


class InvalidDefinition(SagaError):
    """A saga definition is rejected when it is built, saying what is wrong."""


class InvalidFailureSpec(SagaError):
    """A failure spec does not parse or names an unknown step or kind."""


class InvalidRequest(SagaError):
    """A run was asked for something that does not exist (mode, scenario, seed…)."""


class InvariantViolation(SagaError):
    """A finished run broke a saga invariant: the engine itself is wrong."""


class SagaDidNotTerminate(SagaError):
    """A run exceeded its transition budget."""


class ReplayDivergence(SagaError):
    """Replaying a history produced different events or state than were recorded."""


class HistoryError(SagaError):
    """The history store cannot be read or written as asked."""
