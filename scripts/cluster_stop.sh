#!/usr/bin/env bash
# `make cluster-stop`: stop what scripts/cluster_start.sh started, and nothing else.
#
# The Celery workers first (SIGTERM: a warm shutdown that lets running tasks finish, while the
# api-server they report to still runs), then scripts/airflow_stop.sh (scheduler, dag-processor,
# triggerer, api-server) and, beside it, the other triggerers (triggerer2 ...), then the emulator if this cluster started it. Whatever is left of a
# worker's or the emulator's process group after AIRFLOW_STOP_TIMEOUT seconds (default 30) is killed.
set -uo pipefail
# shellcheck source=scripts/cluster_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster_env.sh"

TIMEOUT="${AIRFLOW_STOP_TIMEOUT:-30}"

[ -d "$AIRFLOW_RUN_DIR" ] || { echo "nothing to stop (no $AIRFLOW_RUN_DIR)"; exit 0; }

# shellcheck source=scripts/process_groups.sh
source "$METASTUDIO_ROOT/scripts/process_groups.sh"

workers=()
for f in "$AIRFLOW_RUN_DIR"/worker*.pid; do
  [ -f "$f" ] && workers+=("$(basename "$f" .pid)")
done
if [ ${#workers[@]} -gt 0 ]; then
  stop_groups "${workers[@]}"
  echo "Celery workers stopped: ${workers[*]}"
fi
# The triggerers beyond the first (make cluster TRIGGERERS=N: triggerer2 ...), while airflow_stop.sh stops the
# scheduler, dag-processor, the first triggerer and the api-server.
triggerers=()
for f in "$AIRFLOW_RUN_DIR"/triggerer[0-9]*.pid; do
  [ -f "$f" ] && triggerers+=("$(basename "$f" .pid)")
done
if [ ${#triggerers[@]} -gt 0 ]; then
  stop_groups "${triggerers[@]}" &
  extra_triggerers=$!
fi
bash "$METASTUDIO_ROOT/scripts/airflow_stop.sh"
if [ ${#triggerers[@]} -gt 0 ]; then
  wait "$extra_triggerers"
  echo "Triggerers stopped: ${triggerers[*]}"
fi
if [ -f "$AIRFLOW_RUN_DIR/emulator.pid" ]; then
  stop_groups emulator
  echo "MetaStudio emulator stopped"
fi
