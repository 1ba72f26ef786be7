"""Write tests/js/traces.json: real runs of the engine, in the wire format the page receives.

The front-end unit tests (`node --test tests/js/`) fold, lay out and count these events, so they
test the page against what the server really sends. Each run is the event dicts `Event.to_dict()`
gives (the same as `sagascope trace --json` and `/api/trace`), and the catalog beside them is the
page's `/api/scenarios` payload, cut to the scenarios the runs use. tests/test_wire_contract.py
fails when the committed file is not what the engine writes now. Regenerate with:

    .venv/bin/python tests/js/write_traces.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from saga_core import Run, load_scenario
from webapp.catalog import catalog

TRACES_PATH = Path(__file__).with_name("traces.json")
REGENERATE = ".venv/bin/python tests/js/write_traces.py"

# (name, scenario, mode, failures, seed): every mode, every failure kind at least once, two sagas.
RUNS: tuple[tuple[str, str, str, tuple[str, ...], int], ...] = (
    ("orchestration-payment-fails", "checkout", "orchestration", ("payment",), 1),
    ("orchestration-retry-and-crash", "checkout", "orchestration",
     ("payment:transient", "payment:crash"), 1),
    ("orchestration-timeout-lost-and-repeated-replies", "checkout", "orchestration",
     ("inventory:timeout:2", "order:drop", "shipping:duplicate"), 1),
    ("choreography-inventory-fails", "checkout", "choreography",
     ("order:drop", "payment:compensate", "payment:duplicate", "inventory"), 1),
    ("choreography-consumer-crash-and-timeout", "checkout", "choreography",
     ("payment:crash", "shipping:timeout"), 1),
    ("hybrid-completes", "checkout", "hybrid", (), 1),
    ("hybrid-shipping-fails", "checkout", "hybrid",
     ("payment:crash", "order:drop", "payment:duplicate", "order:compensate", "shipping"), 1),
    ("travel-choreography-hotel-fails", "travel", "choreography",
     ("flight:transient:2", "hotel"), 1),
    ("travel-orchestration-car-fails", "travel", "orchestration", ("car",), 2),
)


def run_trace(name: str, scenario: str, mode: str, failures: tuple[str, ...], seed: int) -> dict:
    """One run to its end, with its inputs beside its events."""
    run = Run(load_scenario(scenario), mode, seed=seed, failures=failures, scenario=scenario)
    run.run_to_end()
    return {
        "name": name, "scenario": scenario, "mode": mode, "failures": list(failures),
        "seed": seed, "outcome": run.outcome, "events": [e.to_dict() for e in run.events],
    }


def page_catalog(scenarios: set[str]) -> dict[str, Any]:
    """The page's catalog with only the scenarios the runs use."""
    full = catalog()
    return {**full, "scenarios": [s for s in full["scenarios"] if s["name"] in scenarios]}


def render() -> str:
    """The file's text: one event per line, so a change in the engine reads as a small diff."""
    traces = [run_trace(*spec) for spec in RUNS]
    dump = lambda value: json.dumps(value, ensure_ascii=False, separators=(",", ":"))  # noqa: E731
    parts = ['{"about":' + dump(f"Written by tests/js/write_traces.py; regenerate: {REGENERATE}")]
    parts.append(',\n"catalog":' + dump(page_catalog({spec[1] for spec in RUNS})))
    parts.append(',\n"traces":[')
    for i, trace in enumerate(traces):
        head = dump({k: v for k, v in trace.items() if k != "events"})[:-1]
        events = ",\n".join(dump(e) for e in trace["events"])
        parts.append(f'{"," if i else ""}\n{head},"events":[\n{events}]}}')
    parts.append("\n]}\n")
    return "".join(parts)


def main() -> int:
    text = render()
    TRACES_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {TRACES_PATH} ({len(RUNS)} runs, {len(text.encode()) // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
