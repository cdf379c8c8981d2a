"""Scale: bounded-memory batches on one machine, and Apache Spark when one machine is not enough.

- :mod:`ascolto_core.scale.batches`: ``analyze_file`` / ``iter_mention_batches`` (local, batch by batch);
- :mod:`ascolto_core.scale.summary`: the daily summary, additive over batches;
- :mod:`ascolto_core.scale.engine_state`: the engine state shipped once to every executor;
- :mod:`ascolto_core.scale.spark`: the same analysis on Spark through Arrow batches (``mapInArrow``);
- ``ascolto_core/scale/submit.py``: the ``spark-submit`` entry point for clusters.

Nothing here imports ``pyspark`` unless the Spark path is used.
"""
