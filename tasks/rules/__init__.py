"""Rules that need no database: task params, labels, attributes, conditions, geometry,
annotations and locks. Plain Python, no Django imports; the API and the workbench both call
them, and tests run them without a database."""
