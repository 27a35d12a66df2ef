#!/usr/bin/env bash
# `make demo`: start the MetaStudio emulator in the background and run the production chain against it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
RUN=.run
PORT="${EMULATOR_PORT:-8765}"
mkdir -p "$RUN"

if ! curl -sf "http://127.0.0.1:$PORT/_emulator/health" >/dev/null; then
  nohup "$BIN/metastudio" emulator --host 127.0.0.1 --port "$PORT" --job-seconds 3 >"$RUN/emulator.log" 2>&1 &
  echo $! >"$RUN/emulator.pid"
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/_emulator/health" >/dev/null && break; sleep 0.2; done
fi
echo "MetaStudio emulator: http://127.0.0.1:$PORT (log $RUN/emulator.log; stop with: make stop)"
"$BIN/python" scripts/demo_calls.py --endpoint "http://127.0.0.1:$PORT"
