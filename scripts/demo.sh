#!/usr/bin/env bash
# `make demo`: the emulator and Airflow (SQLite, LocalExecutor), pools and connection imported, the video
# pipeline triggered and awaited, and a summary printed. Both keep running for you; `make stop` stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s.%N)
BIN=.venv/bin
RUN=.run
PORT="${EMULATOR_PORT:-8765}"
REGION="${METASTUDIO_REGION:-cn-north-4}"
mkdir -p "$RUN"

if ! curl -sf "http://127.0.0.1:$PORT/_emulator/health" >/dev/null; then
  setsid nohup "$BIN/metastudio-emulator" --host 127.0.0.1 --port "$PORT" --region "$REGION" --job-seconds 5 \
    >"$RUN/emulator.log" 2>&1 &
  echo $! >"$RUN/emulator.pid"
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_emulator/health" >/dev/null && break; sleep 0.2; done
fi
echo "MetaStudio emulator: http://127.0.0.1:$PORT ($REGION)"

# shellcheck source=scripts/airflow_env.sh
source scripts/airflow_env.sh
export AIRFLOW__METASTUDIO__DEFAULT_REGION="$REGION"
export AIRFLOW_POOLS_FILE="include/pools/$REGION.json"
bash scripts/airflow_start.sh
# Stored in Airflow's database, so Admin > Connections lists it and its Test button works. Every extra the
# form offers is present (the edit form shows only the extras a connection has); port 0 because Airflow
# 3.3.2's Test button sends port 0 for a connection without one, and the API then refuses to test it
# (apache/airflow#73298, fixed after 3.3.2).
read -r AK SK PROJECT_ID < <("$BIN/python" -c "
from metastudio_emulator.config import DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID
print(DEFAULT_AK, DEFAULT_SK, DEFAULT_PROJECT_ID)")
extra=$("$BIN/python" -c "import json; print(json.dumps({'region': '$REGION', 'project_id': '$PROJECT_ID',
  'endpoint': 'http://127.0.0.1:$PORT', 'app_user_id': None, 'rate_limit_storage': None}))")
"$AIRFLOW_BIN" connections delete metastudio_default >/dev/null 2>&1 || true
# (--conn-json would drop port 0: Airflow reads it as "no port")
"$AIRFLOW_BIN" connections add metastudio_default --conn-type metastudio --conn-login "$AK" --conn-password "$SK" \
  --conn-port 0 --conn-extra "$extra" >/dev/null
echo "Imported the pools ($AIRFLOW_POOLS_FILE) and the connection metastudio_default"

"$BIN/python" scripts/demo_run.py --airflow "$AIRFLOW_URL" --user "$AIRFLOW_ADMIN_USER" \
  --password "$AIRFLOW_ADMIN_PASSWORD" --emulator "http://127.0.0.1:$PORT" --started "$started"
echo
echo "Airflow UI: $AIRFLOW_URL (login $AIRFLOW_ADMIN_USER / $AIRFLOW_ADMIN_PASSWORD); emulator: http://127.0.0.1:$PORT"
echo "  Dags > metastudio_video_pipeline > Trigger: the form opens with working defaults; Trigger again runs it."
echo "  Admin > Connections > metastudio_default: Edit shows its settings, Test calls MetaStudio."
echo "Both keep running in the background; stop them with: make stop"
