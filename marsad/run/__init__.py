"""Drivers that run the pure pipeline at scale (the edge, like the CLI).

``local``  ``--workers N``: N processes on this machine, results in input order.
``dask``   ``--engine dask``: Dask workers over input shards -> Parquet shards.

Nothing here is imported by the pipeline or by ``marsad --help``.
"""
