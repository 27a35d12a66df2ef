#!/usr/bin/env bash
# `make demo`: the emulator and Airflow (SQLite, LocalExecutor), pools and connection imported, the video
# pipeline triggered and awaited, and a summary printed. Both keep running for you; `make stop` stops them.
# The pipeline delivers its video to include/deliveries/; with S3=1 (`make demo S3=1`) to a bucket of a local
# S3 server (moto's, on MOTO_PORT or a free port) instead, the backfill reading its manifests from another.
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

DELIVERY_VARS=(metastudio_delivery_uri metastudio_delivery_conn_id metastudio_batches_uri metastudio_batches_conn_id)
if [ "${S3:-0}" = "1" ]; then
  S3_PORT="${MOTO_PORT:-$("$BIN/python" -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")}"
  S3_URL="http://127.0.0.1:$S3_PORT"
  if ! curl -s -o /dev/null "$S3_URL/"; then
    MOTO_PORT="$S3_PORT" setsid nohup "$BIN/python" -m moto.server -H 127.0.0.1 -p "$S3_PORT" >"$RUN/s3.log" 2>&1 &
    echo $! >"$RUN/s3.pid"
    for _ in $(seq 50); do curl -s -o /dev/null "$S3_URL/" && break; sleep 0.2; done
    curl -s -o /dev/null "$S3_URL/" || { echo "the S3 server did not start: see $RUN/s3.log" >&2; exit 1; }
  fi
  # two buckets: the backfill's manifests (the shipped ones copied there) and the delivered videos
  S3_URL="$S3_URL" "$BIN/python" - <<'PY'
import os
from pathlib import Path

import boto3

s3 = boto3.client("s3", endpoint_url=os.environ["S3_URL"], aws_access_key_id="demo-access-key",
                  aws_secret_access_key="demo-secret-key", region_name="us-east-1")
for bucket in ("metastudio-batches", "metastudio-deliveries"):
    s3.create_bucket(Bucket=bucket)
for manifest in sorted(Path("include/batches").iterdir()):
    if manifest.suffix in (".yaml", ".yml", ".csv", ".jsonl"):
        s3.put_object(Bucket="metastudio-batches", Key=f"daily/{manifest.name}", Body=manifest.read_bytes())
PY
  "$AIRFLOW_BIN" connections delete metastudio_s3 >/dev/null 2>&1 || true
  "$AIRFLOW_BIN" connections add metastudio_s3 --conn-type generic --conn-login demo-access-key \
    --conn-password demo-secret-key --conn-extra "{\"endpoint_url\": \"$S3_URL\", \"region_name\": \"us-east-1\"}" >/dev/null
  "$AIRFLOW_BIN" variables set metastudio_delivery_uri s3://metastudio-deliveries/videos >/dev/null
  "$AIRFLOW_BIN" variables set metastudio_delivery_conn_id metastudio_s3 >/dev/null
  "$AIRFLOW_BIN" variables set metastudio_batches_uri s3://metastudio-batches/daily >/dev/null
  "$AIRFLOW_BIN" variables set metastudio_batches_conn_id metastudio_s3 >/dev/null
  echo "S3 server (moto): $S3_URL; videos delivered to s3://metastudio-deliveries/videos, the backfill's manifests"
  echo "  read from s3://metastudio-batches/daily (connection metastudio_s3, Variables metastudio_delivery_uri, ...)"
else
  for var in "${DELIVERY_VARS[@]}"; do "$AIRFLOW_BIN" variables delete "$var" >/dev/null 2>&1 || true; done
  echo "Videos delivered to file://$PWD/include/deliveries (make demo S3=1: to a local S3 server's bucket)"
fi

"$BIN/python" scripts/demo_run.py --airflow "$AIRFLOW_URL" --user "$AIRFLOW_ADMIN_USER" \
  --password "$AIRFLOW_ADMIN_PASSWORD" --emulator "http://127.0.0.1:$PORT" --started "$started"
echo
echo "Airflow UI: $AIRFLOW_URL (login $AIRFLOW_ADMIN_USER / $AIRFLOW_ADMIN_PASSWORD); emulator: http://127.0.0.1:$PORT"
echo "  Dags > metastudio_video_pipeline > Trigger: the form opens with working defaults; Trigger again runs it."
echo "  Admin > Connections > metastudio_default: Edit shows its settings, Test calls MetaStudio."
echo "Both keep running in the background; stop them with: make stop"
