#!/usr/bin/env bash
# Stop what scripts/airflow_start.sh started, and nothing else: the processes named by the pid files in
# $AIRFLOW_HOME/run/ and their children (each component leads its own process group).
#
# SIGTERM first (scheduler, dag-processor and triggerer together, then the api-server, which tasks
# still talk to while they shut down); each gets AIRFLOW_STOP_TIMEOUT seconds (default 30; they
# usually need 10-15 s) before what is left of its process group is killed with SIGKILL.
set -uo pipefail
# shellcheck source=scripts/airflow_env.sh
source "$(dirname "${BASH_SOURCE[0]}")/airflow_env.sh"

TIMEOUT="${AIRFLOW_STOP_TIMEOUT:-30}"

# shellcheck source=scripts/process_groups.sh
source "$(dirname "${BASH_SOURCE[0]}")/process_groups.sh"

[ -d "$AIRFLOW_RUN_DIR" ] || { echo "nothing to stop (no $AIRFLOW_RUN_DIR)"; exit 0; }
stop_groups scheduler dag-processor triggerer
stop_groups api-server
# The api-server's uvicorn worker renames itself "airflow api_server -- host:H port:P" and may lead a
# process group of its own, outliving the component's group while it still holds the port: stop it by
# that name (host and port make it this Airflow's, and nobody else's).
strays="$(pgrep -f "^airflow api_server -- host:$AIRFLOW_API_HOST port:$AIRFLOW_API_PORT\$")"
if [ -n "$strays" ]; then
  # shellcheck disable=SC2086
  kill -TERM $strays 2>/dev/null
  for _ in $(seq 30); do
    # shellcheck disable=SC2086
    kill -0 $strays 2>/dev/null || break
    sleep 0.3
  done
  # shellcheck disable=SC2086
  kill -KILL $strays 2>/dev/null
fi
for c in api-server scheduler dag-processor triggerer; do
  rm -f "$AIRFLOW_RUN_DIR/$c.pid"
done
echo "Airflow stopped (AIRFLOW_HOME=$AIRFLOW_HOME)"
