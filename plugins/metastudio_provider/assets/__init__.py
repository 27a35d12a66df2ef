"""Airflow Assets of MetaStudio videos (``videos.py``: URI scheme, alias) and their lineage (``lineage.py``)."""
