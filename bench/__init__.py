"""`make bench`: the performance figures (bench/README.md, docs/performance.md), measured
against a real server process.

Run it with `make bench` (or `.venv/bin/python -m bench --help` for the options). See
bench/README.md for what each figure measures and the latest table.
"""
