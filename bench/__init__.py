"""`make bench`: the performance figures of issue 8, measured against a real server process.

Run it with `make bench` (or `.venv/bin/python -m bench --help` for the options). See
bench/README.md for what each figure measures and the latest table.
"""
