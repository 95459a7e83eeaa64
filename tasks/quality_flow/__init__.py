"""The quality loop's flow: stages, queues, replicas, gold and training, metrics
(docs/quality.md). The scoring core it uses is `tasks.quality`."""
