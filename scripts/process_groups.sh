#!/usr/bin/env bash
# Stopping what a start script launched, by the pid files in $AIRFLOW_RUN_DIR (sourced by
# scripts/airflow_stop.sh and scripts/cluster_stop.sh). Each launched process leads its own process
# group; SIGTERM the leaders, wait up to $TIMEOUT seconds, then SIGKILL what is left of each group.

# The command line of process $1, read again for up to half a second while it is empty: between the
# exec()s of `nohup setsid env airflow ...` the kernel shows an empty one (seen in 5 % of reads right
# after a start). Empty output: the process is gone or a zombie.
command_line() {
  local cmd _
  for _ in 1 2 3 4 5; do
    cmd="$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null)" || return 0
    [ -n "$cmd" ] && break
    sleep 0.1
  done
  echo "$cmd"
}

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
    [[ "$(command_line "$p")" =~ airflow|celery|metastudio ]] && echo "$p"
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

