#!/usr/bin/env bash
# `make cluster WORKERS=N TRIGGERERS=M`: Airflow on the CeleryExecutor with this machine's PostgreSQL and Redis.
#
#   bash scripts/cluster_start.sh            # settings: scripts/cluster_env.sh (override by exporting)
#   bash scripts/cluster_start.sh --print    # what it would start, and with which settings; starts nothing
#
# 1. checks the packages, PostgreSQL (creates the database if missing) and Redis (scripts/cluster_setup.py);
# 2. starts the MetaStudio emulator (unless one already answers on its port);
# 3. starts N Celery workers, `airflow celery worker -H worker<i>@%h`, each with its own serve-logs port;
# 4. runs scripts/airflow_start.sh: `airflow db migrate`, the pools of the region, then the api-server,
#    scheduler, dag-processor and M triggerers (TRIGGERERS, default 2: triggerer, triggerer2, ..., each its own
#    process, pid file and log; if one dies the others take its triggers); then waits until every worker is ready;
# 5. creates the connection metastudio_default (the emulator, the shared Redis limiter) unless it exists.
# Idempotent: what already runs is left alone. Pid files and logs in $AIRFLOW_HOME/run/. Stop with
# scripts/cluster_stop.sh (`make cluster-stop`).
set -euo pipefail
# shellcheck source=scripts/cluster_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster_env.sh"

BIN="$(dirname "$AIRFLOW_BIN")"
TIMEOUT="${AIRFLOW_START_TIMEOUT:-120}"
EMULATOR_ARGS=(--host 127.0.0.1 --port "$METASTUDIO_EMULATOR_PORT" --region "$METASTUDIO_REGION"
               --job-seconds "$METASTUDIO_EMULATOR_JOB_SECONDS")
AIRFLOW_COMPONENTS=(api-server scheduler dag-processor triggerer)  # started by scripts/airflow_start.sh
# Two triggerers by default: no single point of failure for the deferred waits and the livestream watches
# (docs/scale-out.md). airflow_start.sh starts them: triggerer, triggerer2, ..., triggerer<TRIGGERERS>.
export TRIGGERERS="${TRIGGERERS:-2}"
export AIRFLOW_TRIGGERERS="$TRIGGERERS"

worker_command() {  # i: sets WORKER_COMMAND, worker i's settings (what differs per worker) and command
  WORKER_COMMAND=(env "METASTUDIO_WORKER_NAME=worker$1"
    "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=$((METASTUDIO_WORKER_LOG_PORT_BASE + $1))"
    "AIRFLOW__CORE__HOSTNAME_CALLABLE=${AIRFLOW__CORE__HOSTNAME_CALLABLE:-cluster_hostname.hostname}"
    "PYTHONPATH=$METASTUDIO_ROOT/scripts${PYTHONPATH:+:$PYTHONPATH}"
    "$AIRFLOW_BIN" celery worker -H "worker$1@%h")
}

if [ "${1:-}" = --print ]; then
  for c in "${AIRFLOW_COMPONENTS[@]}"; do echo "component $c"; done
  for i in $(seq 1 "$WORKERS"); do worker_command "$i"; echo "worker ${WORKER_COMMAND[*]}"; done
  for i in $(seq 1 "$TRIGGERERS"); do
    if [ "$i" -eq 1 ]; then echo "triggerer triggerer"; else echo "triggerer triggerer$i --skip-serve-logs"; fi
  done
  echo "emulator ${EMULATOR_ARGS[*]}"
  echo "connection $("$BIN/python" "$METASTUDIO_ROOT/scripts/cluster_setup.py" show-connection)"
  # secrets left out: the api keys, connections (masked), passwords in URLs
  env | grep -E '^(AIRFLOW|METASTUDIO|WORKERS|TRIGGERERS)' | grep -v -E '^AIRFLOW__(API_AUTH__JWT_SECRET|API__SECRET_KEY)=' \
    | sed -E -e 's/^(AIRFLOW_CONN_[A-Z0-9_]*)=.*/\1=***/' -e 's#(://[^:/@]*):[^@/]*@#\1:***@#g' | sort | sed 's/^/env /'
  exit 0
fi

mkdir -p "$AIRFLOW_HOME" "$AIRFLOW_RUN_DIR"

alive() {  # name: the pid in $AIRFLOW_RUN_DIR/<name>.pid, if that process is alive
  local file="$AIRFLOW_RUN_DIR/$1.pid" pid
  [ -f "$file" ] && pid="$(cat "$file")" && [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

fail_with_log() {  # name message
  echo "$2; last lines of $AIRFLOW_RUN_DIR/$1.log:" >&2
  tail -n 40 "$AIRFLOW_RUN_DIR/$1.log" >&2 || true
  exit 1
}

"$BIN/python" "$METASTUDIO_ROOT/scripts/cluster_setup.py" check
echo "Checked packages, PostgreSQL and Redis (${SECONDS}s)"

# -- the emulator ------------------------------------------------------------------------------------
emulator_up() { curl -sf "$METASTUDIO_EMULATOR_URL/_emulator/health" >/dev/null; }
if ! emulator_up; then
  if (exec 3<>"/dev/tcp/127.0.0.1/$METASTUDIO_EMULATOR_PORT") 2>/dev/null; then
    echo "port $METASTUDIO_EMULATOR_PORT is taken by something that is not the emulator; set METASTUDIO_EMULATOR_PORT" >&2
    exit 1
  fi
  nohup setsid "$BIN/metastudio-emulator" "${EMULATOR_ARGS[@]}" >"$AIRFLOW_RUN_DIR/emulator.log" 2>&1 </dev/null &
  echo $! >"$AIRFLOW_RUN_DIR/emulator.pid"
  for _ in $(seq 100); do emulator_up && break; sleep 0.2; done
  emulator_up || fail_with_log emulator "the MetaStudio emulator did not start"
fi
echo "MetaStudio emulator: $METASTUDIO_EMULATOR_URL ($METASTUDIO_REGION) (${SECONDS}s)"

# -- the Celery workers (they need no database: they boot while Airflow migrates and starts) ----------
started=()
for i in $(seq 1 "$WORKERS"); do
  alive "worker$i" >/dev/null && continue
  # setsid: each worker leads its own process group (its pool processes and their tasks), so
  # cluster_stop.sh can stop all of it.
  worker_command "$i"
  nohup setsid "${WORKER_COMMAND[@]}" >"$AIRFLOW_RUN_DIR/worker$i.log" 2>&1 </dev/null &
  echo $! >"$AIRFLOW_RUN_DIR/worker$i.pid"
  started+=("worker$i")
done

# -- api-server, scheduler, dag-processor, triggerer (and db migrate, pools) --------------------------
bash "$METASTUDIO_ROOT/scripts/airflow_start.sh" || { echo "make cluster-stop stops what did start" >&2; exit 1; }
echo "Airflow components up (${SECONDS}s)"
"$BIN/python" "$METASTUDIO_ROOT/scripts/cluster_setup.py" connection

deadline=$((SECONDS + TIMEOUT))
for w in "${started[@]}"; do
  until grep -q "worker${w#worker}@.* ready" "$AIRFLOW_RUN_DIR/$w.log" 2>/dev/null; do
    alive "$w" >/dev/null || fail_with_log "$w" "Celery $w exited during start-up"
    [ "$SECONDS" -lt "$deadline" ] || fail_with_log "$w" "Celery $w not ready after ${TIMEOUT}s"
    sleep 0.5
  done
done
[ "${#started[@]}" -eq 0 ] || echo "Celery workers ready: ${started[*]} (concurrency $AIRFLOW__CELERY__WORKER_CONCURRENCY each) (${SECONDS}s)"

cat <<EOF

Airflow on the CeleryExecutor: $WORKERS worker(s), $TRIGGERERS triggerer(s), PostgreSQL ${AIRFLOW__DATABASE__SQL_ALCHEMY_CONN##*@}, Redis broker db $METASTUDIO_REDIS_BROKER_DB, limiter db $METASTUDIO_REDIS_LIMITER_DB
  UI:       $AIRFLOW_URL  (login $AIRFLOW_ADMIN_USER / $AIRFLOW_ADMIN_PASSWORD)
  emulator: $METASTUDIO_EMULATOR_URL
  home:     $AIRFLOW_HOME  (logs in $AIRFLOW_RUN_DIR)
  CLI:      source scripts/cluster_env.sh && airflow ...
Stop with: make cluster-stop
EOF
