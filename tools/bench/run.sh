#!/usr/bin/env bash
# The one benchmark entry (issue 22), first version: the media engine's CPU per sent RTP packet beside Debian's
# rtpengine relaying the same streams in userspace (CPU per relayed packet), on the same machine in the same minutes.
# Then SIP: the same sipp client sends OPTIONS to the engine and to a stateless Kamailio (tools/SipBench/bench.sh),
# CPU per request of each. Prints one table: throughput, CPU per unit, send-lateness p99 / failures and
# retransmissions, load average and steal. Then calls (tools/bench/calls.sh): the engine's own CPU per inbound call
# (greeting, queue, ring, 10 s talk, survey; sipp callers and agent phones in their own processes) beside a sipp↔sipp
# anchor at the same rate. Then TicketApi (tools/TicketBench): ingest per event on SQLite and on a throwaway
# PostgreSQL (whole calls over 4 gRPC streams after a warm-up, 10 % redelivered, nothing lost or doubled), and
# /api/metrics by every grouping over a month of 1 M calls and a calendar year of 10 M (rollups seeded into SQLite).
#
#   tools/bench/run.sh                 # 2,000 streams, 10 s per run; 20,000 OPTIONS/s for 10 s; …
#   BENCH_STREAMS=1000 BENCH_SECONDS=5 BENCH_SIP_RATE=10000 tools/bench/run.sh
#   BENCH_ONLY=sip tools/bench/run.sh  # one part only (media | sip | calls | ingest | metrics)
#   BENCH_INGEST_CALLS=20000 BENCH_MONTH_CALLS=1000000 BENCH_YEAR_CALLS=10000000 tools/bench/run.sh  # the defaults
#   BENCH_DOC=1 tools/bench/run.sh     # also writes the table into docs/benchmarks.md (between its bench markers)
#   BENCH_CALLS="60 5 80" tools/bench/run.sh  # calls: seconds measured, calls/s, agents (after CALLS_WARMUP_SECONDS=30)
#   BENCH_WEBRTC=200 tools/bench/run.sh # plus that many browser-class legs (ICE-lite + DTLS-SRTP, SRTP both ways)
#
# rtpengine comes from tools/install-peers.sh bench (rtpengine-daemon), run first; without it the anchor row says so.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
STREAMS="${BENCH_STREAMS:-2000}"
SECS="${BENCH_SECONDS:-10}"
# rtpengine at normal priority shares the 2 cores with the engine's SCHED_FIFO clock threads feeding it: at 2,000
# streams it discards ("UDP receive queue exceeded"), so the anchor runs fewer streams; CPU per packet is the unit.
RELAY_STREAMS="${BENCH_RELAY_STREAMS:-500}"
SIP_RATE="${BENCH_SIP_RATE:-20000}"
ONLY="${BENCH_ONLY:-}"
OUT="$(mktemp -d)"
RTPENGINE_PID=""
cleanup() {
  if [ -n "$RTPENGINE_PID" ]; then kill "$RTPENGINE_PID" 2>/dev/null || true; wait "$RTPENGINE_PID" 2>/dev/null || true; fi
  rm -rf "$OUT"
}
trap cleanup EXIT

free_udp_port() { # a UDP port nobody is bound to, from the given range
  local lo=$1 hi=$2 p
  for _ in $(seq 1 50); do
    p=$((lo + RANDOM % (hi - lo)))
    if ! ss -Hlun "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  echo "no free UDP port in $lo-$hi" >&2; exit 1
}

steal_and_total() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print $9, t}' /proc/stat; }
# part_begin NAME / part_end NAME: steal (share of all jiffies) and the load average over one part, for its rows.
part_begin() { steal_and_total >"$OUT/$1.stat0"; }
part_end() {
  read -r s0 t0 <"$OUT/$1.stat0"; read -r s1 t1 < <(steal_and_total)
  awk -v s="$((s1 - s0))" -v t="$((t1 - t0))" 'BEGIN { printf "%.1f %%\n", (t > 0 ? 100 * s / t : 0) }' >"$OUT/$1.steal"
  cut -d' ' -f1-3 /proc/loadavg | tr ' ' / >"$OUT/$1.load"
}

"$ROOT/tools/install-peers.sh" bench
echo "# tools/bench/run.sh — $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(git -C "$ROOT" rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet build "$ROOT/tools/MediaBench" -c Release -v q -nologo >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
BENCH=(dotnet "$ROOT/tools/MediaBench/bin/Release/net10.0/Hotline.MediaBench.dll" --seconds "$SECS")

# 1. The engine: plain and SRTP hold music, each packet sent by the media clock.
if [ -z "$ONLY" ] || [ "$ONLY" = media ]; then
"${BENCH[@]}" --streams "$STREAMS" --srtp both --ports 40000-44999 | tee "$OUT/engine.txt" | grep -E '^\| (hold|SRTP)' >/dev/null || true

# 1b. BENCH_WEBRTC=N: N WebRTC legs (MediaBench --webrtc, docs/webrtc.md), measured after every handshake completed.
if [ -n "${BENCH_WEBRTC:-}" ]; then
  "${BENCH[@]}" --webrtc "$BENCH_WEBRTC" --ports 40000-44999 >"$OUT/webrtc.txt" || true
fi

# 2. The anchor: rtpengine relaying $RELAY_STREAMS plain streams from the engine's sessions to the sinks.
if command -v rtpengine >/dev/null; then
  NG=$(free_udp_port 22000 22999)
  rtpengine --interface=127.0.0.1 --listen-ng="127.0.0.1:$NG" --table=-1 --foreground --log-stderr --log-level=3 \
    --port-min=16384 --port-max=39999 --num-threads=2 --pidfile="$OUT/rtpengine.pid" >"$OUT/rtpengine.log" 2>&1 &
  RTPENGINE_PID=$!
  for _ in $(seq 1 50); do ss -Hlun "sport = :$NG" | grep -q . && break; sleep 0.1; done
  "${BENCH[@]}" --streams "$RELAY_STREAMS" --ports 45000-49999 --rtpengine "127.0.0.1:$NG" --rtpengine-pid "$RTPENGINE_PID" >"$OUT/relay.txt" || cat "$OUT/rtpengine.log" >&2
else
  echo "rtpengine not installed (tools/install-peers.sh installs rtpengine-daemon): no anchor row" >&2
fi
fi

# 3. SIP: OPTIONS at $SIP_RATE/s for $SECS s to the engine, then to a stateless Kamailio, one sipp client.
if [ -z "$ONLY" ] || [ "$ONLY" = sip ]; then
  dotnet build "$ROOT/src/AcdEngine" -c Release -v q -nologo >"$OUT/build-engine.log" 2>&1 || { cat "$OUT/build-engine.log"; exit 1; }
  "$ROOT/tools/SipBench/bench.sh" "$SIP_RATE" "$SECS" 100 1000 | tee "$OUT/sip.txt" >/dev/null
fi

# 4. Calls: the whole hotline (Redis, TicketApi, engine) with sipp callers and agent phones, then sipp↔sipp.
if [ -z "$ONLY" ] || [ "$ONLY" = calls ]; then
  dotnet build "$ROOT/src/AcdEngine" -c Release -v q -nologo >"$OUT/build-engine.log" 2>&1 || { cat "$OUT/build-engine.log"; exit 1; }
  dotnet build "$ROOT/src/TicketApi" -c Release -v q -nologo >"$OUT/build-tickets.log" 2>&1 || { cat "$OUT/build-tickets.log"; exit 1; }
  # shellcheck disable=SC2086 # BENCH_CALLS is three words on purpose
  "$ROOT/tools/bench/calls.sh" ${BENCH_CALLS:-60 5 80} | tee "$OUT/calls.txt" >/dev/null
fi

# 5. Ingest: TicketApi's host CPU per event, SQLite then PostgreSQL (PostgresServer: initdb in a temp folder, fsync on).
INGEST_CALLS="${BENCH_INGEST_CALLS:-20000}"
TICKETBENCH=(dotnet "$ROOT/tools/TicketBench/bin/Release/net10.0/Hotline.TicketBench.dll")
if [ -z "$ONLY" ] || [ "$ONLY" = ingest ] || [ "$ONLY" = metrics ]; then
  dotnet build "$ROOT/tools/TicketBench" -c Release -v q -nologo >"$OUT/build-ticketbench.log" 2>&1 || { cat "$OUT/build-ticketbench.log"; exit 1; }
fi
if [ -z "$ONLY" ] || [ "$ONLY" = ingest ]; then
  for provider in sqlite postgresql; do
    part_begin "ingest-$provider"
    "${TICKETBENCH[@]}" ingest --calls "$INGEST_CALLS" --streams 4 --warmup "$INGEST_CALLS" --provider "$provider" \
      >"$OUT/ingest-$provider.txt" 2>&1 || echo "ingest on $provider: exit $? (see its rows)" >&2
    part_end "ingest-$provider"
  done
fi

# 6. Metrics: every grouping over a month of 1 M calls (< 50 ms) and a year of 10 M (< 1 s), 5 runs after a warm-up.
if [ -z "$ONLY" ] || [ "$ONLY" = metrics ]; then
  part_begin metrics
  "${TICKETBENCH[@]}" metrics --month-calls "${BENCH_MONTH_CALLS:-1000000}" --year-calls "${BENCH_YEAR_CALLS:-10000000}" \
    >"$OUT/metrics.txt" 2>&1 || echo "metrics: a grouping over its target or a wrong total (see its rows)" >&2
  part_end metrics
fi

# One table. MediaBench rows: | load | streams | p50 | p99 | max | wake | skipped | sent | errors | lost | CPU/call | CPU % |
# CPU µs/pkt | clock µs/pkt | sink | other | alloc | clock alloc | load avg | steal | [rtpengine …]
echo
{
echo "| benchmark | throughput | CPU per unit | send p99 | load avg (1/5/15) | steal |"
echo "|---|---|---|---|---|---|"
[ -f "$OUT/engine.txt" ] && awk -F'|' -v secs="$SECS" '/^\| (hold music|SRTP hold music) /{
  gsub(/\*/, "", $15); gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $20); gsub(/ +/, "/", $20);
  printf "| engine: %s, %s streams | %.0f packets/s sent | **%s µs** per sent packet (clock threads; whole process %s µs, in-process sinks included) | %s ms | %s | %s %% |\n",
    $2, $3 + 0, $9 / secs, $15 + 0, $14 + 0, $5 + 0, $20, $21 + 0 }' "$OUT/engine.txt" | sed 's/engine:  */engine: /'
if [ -f "$OUT/webrtc.txt" ]; then
  grep '^# WebRTC set-up' "$OUT/webrtc.txt" | sed 's/^# /(/; s/$/)/' >&2 || true
  awk -F'|' -v secs="$SECS" '/^\| WebRTC hold music/{
    gsub(/\*/, "", $15); gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $20); gsub(/ +/, "/", $20);
    printf "| engine: %s (ICE-lite, DTLS-SRTP), %s legs | %.0f packets/s sent | **%s µs** per sent packet (clock threads; whole process %s µs, in-process browsers included) | %s ms | %s | %s %% |\n",
      $2, $3 + 0, $9 / secs, $15 + 0, $14 + 0, $5 + 0, $20, $21 + 0 }' "$OUT/webrtc.txt"
fi
if [ -f "$OUT/relay.txt" ]; then
  awk -F'|' -v secs="$SECS" '/^\| hold music /{
    match($0, /relayed [0-9]+ packets at \*\*[0-9.]+/); s = substr($0, RSTART, RLENGTH); split(s, w, " ");
    gsub(/\*/, "", w[5]); gsub(/^ +| +$/, "", $20); gsub(/ +/, "/", $20);
    printf "| anchor: rtpengine userspace relay (Debian, --table=-1), %s streams | %.0f packets/s relayed of %.0f sent | **%s µs** per relayed packet (rtpengine process: receive + send) | – | %s | %s %% |\n",
      $3 + 0, w[2] / secs, $9 / secs, w[5], $20, $21 + 0 }' "$OUT/relay.txt"
  awk -F'|' -v secs="$SECS" '/^\| hold music /{ gsub(/\*/, "", $15); gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $20); gsub(/ +/, "/", $20);
    printf "| (same run) engine sending into rtpengine, %s streams | %.0f packets/s sent | %s µs per sent packet (clock threads) | %s ms | %s | %s %% |\n",
      $3 + 0, $9 / secs, $15 + 0, $5 + 0, $20, $21 + 0 }' "$OUT/relay.txt"
fi
if [ -f "$OUT/sip.txt" ]; then
  grep '^engine idle' "$OUT/sip.txt" | sed 's/^/(SIP rows include the /; s/$/)/' >&2
  # bench.sh: "<target> <scenario> rate=R ok=N failed=F retrans=T elapsed=Es cpu_us_per_req=C load=L steal=S%"
  awk '$2 == "options.xml" || $2 == "echo-call.xml" {
    for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    what = ($2 == "options.xml") ? "OPTIONS" : "INVITE/ACK/BYE calls"
    who = ($1 == "engine") ? "engine" : "anchor: Kamailio (stateless)"
    printf "| %s: %s at %s/s | %.0f ok/s (%s ok, %s failed, %s retransmissions) | **%s µs** per %s (process CPU) | – | %s | %s |\n",
      who, what, v["rate"], v["ok"] / (v["elapsed"] + 0), v["ok"], v["failed"], v["retrans"], v["cpu_us_per_req"],
      ($2 == "options.xml") ? "request" : "call", v["load"], pct(v["steal"]) }
    function pct(x) { sub(/ *%$/, "", x); return x " %" }' "$OUT/sip.txt"
fi
if [ -f "$OUT/calls.txt" ]; then
  # calls.sh: "calls <who> rate=R calls=N failed=F cpu_ms_per_call=C [after_idle=I] load=L steal=S% [verdict=V]"
  awk '$1 == "calls" {
    delete v; for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if ($2 == "engine")
      printf "| engine: inbound calls (greeting, queue, ring, 10 s talk, survey) at %s/s | %s calls, %s failed%s | **%s ms** per call (engine process; %s ms above its idle) | – | %s | %s |\n",
        v["rate"], v["calls"], v["failed"], (v["verdict"] == "0") ? "" : ", verdict FAILED", v["cpu_ms_per_call"], v["after_idle"], v["load"], pct(v["steal"])
    else
      printf "| anchor: sipp↔sipp calls (INVITE, 4.7 s G.711 echoed, 10 s, BYE) at %s/s | %s calls, %s failed | **%s ms** per call (the sipp callee process) | – | %s | %s |\n",
        v["rate"], v["calls"], v["failed"], v["cpu_ms_per_call"], v["load"], pct(v["steal"]) }
    function pct(x) { sub(/ *%$/, "", x); return x " %" }' "$OUT/calls.txt"
fi
for provider in sqlite postgresql; do
  [ -f "$OUT/ingest-$provider.txt" ] || continue
  # IngestBench: "ingest: P: N events (C calls) over S streams in T s = R events/s",
  # "ingest: P: host CPU X s = U µs per event → …", then "ingest: nothing lost or doubled" or "ingest: MISMATCH".
  awk -v p="$provider" -v load="$(cat "$OUT/ingest-$provider.load")" -v steal="$(cat "$OUT/ingest-$provider.steal")" '
    $0 ~ "^ingest: " p ": [0-9]+ events" { events = $3; calls = substr($5, 2); rate = $NF == "events/s" ? $(NF - 1) : "?" }
    $0 ~ "^ingest: " p ": host CPU" { for (i = 1; i <= NF; i++) if ($i == "µs") us = $(i - 1) }
    /^ingest: nothing lost or doubled/ { verdict = "nothing lost or doubled" }
    /^ingest: MISMATCH/ { verdict = "MISMATCH" }
    END {
      if (events == "") { printf "| TicketApi ingest (%s) | failed to run | – | – | %s | %s |\n", p, load, steal; exit }
      printf "| TicketApi ingest (%s): %s whole calls over 4 gRPC streams, 10 %% redelivered | %s events/s (%s events; %s) | **%s µs** host CPU per event | – | %s | %s |\n",
        (p == "sqlite") ? "SQLite" : "PostgreSQL 15, fsync on", calls, rate, events, (verdict == "") ? "no verdict" : verdict, us, load, steal }' \
    "$OUT/ingest-$provider.txt"
done
if [ -f "$OUT/metrics.txt" ]; then
  # MetricsBench: "metrics <period>: groupBy=G median M ms, max X ms, host CPU C ms/request, steal S; offered …"
  awk -v load="$(cat "$OUT/metrics.load")" -v steal="$(cat "$OUT/metrics.steal")" \
      -v month="${BENCH_MONTH_CALLS:-1000000}" -v year="${BENCH_YEAR_CALLS:-10000000}" '
    /^metrics (month|year) / {
      period = $2 " " $3; sub(/:$/, "", period); g = $4; sub(/^groupBy=/, "", g)
      if (g == "") g = $5
      for (i = 1; i <= NF; i++) { if ($i == "median") m = $(i + 1); if ($i == "CPU") c = $(i + 1) }
      if (!(period in seen)) { seen[period] = 1; order[++n] = period }
      list[period] = list[period] (list[period] == "" ? "" : " · ") g " " m
      if (m + 0 > worst[period] + 0) { worst[period] = m; worstg[period] = g; worstc[period] = c }
      if ($0 ~ /over the/) over[period]++
    }
    END {
      for (k = 1; k <= n; k++) {
        p = order[k]; target = (p ~ /^year/) ? "1 s" : "50 ms"
        printf "| TicketApi /api/metrics, %s (%s), by none, hour, day, month, agent, queue, department, category | median ms: %s | slowest: **%s ms** (%s), %s ms host CPU per request | %s | %s | %s |\n",
          p, (p ~ /^year/) ? "2025, " year " calls as rollups" : "Nov 2026, " month " calls", list[p], worst[p], worstg[p], worstc[p],
          (over[p] > 0) ? over[p] " over the " target " target" : "all under " target, load, steal
      }
    }' "$OUT/metrics.txt"
fi
} | tee "$OUT/table.md"

# BENCH_DOC=1: the table (with this run's header) replaces the one between the markers at the top of docs/benchmarks.md.
if [ "${BENCH_DOC:-}" = 1 ]; then
  DOC="$ROOT/docs/benchmarks.md"
  {
    echo "Last regenerated by \`BENCH_DOC=1 tools/bench/run.sh\`: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, commit $(git -C "$ROOT" rev-parse --short HEAD)${ONLY:+, part $ONLY only}. The \"send p99\" column is the media rows' send lateness and the metrics rows' verdict."
    echo
    cat "$OUT/table.md"
  } >"$OUT/block.md"
  awk -v block="$OUT/block.md" '
    /^<!-- bench:begin -->/ { print; while ((getline line < block) > 0) print line; skip = 1; next }
    /^<!-- bench:end -->/ { skip = 0 }
    !skip' "$DOC" >"$OUT/doc.md"
  grep -q '^<!-- bench:begin -->' "$DOC" && cp "$OUT/doc.md" "$DOC" && echo "docs/benchmarks.md: table written" >&2 \
    || echo "docs/benchmarks.md has no <!-- bench:begin --> marker: nothing written" >&2
fi
