"""Airflow listeners of this provider, registered by ``metastudio_provider.plugins.metastudio_plugin``."""
