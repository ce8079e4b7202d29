#!/usr/bin/env bash
# Installs the test peers where missing and runs every test of Hotline.sln (Release build).
# Ends with one line "N passed, N failed, N skipped" and a non-zero exit if anything failed.
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  cat <<'HELP'
Usage: tools/test.sh [dotnet test options]
Installs the test peers where missing (tools/install-peers.sh test), builds Hotline.sln (Release) and runs every test.
Ends with one line "N passed, N failed, N skipped"; exits non-zero if anything failed.
Options are passed to `dotnet test`, for example:
  tools/test.sh --filter "FullyQualifiedName~OutboxTests"     one fixture
  tools/test.sh --filter "TestCategory!=Timing"               everything but the wall-clock assertions
HELP
  exit 0
fi
cd "$(dirname "$0")/.."
tools/install-peers.sh test
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Hotline.sln -c Release -nologo -clp:ErrorsOnly
log=$(mktemp)
set +e
dotnet test Hotline.sln -c Release --no-build --nologo \
  --blame-hang-timeout 8m --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# Repeat each failure with its message at the very end, where a truncated CI log still shows it.
if grep -qE '^ +Failed [^:]' "$log"; then
  echo "---- failed tests ----"
  awk '/^ +Failed [^:]/ { show=25 } show > 0 { print; show-- }' "$log"
  echo "----------------------"
fi
# VSTest prints a summary per test assembly ("     Passed: 12", "     Failed: 1", "    Skipped: 2"): add them up.
awk '/^ +Passed: [0-9]+ *$/ { p+=$2 } /^ +Failed: [0-9]+ *$/ { f+=$2 } /^ +Skipped: [0-9]+ *$/ { s+=$2 }
     END { printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log"
rm -f "$log"
exit "$status"
