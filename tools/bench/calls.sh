#!/usr/bin/env bash
# The engine's own CPU per inbound call (issue 22 "Calls"), beside a sipp↔sipp anchor in the same run.
#   tools/bench/calls.sh [SECONDS=60] [RATE=5] [AGENTS=80]      (CALLS_WARMUP_SECONDS=30: calls first, not measured)
# 1. The whole hotline (tools/soak/run.sh: Redis, TicketApi, the engine, Release build) with peers in their own
#    processes: sipp callers at RATE calls/s for SECONDS (caller-survey.xml: RTP echoed, stays to the end) and one sipp
#    process answering for all AGENTS agents (agent-talks.xml: answers, echoes, talks 10 s, hangs up first). Each call
#    is greeting → queue → ring → 10 s talk → survey (no key: it times out) → the engine hangs up. The engine's
#    utime+stime from /proc over the load and the drain, divided by the calls offered (the soak's own figure).
# 2. The anchor: the same sipp callee (agent-talks.xml) called directly by sipp (anchor-caller.xml, 4.7 s of G.711
#    echoed) at the same rate and count; the callee's CPU per call.
# Prints "calls <who> rate=R calls=N failed=F cpu_ms_per_call=C load=L steal=S%" lines (tools/bench/run.sh makes rows).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-60}; rate=${2:-5}; agents=${3:-80}
out=$(mktemp -d /tmp/hotline-calls-XXXXXX)
steal_and_total() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print $9, t}' /proc/stat; }
steal_since() { read -r s1 t1 < <(steal_and_total); awk -v a="$1" -v b="$2" -v c="$s1" -v d="$t1" 'BEGIN { printf "%.1f", (d > b) ? 100 * (c - a) / (d - b) : 0 }'; }
free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
tick=$(getconf CLK_TCK)

# 1. The engine. Wrap-up 1 s so that AGENTS covers RATE × (ring + talk + wrap-up) and nobody waits long in the queue.
read -r s0 t0 < <(steal_and_total)
set +e
SOAK_OUT="$out/hotline" SOAK_SECONDS="$secs" SOAK_WARMUP_SECONDS="${CALLS_WARMUP_SECONDS:-30}" SOAK_CALLER_SCENARIO=tools/bench/caller-survey.xml \
  SOAK_AGENT_SCENARIO=tools/bench/agent-talks.xml SOAK_ONE_PHONE=1 SOAK_ENGINE_ENV="Acd__WrapUpSeconds=1 ${CALLS_ENGINE_ENV:-}" \
  tools/soak/run.sh 1 "$rate" "$agents" 60 >"$out/hotline.txt" 2>&1
verdict=$?
set -e
steal=$(steal_since "$s0" "$t0")
cpu=$(sed -n 's/^engine CPU per call: \([0-9.]*\) ms (.*/\1/p' "$out/hotline.txt")
cpu_busy=$(sed -n 's/^engine CPU per call: [0-9.]* ms (.*; \(-*[0-9.]*\) ms after its idle.*/\1/p' "$out/hotline.txt")
offered=$(sed -n 's/^engine CPU per call: .* for \([0-9]*\) calls offered.*/\1/p' "$out/hotline.txt")
failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { if (c) print $c; else print "?" }' "$out/hotline/callers.csv" 2>/dev/null || echo "?")
grep -E '^(engine |drained|SOAK|load average)' "$out/hotline.txt" >&2 || true
[ "$verdict" = 0 ] || { echo "the hotline run failed its verdict (exit $verdict): $out/hotline.txt" >&2; tail -15 "$out/hotline.txt" >&2; }
echo "calls engine rate=$rate calls=${offered:-0} failed=$failed cpu_ms_per_call=${cpu:-?} after_idle=${cpu_busy:-?} load=$(cut -d' ' -f1 /proc/loadavg) steal=${steal}% verdict=$verdict"

# 2. The anchor: sipp calls the sipp callee directly.
calls=$((rate * secs)); callee_port=$(free_port)
read -r s0 t0 < <(steal_and_total)
sipp 127.0.0.1:"$callee_port" -sf tools/bench/agent-talks.xml -i 127.0.0.1 -p "$callee_port" -mp "$(free_port)" -rtp_echo -nostdin \
  >"$out/anchor-callee.log" 2>&1 &
callee=$!
trap 'kill $callee 2>/dev/null || true' EXIT
for _ in $(seq 50); do ss -Hlun "sport = :$callee_port" | grep -q . && break; sleep 0.1; done
c0=$(awk '{ print $14 + $15 }' "/proc/$callee/stat")
set +e
sipp 127.0.0.1:"$callee_port" -sf tools/bench/anchor-caller.xml -s bench -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" \
  -r "$rate" -m "$calls" -l $((rate * 120)) -nostdin -trace_stat -stf "$out/anchor-caller.csv" -fd 5 -timeout $((secs + 60))s >"$out/anchor-caller.log" 2>&1
set -e
c1=$(awk '{ print $14 + $15 }' "/proc/$callee/stat")
steal=$(steal_since "$s0" "$t0")
failed=$(awk -F';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "FailedCall(C)") c = i } END { if (c) print $c; else print "?" }' "$out/anchor-caller.csv" 2>/dev/null || echo "?")
awk -v c=$((c1 - c0)) -v tick="$tick" -v n="$calls" -v r="$rate" -v f="$failed" -v l="$(cut -d' ' -f1 /proc/loadavg)" -v s="$steal" \
  'BEGIN { printf "calls sipp-callee rate=%s calls=%d failed=%s cpu_ms_per_call=%.2f load=%s steal=%s%%\n", r, n, f, c * 1000 / tick / n, l, s }'
echo "logs: $out" >&2
