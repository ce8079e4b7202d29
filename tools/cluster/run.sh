#!/usr/bin/env bash
# The whole multi-engine site of issue 19 for a long run (default 30 minutes of calls), with the faults mid-run:
#   tools/cluster/run.sh [MINUTES=30]
# Kamailio (deploy/kamailio, as shipped) on 127.0.0.10 + three engines + a Redis master, replica and three Sentinels +
# two TicketApi on one PostgreSQL; baresip agents registered at Kamailio; sipp callers through Kamailio at 10 calls/s.
# A third of the way in one engine is SIGKILLed, then the Redis master is killed. It is the end-to-end test
# ThreeEngineClusterTests (which the default test command runs with 24 s of calls) stretched by HOTLINE_CLUSTER_SECONDS;
# it prints the figures (site start, how long Kamailio
# kept dispatching to the dead engine, the Sentinel failover, sipp's counts, late answers from live engines,
# TicketApi's offered/answered/abandoned)
# with the load average and steal, and fails as the test does.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-30}
dotnet build tests/EndToEnd.Tests -c Release -v quiet -nologo >/dev/null
# The run's evidence (each engine's log file with millisecond times and SIP Call-IDs, Kamailio's output) is kept here.
export HOTLINE_CLUSTER_LOGS=${HOTLINE_CLUSTER_LOGS:-$(mktemp -d /tmp/hotline-cluster-logs.XXXXXX)}
echo "logs: $HOTLINE_CLUSTER_LOGS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); steal jiffies: $(awk '/^cpu / {print $9}' /proc/stat)"
set +e
HOTLINE_CLUSTER_SECONDS=$((minutes * 60)) dotnet test tests/EndToEnd.Tests -c Release --no-build \
  --filter "FullyQualifiedName~ThreeEngineClusterTests" --logger "console;verbosity=normal"
status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); steal jiffies: $(awk '/^cpu / {print $9}' /proc/stat)"
exit $status
