"""The prelabel ledger (docs/assist.md, "The prelabel ledger"): what taskers did with a
model's prelabels, per task, tasker, model version and label.

`compare` is the pure core (no Django; numpy and shapely through tasks/quality's similarity,
so only the worker imports it), `recording` follows a tasker's submit, `job` compares in the
worker, `figures` aggregates, `views` serves the admin's page, JSON and CSV. This package's
`__init__` imports none of them.
"""
