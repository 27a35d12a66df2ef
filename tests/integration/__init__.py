"""Integration tests through a real Airflow (scheduler, triggerer, api-server, dag-processor)."""
