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
set -euo pipefail
# shellcheck source=scripts/airflow_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/airflow_env.sh"

COMPONENTS=(api-server scheduler dag-processor triggerer)
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
  { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -q airflow || return 1
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

"$AIRFLOW_BIN" db migrate >"$AIRFLOW_RUN_DIR/db-migrate.log" 2>&1 || {
  tail -n 30 "$AIRFLOW_RUN_DIR/db-migrate.log" >&2
  exit 1
}

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
  "$AIRFLOW_BIN" pools import "$AIRFLOW_POOLS_FILE" >"$AIRFLOW_RUN_DIR/pools-import.log" 2>&1 || {
    tail -n 30 "$AIRFLOW_RUN_DIR/pools-import.log" >&2
    exit 1
  }
fi

for c in "${missing[@]}"; do
  args=("$c")
  [ "$c" = api-server ] && args+=(--host "$AIRFLOW_API_HOST" --port "$AIRFLOW_API_PORT")
  # setsid: each component leads its own process group, so airflow_stop.sh can find its children.
  nohup setsid "$AIRFLOW_BIN" "${args[@]}" >"$AIRFLOW_RUN_DIR/$c.log" 2>&1 </dev/null &
  echo $! >"$AIRFLOW_RUN_DIR/$c.pid"
done

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
  [ "$state" = healthy ] && break
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "Airflow not ready after ${TIMEOUT}s ($state); logs in $AIRFLOW_RUN_DIR" >&2
    exit 1
  fi
  sleep 0.5
done

echo "Airflow is up: $AIRFLOW_URL (user $AIRFLOW_ADMIN_USER, AIRFLOW_HOME=$AIRFLOW_HOME, logs in $AIRFLOW_RUN_DIR)"
