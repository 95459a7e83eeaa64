"""Consensus and gold scoring: pure functions over responses in Scale's format (docs/quality.md).

Nothing here touches the database. The modules import numpy, scipy and shapely at their top,
so this package itself imports none of them: the web server loads them only when a merge or a
score is asked for (the server's memory is measured, docs/quality.md).
"""
