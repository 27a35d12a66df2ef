#!/usr/bin/env bash
# `make stop`: stop what `make demo` started (Airflow's components, then the emulator).
cd "$(dirname "$0")/.."
bash scripts/airflow_stop.sh || true
for pidfile in .run/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    echo "stopped $(basename "$pidfile" .pid) ($pid)"
  fi
  rm -f "$pidfile"
done
