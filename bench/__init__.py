"""SagaScope's benchmarks: each subject measured next to its baseline in the same run.

`sagascope bench` (or `python -m bench`) runs every section and prints a table, or one JSON
object with `--json`. A figure that cannot be measured on this machine (a peer not installed, a
subject not built) is `null` with a `<name>_reason` beside it, never a made-up number.
"""
