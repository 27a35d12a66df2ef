#!/usr/bin/env bash
# `make cluster-stop`: stop what scripts/cluster_start.sh started, and nothing else.
#
# The Celery workers first (SIGTERM: a warm shutdown that lets running tasks finish, while the
# api-server they report to still runs), then scripts/airflow_stop.sh (scheduler, dag-processor,
# triggerer, api-server), then the emulator if this cluster started it. Whatever is left of a
# worker's or the emulator's process group after AIRFLOW_STOP_TIMEOUT seconds (default 30) is killed.
set -uo pipefail
# shellcheck source=scripts/cluster_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/cluster_env.sh"

TIMEOUT="${AIRFLOW_STOP_TIMEOUT:-30}"

[ -d "$AIRFLOW_RUN_DIR" ] || { echo "nothing to stop (no $AIRFLOW_RUN_DIR)"; exit 0; }

descendants() {  # pid: its children, grandchildren, ...
  local c
  for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done
}

# The processes of the group led by $1 and their descendants (a worker's tasks run in process groups of
# their own) that are ours (airflow, celery or the emulator), not a process that happens to reuse the
# pid of a leader gone long ago.
members() {
  local p
  for p in $( { pgrep -g "$1"; for g in $(pgrep -g "$1"); do descendants "$g"; done; } 2>/dev/null | sort -u); do
    { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q -E 'airflow|celery|metastudio' && echo "$p"
  done
}

# Leaders (pid files) of the given names whose process group still has members.
groups_of() {
  local name pid
  for name in "$@"; do
    [ -f "$AIRFLOW_RUN_DIR/$name.pid" ] || continue
    pid="$(cat "$AIRFLOW_RUN_DIR/$name.pid")"
    [ -n "$pid" ] && [ -n "$(members "$pid")" ] && echo "$pid"
  done
}

stop_groups() {  # names...: SIGTERM each leader, wait, then SIGKILL what is left of its group
  local leaders pid left deadline
  leaders="$(groups_of "$@")"
  if [ -n "$leaders" ]; then
    for pid in $leaders; do kill -TERM "$pid" 2>/dev/null; done
    deadline=$((SECONDS + TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
      left=""
      for pid in $leaders; do left+="$(members "$pid")"; done
      [ -z "$left" ] && break
      sleep 0.3
    done
    for pid in $leaders; do
      left="$(members "$pid")"
      if [ -n "$left" ]; then
        echo "killing what is left of process group $pid: $(echo "$left" | tr '\n' ' ')" >&2
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null
      fi
    done
  fi
  for name in "$@"; do rm -f "$AIRFLOW_RUN_DIR/$name.pid"; done
}

workers=()
for f in "$AIRFLOW_RUN_DIR"/worker*.pid; do
  [ -f "$f" ] && workers+=("$(basename "$f" .pid)")
done
if [ ${#workers[@]} -gt 0 ]; then
  stop_groups "${workers[@]}"
  echo "Celery workers stopped: ${workers[*]}"
fi
bash "$METASTUDIO_ROOT/scripts/airflow_stop.sh"
if [ -f "$AIRFLOW_RUN_DIR/emulator.pid" ]; then
  stop_groups emulator
  echo "MetaStudio emulator stopped"
fi
