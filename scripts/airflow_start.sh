#!/usr/bin/env bash
# Start a local Airflow as four background components: api-server, scheduler, dag-processor, triggerer.
#
#   bash scripts/airflow_start.sh          # settings: scripts/airflow_env.sh (override by exporting)
#
# Runs `airflow db migrate`, writes the SimpleAuthManager password file, optionally imports pools
# (AIRFLOW_POOLS_FILE=<airflow pools import JSON>), starts each component with nohup in its own
# session (pid files and logs in $AIRFLOW_HOME/run/), then waits until the API answers and the
# scheduler, dag-processor and triggerer report healthy. Idempotent: components already running are
# left alone. Exit status 1 (with the log tail) if a component dies or the wait times out
# (AIRFLOW_START_TIMEOUT, default 120 s). Stop with scripts/airflow_stop.sh.
#
# Triggerers: AIRFLOW_TRIGGERERS of them (default 1; scripts/cluster_start.sh sets it from `make cluster
# TRIGGERERS=N`), each its own process. The first is the component `triggerer` (triggerer.pid, triggerer.log);
# the others are triggerer2 ... triggererN (triggerer<i>.pid, triggerer<i>.log), started with
# --skip-serve-logs (on one host they write to the log folder the api-server reads, and the first one serves
# it on [logging] trigger_log_server_port). With more than one, each reports `<name>@<host>` as its hostname
# (the `job` table: which triggerer holds which trigger; scripts/cluster_hostname.py) and the wait below also
# waits for each to have started its triggerer job. If one dies, the others take its triggers once it has
# not heartbeaten for [triggerer] triggerer_health_check_threshold seconds (docs/scale-out.md).
# scripts/airflow_stop.sh stops the first; scripts/cluster_stop.sh stops triggerer2 ... too.
set -euo pipefail
# shellcheck source=scripts/airflow_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/airflow_env.sh"
# shellcheck source=scripts/process_groups.sh
source "$(dirname "${BASH_SOURCE[0]}")/process_groups.sh"  # command_line

TRIGGERERS="${AIRFLOW_TRIGGERERS:-1}"
if ! [[ "$TRIGGERERS" =~ ^[1-9][0-9]*$ ]]; then
  echo "AIRFLOW_TRIGGERERS (make cluster TRIGGERERS=N) must be a whole number >= 1, not '$TRIGGERERS'" >&2
  exit 1
fi
TRIGGERER_NAMES=(triggerer)
for i in $(seq 2 "$TRIGGERERS"); do TRIGGERER_NAMES+=("triggerer$i"); done
COMPONENTS=(api-server scheduler dag-processor "${TRIGGERER_NAMES[@]}")
TIMEOUT="${AIRFLOW_START_TIMEOUT:-120}"
PYTHON="$(dirname "$AIRFLOW_BIN")/python"
[ -x "$PYTHON" ] || PYTHON=python3
mkdir -p "$AIRFLOW_HOME" "$AIRFLOW_RUN_DIR"

# The pid in $1.pid, if that process is alive and is an airflow process (not a recycled pid).
component_pid() {
  local file="$AIRFLOW_RUN_DIR/$1.pid" pid
  [ -f "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  [[ "$(command_line "$pid")" == *airflow* ]] || return 1
  echo "$pid"
}

api_health() {
  "$PYTHON" - "$AIRFLOW_URL" <<'PY'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1] + "/api/v2/monitor/health", timeout=3) as resp:
        health = json.load(resp)
except Exception:
    print("down")
    sys.exit(0)
parts = ("metadatabase", "scheduler", "dag_processor", "triggerer")
bad = [p for p in parts if (health.get(p) or {}).get("status") != "healthy"]
print("healthy" if not bad else "waiting:" + ",".join(bad))
PY
}

missing=()
for c in "${COMPONENTS[@]}"; do
  component_pid "$c" >/dev/null || missing+=("$c")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "Airflow already running: $AIRFLOW_URL (AIRFLOW_HOME=$AIRFLOW_HOME)"
  exit 0
fi

if [[ " ${missing[*]} " == *" api-server "* ]] && (exec 3<>"/dev/tcp/$AIRFLOW_API_HOST/$AIRFLOW_API_PORT") 2>/dev/null; then
  echo "port $AIRFLOW_API_PORT on $AIRFLOW_API_HOST is taken by another process; set AIRFLOW_API_PORT" >&2
  exit 1
fi

# Run an airflow command into a log; on SQLite, with other components running, it may fail with
# "database is locked" (its transaction rolled back): run it again, up to five times.
airflow_logged() {
  local log="$1" try
  shift
  for try in 1 2 3 4 5; do
    "$AIRFLOW_BIN" "$@" >"$log" 2>&1 && return 0
    grep -q "database is locked" "$log" || break
    sleep 2
  done
  tail -n 30 "$log" >&2
  return 1
}

airflow_logged "$AIRFLOW_RUN_DIR/db-migrate.log" db migrate || exit 1

# Our password for the admin user: SimpleAuthManager only generates passwords for users missing
# from this file, and reads it at each login.
"$PYTHON" - "$AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" "$AIRFLOW_ADMIN_USER" "$AIRFLOW_ADMIN_PASSWORD" <<'PY'
import json, sys
path, user, password = sys.argv[1:4]
try:
    with open(path) as f:
        passwords = json.load(f)
except (OSError, ValueError):
    passwords = {}
passwords[user] = password
with open(path, "w") as f:
    f.write(json.dumps(passwords) + "\n")
PY

if [ -n "${AIRFLOW_POOLS_FILE:-}" ]; then
  airflow_logged "$AIRFLOW_RUN_DIR/pools-import.log" pools import "$AIRFLOW_POOLS_FILE" || exit 1
fi

for c in "${missing[@]}"; do
  args=("$c")
  envs=()
  [ "$c" = api-server ] && args+=(--host "$AIRFLOW_API_HOST" --port "$AIRFLOW_API_PORT")
  if [[ "$c" == triggerer* ]]; then
    args=(triggerer)
    [ "$c" = triggerer ] || args+=(--skip-serve-logs)
    [ "$TRIGGERERS" -eq 1 ] || envs=("METASTUDIO_WORKER_NAME=$c"
      "AIRFLOW__CORE__HOSTNAME_CALLABLE=${AIRFLOW__CORE__HOSTNAME_CALLABLE:-cluster_hostname.hostname}"
      "PYTHONPATH=$METASTUDIO_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}")
  fi
  # setsid: each component leads its own process group, so airflow_stop.sh can find its children.
  nohup setsid env "${envs[@]}" "$AIRFLOW_BIN" "${args[@]}" >"$AIRFLOW_RUN_DIR/$c.log" 2>&1 </dev/null &
  echo $! >"$AIRFLOW_RUN_DIR/$c.pid"
done

# With several triggerers the health check below is satisfied by any one of them: also wait for each to
# have started its triggerer job (it heartbeats from then on).
triggerers_started() {
  [ "$TRIGGERERS" -eq 1 ] && return 0
  local t
  for t in "${TRIGGERER_NAMES[@]}"; do
    grep -q "Starting the triggerer" "$AIRFLOW_RUN_DIR/$t.log" 2>/dev/null || return 1
  done
}

deadline=$((SECONDS + TIMEOUT))
state=down
while :; do
  for c in "${COMPONENTS[@]}"; do
    if ! component_pid "$c" >/dev/null; then
      echo "Airflow $c exited during start-up; last lines of $AIRFLOW_RUN_DIR/$c.log:" >&2
      tail -n 40 "$AIRFLOW_RUN_DIR/$c.log" >&2 || true
      exit 1
    fi
  done
  state="$(api_health)"
  if [ "$state" = healthy ]; then
    triggerers_started && break
    state="waiting:triggerers"
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Airflow not ready after ${TIMEOUT}s ($state); logs in $AIRFLOW_RUN_DIR" >&2
    exit 1
  fi
  sleep 0.5
done

echo "Airflow is up: $AIRFLOW_URL (user $AIRFLOW_ADMIN_USER, AIRFLOW_HOME=$AIRFLOW_HOME, logs in $AIRFLOW_RUN_DIR)"
