"""Every event a test produces can be checked against the schema that ships with the engine."""

from __future__ import annotations

from functools import cache

import jsonschema

from saga_core import event_schema


@cache
def validator() -> jsonschema.protocols.Validator:
    """The schema's validator, the schema itself checked against its metaschema once."""
    schema = event_schema()
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def assert_schema_valid(events) -> None:
    """Each event, as the wire format, satisfies saga_core/event.schema.json."""
    check = validator()
    for event in events:
        data = event if isinstance(event, dict) else event.to_dict()
        errors = sorted(check.iter_errors(data), key=str)
        assert not errors, f"event {data} breaks the schema: {errors[0].message}"
