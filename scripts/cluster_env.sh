# shellcheck shell=bash
# Source me: the environment of the Celery cluster that `make cluster` starts (scripts/cluster_start.sh).
#
#   source scripts/cluster_env.sh            # then: airflow dags list, airflow celery ..., airflow backfill create ...
#
# Layers, each overridable by exporting a variable before sourcing:
#   1. scripts/cluster.env: the deployment's settings, shared with docker-compose.yaml (executor, heartbeat
#      timeout, worker concurrency, Redis database numbers, ports, region);
#   2. this machine's PostgreSQL and Redis:
#        METASTUDIO_CLUSTER_DB     postgresql://postgres@127.0.0.1:5432/metastudio_airflow  (created if missing)
#        METASTUDIO_CLUSTER_REDIS  redis://127.0.0.1:6379   (broker: db METASTUDIO_REDIS_BROKER_DB; limiter: db
#                                                            METASTUDIO_REDIS_LIMITER_DB)
#      and AIRFLOW_HOME=.run/cluster (apart from `make demo`'s SQLite home);
#   3. scripts/airflow_env.sh for everything else (auth, ports, paths).
# The MetaStudio connection is not here: cluster_start.sh stores metastudio_default in Airflow's database.

_cluster_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

while IFS= read -r _cluster_line || [ -n "$_cluster_line" ]; do
  if [[ "$_cluster_line" =~ ^([A-Z][A-Z0-9_]*)=(.*)$ ]] && [[ ! -v ${BASH_REMATCH[1]} ]]; then
    export "${BASH_REMATCH[1]}=${BASH_REMATCH[2]}"
  fi
done <"$_cluster_root/scripts/cluster.env"

export WORKERS="${WORKERS:-2}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$_cluster_root/.run/cluster}"
export METASTUDIO_CLUSTER_DB="${METASTUDIO_CLUSTER_DB:-postgresql://postgres@127.0.0.1:5432/metastudio_airflow}"
export METASTUDIO_CLUSTER_REDIS="${METASTUDIO_CLUSTER_REDIS:-redis://127.0.0.1:6379}"
_cluster_db="${METASTUDIO_CLUSTER_DB#*://}"
# psycopg2 for the metadata database (Airflow derives its asyncpg URL from it); Celery's result backend
# goes through SQLAlchemy, whose postgresql:// means psycopg 3 since SQLAlchemy 2.1.
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-postgresql+psycopg2://$_cluster_db}"
export AIRFLOW__CELERY__RESULT_BACKEND="${AIRFLOW__CELERY__RESULT_BACKEND:-db+postgresql://$_cluster_db}"
export AIRFLOW__CELERY__BROKER_URL="${AIRFLOW__CELERY__BROKER_URL:-$METASTUDIO_CLUSTER_REDIS/$METASTUDIO_REDIS_BROKER_DB}"
export AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE="${AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE:-$METASTUDIO_CLUSTER_REDIS/$METASTUDIO_REDIS_LIMITER_DB}"
export AIRFLOW__METASTUDIO__DEFAULT_REGION="${AIRFLOW__METASTUDIO__DEFAULT_REGION:-$METASTUDIO_REGION}"
export AIRFLOW_POOLS_FILE="${AIRFLOW_POOLS_FILE:-$_cluster_root/include/pools/$METASTUDIO_REGION.json}"
export AIRFLOW_API_PORT="${AIRFLOW_API_PORT:-$METASTUDIO_API_PORT}"
# Worker i serves its task logs on port METASTUDIO_WORKER_LOG_PORT_BASE + i (two workers on one host
# cannot share one); the other components read [logging] worker_log_server_port, i.e. worker 1's.
export METASTUDIO_WORKER_LOG_PORT_BASE="${METASTUDIO_WORKER_LOG_PORT_BASE:-8800}"
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="${AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT:-$((METASTUDIO_WORKER_LOG_PORT_BASE + 1))}"
export METASTUDIO_EMULATOR_URL="http://127.0.0.1:$METASTUDIO_EMULATOR_PORT"

# shellcheck source=scripts/airflow_env.sh
source "$_cluster_root/scripts/airflow_env.sh"

unset _cluster_root _cluster_line _cluster_db
