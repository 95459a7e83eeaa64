"""Segmentation tasks' masks: codecs and storage (masks), the hypothesis mask the worker
fetches, the draft's operations, the page's block and the response files
(docs/segmentation.md)."""
