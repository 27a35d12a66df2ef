"""The Airflow plugins of this provider (``metastudio_plugin.py``), loaded by the plugins folder's
``metastudio_plugins.py``."""
