# The Airflow image of docker-compose.yaml: the official image plus this provider and its emulator.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root pyproject.toml README.md /opt/metastudio/
COPY --chown=airflow:root plugins /opt/metastudio/plugins
RUN pip install --no-cache-dir "apache-airflow==3.3.2" "apache-airflow-providers-celery" "/opt/metastudio"
