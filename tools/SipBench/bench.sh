#!/usr/bin/env bash
# SIP benchmark: the same sipp client drives our AcdEngine and a stateless Kamailio, one after the other in one run.
#   tools/SipBench/bench.sh [OPTIONS_RATE=4000] [SECONDS=10] [CALL_RATE=100] [CALLS=1000]
# Needs a Release build of src/AcdEngine (dotnet build src/AcdEngine -c Release), sipp and kamailio.
# Prints one line per run: target, scenario, rate, successful, failed, retransmissions, elapsed seconds, and the
# target's CPU per request (utime+stime of its processes over the run, from /proc; Kamailio: its main process and
# its children) with the load average and steal of those seconds.
#   SIP_UDP_BATCH=1 tools/SipBench/bench.sh …   # the engine's Sip:UdpBatch (default 16: recvmmsg/sendmmsg on Linux;
#                                              # 1: one recvfrom/sendto per datagram, the code before issue 22)
#   SIP_WARMUP_SECONDS=3 tools/SipBench/bench.sh …  # OPTIONS at the rate before the measured run (JIT tiering; default
#                                              # 0.1 s, as before), sent to Kamailio too so both see the same warm-up
#   SIP_CLIENTS=2 tools/SipBench/bench.sh …       # that many sipp clients at once, each at its share of the rate, their
#                                              # counts summed (default 1); the same clients for both targets
#   SIP_KEEP=1 tools/SipBench/bench.sh …          # keep sipp's outputs and the logs (the folder is printed)
#   SIP_SIPP_ARGS="-trace_rtt -rtt_freq 1" …      # more sipp options (with SIP_KEEP: each answer's time, in ms)
# CALLS=0 skips the INVITE/ACK/BYE runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
rate=${1:-4000}; secs=${2:-10}; call_rate=${3:-100}; calls=${4:-1000}; clients=${SIP_CLIENTS:-1}
free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
work=$(mktemp -d)
engine_port=$(free_port); kam_port=$(free_port); http_port=$(free_port); grpc_port=$(free_port)
cleanup() { [[ -n "${engine_pid:-}" ]] && kill "$engine_pid" 2>/dev/null || true; [[ -n "${kam_pid:-}" ]] && kill "$kam_pid" 2>/dev/null || true; if [[ -n "${SIP_KEEP:-}" ]]; then echo "sipp outputs and logs kept in $work" >&2; else rm -rf "$work"; fi; }
trap cleanup EXIT

# Demo mode: the engine's own appsettings.json holds the published demo SIP accounts (nothing here registers).
# The engine's HTTP API wants a bearer key even in demo mode: an Admin key made for this run reads /api/sip/stats.
api_key="bench-$(date +%s)-$RANDOM-$RANDOM"
api_key_sha=$(printf %s "$api_key" | sha256sum | cut -d' ' -f1)
(cd src/AcdEngine/bin/Release/net10.0 && Api__Keys__0__Name=bench Api__Keys__0__Role=Admin Api__Keys__0__Sha256="$api_key_sha" Sip__UdpBatch=${SIP_UDP_BATCH:-16} Security__DemoMode=true Sip__Limits__TrustedSources__0=127.0.0.1 Sip__Port=$engine_port Kestrel__Endpoints__Http__Url=http://127.0.0.1:$http_port \
  Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$grpc_port Data__Path=$work/data Serilog__MinimumLevel__Default=Warning \
  exec dotnet Hotline.AcdEngine.dll >"$work/engine.log" 2>&1) &
engine_pid=$!
mkdir -p "$work/kam"
kamailio -f tools/SipBench/kamailio-stateless.cfg -DD -E -A "PORT=$kam_port" -Y "$work/kam" >"$work/kam.log" 2>&1 &
kam_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http_port/healthz" >/dev/null && break; sleep 0.2; done

tick=$(getconf CLK_TCK)
pids_of() { if [[ $1 == engine ]]; then echo "$engine_pid"; else echo "$kam_pid" $(pgrep -P "$kam_pid" || true); fi; }
cpu_ticks() { local t=0 p; for p in "$@"; do [[ -r /proc/$p/stat ]] && t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat"))); done; echo "$t"; }
steal_and_total() { awk '/^cpu /{t=0; for(i=2;i<=9;i++) t+=$i; print $9, t}' /proc/stat; }
# The machine's UDP datagrams dropped for a full receive buffer (/proc/net/snmp Udp RcvbufErrors): a request dropped
# there is one sipp retransmits, whichever process's buffer it was (the target's, or sipp's own for the answers).
udp_rcvbuf_errors() { awk '/^Udp:/ { if (!h) { for (i = 1; i <= NF; i++) if ($i == "RcvbufErrors") c = i; h = 1 } else print $c }' /proc/net/snmp; }

run() { # target port scenario service rate count
  local name=$1 port=$2 scenario=$3 service=$4 r=$5 m=$6 out="$work/$1-$3.txt"
  local start end c0 c1 s0 t0 s1 t1 d0 d1
  # shellcheck disable=SC2046
  c0=$(cpu_ticks $(pids_of "$name")); read -r s0 t0 < <(steal_and_total); d0=$(udp_rcvbuf_errors)
  start=$(date +%s.%N)
  # sipp's own socket buffers are 64 KB unless told (-buff_size): at 20,000/s a short stall of sipp overflowed its
  # receive buffer, the kernel dropped the 200s, and sipp retransmitted those requests — counted against the target.
  # Every retransmission of the runs of 4 Dec 18:47 matched one such drop (udp_rcvbuf_drops). 4 MB, like the engine's.
  # SIP_CLIENTS sipp processes side by side, each at its share of the rate (one sipp near 20,000/s is at its own limit
  # on two cores: its late sends and reads show as retransmissions of either target).
  local k pids=() share_r share_m
  for ((k = 0; k < clients; k++)); do
    share_r=$(( r / clients + (k < r % clients ? 1 : 0) )); share_m=$(( m / clients + (k < m % clients ? 1 : 0) ))
    sipp "127.0.0.1:$port" -sf "tools/sipp/$scenario" -s "$service" -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" \
      -r "$share_r" -m "$share_m" -l 20000 -timeout "$((secs * 3 + 30))s" -nostdin -buff_size 4194304 ${SIP_SIPP_ARGS:-} >"$out.$k" 2>&1 &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || true; done
  end=$(date +%s.%N)
  # shellcheck disable=SC2046
  c1=$(cpu_ticks $(pids_of "$name")); read -r s1 t1 < <(steal_and_total); d1=$(udp_rcvbuf_errors)
  cat "$out".* >"$out"
  local ok failed retrans
  ok=$(awk -F'|' '/Successful call/ {gsub(/ /,"",$3); s+=$3} END {print s+0}' "$out")
  failed=$(awk -F'|' '/Failed call/ {gsub(/ /,"",$3); s+=$3} END {print s+0}' "$out")
  # "OPTIONS ---------->  [B-RTD1]  Messages  Retrans …": the second number after the arrow.
  retrans=$(awk '/---------->/ { n = 0; for (i = 1; i <= NF; i++) if ($i == "---------->") a = i;
    for (i = a + 1; i <= NF; i++) if ($i ~ /^[0-9]+$/ && ++n == 2) { s += $i; break } } END { print s + 0 }' "$out")
  local cpu_us steal
  cpu_us=$(awk -v c=$((c1 - c0)) -v tick="$tick" -v n="${ok:-0}" 'BEGIN { printf "%.1f", n ? c / tick * 1e6 / n : 0 }')
  steal=$(awk -v a=$((s1 - s0)) -v b=$((t1 - t0)) 'BEGIN { printf "%.1f", b ? 100 * a / b : 0 }')
  printf '%-9s %-15s rate=%-5s ok=%-7s failed=%-5s retrans=%-6s elapsed=%.2fs cpu_us_per_req=%s load=%s steal=%s%% udp_rcvbuf_drops=%s\n' \
    "$name" "$scenario" "$r" "$ok" "$failed" "$retrans" "$(echo "$end - $start" | bc)" "$cpu_us" "$(cut -d' ' -f1 /proc/loadavg)" "$steal" "$((d1 - d0))"
}

warm=$(awk -v r="$rate" -v s="${SIP_WARMUP_SECONDS:-0.1}" 'BEGIN { printf "%d", r * s }')
echo "engine Sip:UdpBatch=${SIP_UDP_BATCH:-16}; $clients sipp client(s) per run; warm-up ${SIP_WARMUP_SECONDS:-0.1} s ($warm OPTIONS) to each target before its run"
run engine "$engine_port" options.xml hotline "$rate" "$warm" >/dev/null   # JIT warm-up, not reported
# The engine's own CPU while idle (timers, the media clock's idle lanes), said beside the per-request figures, which
# include it: at low rates it is a visible share. Taken after the warm-up, so start-up and first-call JIT are not in it.
i0=$(cpu_ticks "$engine_pid"); sleep 3; i1=$(cpu_ticks "$engine_pid")
echo "engine idle (after the warm-up): $(awk -v c=$((i1 - i0)) -v tick="$tick" 'BEGIN { printf "%.1f", c / tick / 3 * 100 }') % of one core"
run engine "$engine_port" options.xml hotline "$rate" "$((rate * secs))"
run kamailio "$kam_port" options.xml hotline "$rate" "$warm" >/dev/null
run kamailio "$kam_port" options.xml hotline "$rate" "$((rate * secs))"
if [[ $calls -gt 0 ]]; then
  run engine "$engine_port" echo-call.xml '*43' "$call_rate" "$calls"
  run kamailio "$kam_port" echo-call.xml '*43' "$call_rate" "$calls"
fi
echo "engine after the run: $(curl -s -H "Authorization: Bearer $api_key" "http://127.0.0.1:$http_port/api/sip/stats")"
