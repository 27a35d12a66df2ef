"""Video batches, the backfill's feature: a date's manifest of rows, each made into a video exactly once.

    manifest.py     find and read a date's manifest (YAML, CSV, JSON Lines) in any ObjectStoragePath folder
    submission.py   submit the rows in chunks through the shared limiter, reusing what an earlier run made
    wiring.py       the tasks after the manifest (submit, collect, one deferred wait), shared by dags/ and bench/
    report.py       every row's result, failures grouped by cause, the run's verdict

The rows are checked by ``checks.manifests`` (ids) and ``checks.scripts`` (each row's script).
"""
