# shellcheck shell=bash
# Source me: the environment of a local Airflow 3.3 made of four separate components
# (api-server, scheduler, dag-processor, triggerer) on SQLite with the LocalExecutor.
#
#   source scripts/airflow_env.sh            # then: airflow dags list, airflow pools list, ...
#
# Every setting below can be overridden by exporting it before sourcing, e.g.
#   AIRFLOW_HOME=/tmp/af AIRFLOW__CORE__DAGS_FOLDER=$PWD/tests/scheduler_dags AIRFLOW_API_PORT=18080
# Paths default to this checkout (the folder holding scripts/), not to the caller's working directory.
# `[metastudio] rate_limit_storage` (AIRFLOW__METASTUDIO__RATE_LIMIT_STORAGE), the MetaStudio connection
# (AIRFLOW_CONN_METASTUDIO_DEFAULT) and `[metastudio] default_region` are left to the caller.

METASTUDIO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export METASTUDIO_ROOT

if [ -d "$METASTUDIO_ROOT/.venv/bin" ]; then
  case ":$PATH:" in
    *":$METASTUDIO_ROOT/.venv/bin:"*) ;;
    *) export PATH="$METASTUDIO_ROOT/.venv/bin:$PATH" ;;
  esac
fi
export AIRFLOW_BIN="${AIRFLOW_BIN:-$(command -v airflow || echo "$METASTUDIO_ROOT/.venv/bin/airflow")}"

# -- where things live -------------------------------------------------------------------------
export AIRFLOW_HOME="${AIRFLOW_HOME:-$METASTUDIO_ROOT/airflow-home}"
export AIRFLOW__CORE__DAGS_FOLDER="${AIRFLOW__CORE__DAGS_FOLDER:-$METASTUDIO_ROOT/dags}"
# plugins/.airflowignore keeps Airflow's plugin loader out of the provider package (it would import
# each of its files as a top-level module); the folder is still on sys.path.
export AIRFLOW__CORE__PLUGINS_FOLDER="${AIRFLOW__CORE__PLUGINS_FOLDER:-$METASTUDIO_ROOT/plugins}"
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN="${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN:-sqlite:///$AIRFLOW_HOME/airflow.db}"
export AIRFLOW_RUN_DIR="${AIRFLOW_RUN_DIR:-$AIRFLOW_HOME/run}"   # pid files and component logs

# -- how it runs -------------------------------------------------------------------------------
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__EXECUTOR="${AIRFLOW__CORE__EXECUTOR:-LocalExecutor}"
# LocalExecutor pre-forks one worker per parallelism slot (32 by default: ~900 MB on this machine).
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-8}"
# The provider's sensors and workflow operators wait on the triggerer unless a task says deferrable=False
# (their default is this Airflow option, which is False unless set).
export AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE="${AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE:-True}"
# New DAG files show up within seconds instead of the default 300 s.
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-5}"
# A task's supervisor notices that its task process has exited only at this interval (it is also the
# heartbeat interval): the default 5 s adds up to 5 s to every task, and lets a deferred task's
# "defer exit" reach the scheduler after its trigger already fired, which Airflow 3.3.2 then fails
# ("finished with state success, but the task instance's state attribute is queued").
export AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL="${AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL:-1}"
# Real components must never run with the unit-test configuration (tests/conftest.py sets it).
unset AIRFLOW__CORE__UNIT_TEST_MODE

# -- auth: SimpleAuthManager with a user and password we control --------------------------------
export AIRFLOW_ADMIN_USER="${AIRFLOW_ADMIN_USER:-admin}"
export AIRFLOW_ADMIN_PASSWORD="${AIRFLOW_ADMIN_PASSWORD:-admin}"
export AIRFLOW__CORE__AUTH_MANAGER="${AIRFLOW__CORE__AUTH_MANAGER:-airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager}"
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS:-$AIRFLOW_ADMIN_USER:admin}"
# airflow_start.sh writes {"<user>": "<password>"} here before the api-server starts; an existing
# entry is kept by Airflow, so the password stays the one we chose.
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$AIRFLOW_HOME/simple_auth_manager_passwords.json}"

# -- secrets: generated once per AIRFLOW_HOME, kept in $AIRFLOW_HOME/local-secrets.env (mode 600) ----
# HS512 JWTs want a key of at least 64 bytes: Airflow's generated default (16 bytes) makes the api-server
# warn "The HMAC key is ... bytes long". Every component must share the same keys, hence a file.
if [ -z "${AIRFLOW__API_AUTH__JWT_SECRET:-}" ] || [ -z "${AIRFLOW__API__SECRET_KEY:-}" ]; then
  _secrets="$AIRFLOW_HOME/local-secrets.env"
  if [ ! -s "$_secrets" ]; then
    mkdir -p "$AIRFLOW_HOME"
    (umask 077 && python3 -c 'import secrets
print("AIRFLOW_LOCAL_JWT_SECRET=" + secrets.token_urlsafe(64))
print("AIRFLOW_LOCAL_SECRET_KEY=" + secrets.token_urlsafe(32))' >"$_secrets.tmp" && mv "$_secrets.tmp" "$_secrets")
  fi
  # shellcheck source=/dev/null
  . "$_secrets"
  export AIRFLOW__API_AUTH__JWT_SECRET="${AIRFLOW__API_AUTH__JWT_SECRET:-$AIRFLOW_LOCAL_JWT_SECRET}"
  export AIRFLOW__API__SECRET_KEY="${AIRFLOW__API__SECRET_KEY:-$AIRFLOW_LOCAL_SECRET_KEY}"
  unset _secrets AIRFLOW_LOCAL_JWT_SECRET AIRFLOW_LOCAL_SECRET_KEY
fi

# -- UI: the Test button of a connection (Admin ▸ Connections) calls the hook's test_connection ------
# Off by default in Airflow 3.3 (anyone who may edit connections can make the api-server call out);
# on for this local, single-user setup.
export AIRFLOW__CORE__TEST_CONNECTION="${AIRFLOW__CORE__TEST_CONNECTION:-Enabled}"

# -- network: api-server (UI + REST + execution API) and the two log servers ---------------------
export AIRFLOW_API_HOST="${AIRFLOW_API_HOST:-127.0.0.1}"
export AIRFLOW_API_PORT="${AIRFLOW_API_PORT:-8080}"
export AIRFLOW_URL="http://$AIRFLOW_API_HOST:$AIRFLOW_API_PORT"
export AIRFLOW__API__HOST="$AIRFLOW_API_HOST"
export AIRFLOW__API__PORT="$AIRFLOW_API_PORT"
export AIRFLOW__API__BASE_URL="$AIRFLOW_URL"
# Task processes talk to the api-server through this; it must follow the port.
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="$AIRFLOW_URL/execution/"
# serve-logs ports of the scheduler and of the triggerer (defaults 8793/8794; change them to run
# two local Airflows side by side).
export AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT="${AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT:-8793}"
export AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT="${AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT:-8794}"
