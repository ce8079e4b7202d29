#!/usr/bin/env bash
# Issue 17's screen-pop figure: p95 over 50 real calls, from the agent's phone receiving the INVITE to the desk in
# Chromium showing the pop (tests/EndToEnd.Tests/Console/ScreenPopFromInviteTests.cs, which tools/test.sh also runs).
# Usage: tools/screen-pop-bench.sh [calls]   (default 50). Prints the p50/p95/max line and every value.
set -euo pipefail
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then
  sed -n 2,4p "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build tests/EndToEnd.Tests -c Release -nologo -clp:ErrorsOnly
HOTLINE_SCREEN_POP_CALLS="${1:-50}" dotnet test tests/EndToEnd.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~ScreenPopFromInviteTests" --logger "console;verbosity=normal" 2>&1 |
  grep -E "screen pop|all \(ms\)|Passed|Failed|Assert|Expected|But was"
