# The Airflow image of docker-compose.yaml: the official image plus this provider, its Celery extra
# (PostgreSQL drivers, a Celery the Celery provider supports) and the emulator, installed once into the
# image under the project's constraints (the pins `make venv` uses). The plugins folder gets only the
# plugin file (the LocalCronTimetable); the provider package itself is imported from site-packages.
FROM apache/airflow:3.3.2-python3.11
COPY --chown=airflow:root pyproject.toml README.md constraints.txt /opt/metastudio/
COPY --chown=airflow:root plugins/metastudio_provider /opt/metastudio/plugins/metastudio_provider
COPY --chown=airflow:root plugins/metastudio_emulator /opt/metastudio/plugins/metastudio_emulator
COPY --chown=airflow:root plugins/metastudio_plugins.py /opt/airflow/plugins/
RUN pip install --no-cache-dir -c /opt/metastudio/constraints.txt "apache-airflow==3.3.2" "/opt/metastudio[celery,emulator]"
