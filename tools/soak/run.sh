#!/usr/bin/env bash
# Soak: the whole hotline under steady load, sampled every 10 s; fails on growth or on anything left stuck.
#   tools/soak/run.sh [MINUTES=60] [RATE=20] [AGENTS=20] [HOLD_SECONDS=15]     (SOAK_SECONDS=n overrides MINUTES)
#   Other call shapes (tools/bench/calls.sh): SOAK_CALLER_SCENARIO=<sipp xml> (instead of hanging up after HOLD_SECONDS),
#   SOAK_AGENT_SCENARIO=<sipp xml>, SOAK_ONE_PHONE=1 (every agent's contact on one sipp process), SOAK_ENGINE_ENV="K=V …".
# Runs Redis, TicketApi and the AcdEngine from the Release build, AGENTS sipp agent phones (registered with digest,
# answering with G.711, RTP echoed) and sipp callers dialling the hotline at RATE calls/s, each streaming audio
# (echo) and hanging up HOLD_SECONDS after the engine answers (in the IVR, the queue or with an agent).
# Every 10 s: engine RSS, managed heap, threads, file descriptors, RTP ports in use, SIP transactions, outbox depth,
# open calls, queue lengths, agents by state -> $SOAK_OUT/samples.csv (default: a temp folder, printed at the end).
# Verdict (tools/soak/verdict.py): no growth over the last 40 minutes (the last 2/3 of a shorter run), and after the
# callers stop: no call open, no agent ringing or talking, outbox drained, offered = answered + abandoned + overflowed.
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-60}; rate=${2:-20}; agents=${3:-20}; hold=${4:-15}
out=${SOAK_OUT:-$(mktemp -d /tmp/hotline-soak-XXXXXX)}
mkdir -p "$out/data/engine" "$out/data/tickets"
# Ports free for TCP and UDP, chosen above the kernel's ephemeral range (ip_local_port_range), where no socket bound to
# port 0 and no other test's FreePort ever draws: the test command runs the end-to-end assembly beside this soak, and a
# port probed free here was once taken by one of its processes before the engine bound it (3 Dec 2026, 07:09). Never
# the same port twice in one run, and room above each (sipp takes -mp and the next ports). Below the range instead when
# it reaches the top (10000-19999, under the RTP default).
read -r _ ephemeral_high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || ephemeral_high=60999
if (( ephemeral_high < 64000 )); then port_low=$((ephemeral_high + 1)); port_high=64999; else port_low=10000; port_high=19999; fi
: >"$out/ports"
free_port() {
  local p
  while :; do
    p=$(python3 -c '
import random, socket, sys
p = random.randint(int(sys.argv[1]), int(sys.argv[2]))
try:
    t = socket.socket(); t.bind(("127.0.0.1", p))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", p))
    print(p)
except OSError:
    print(0)' "$port_low" "$port_high")
    if [[ $p != 0 ]] && ! grep -qx "$p" "$out/ports"; then echo "$p" >>"$out/ports"; echo "$p"; return; fi
  done
}
free_tcp() { free_port; }
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap "exit 130" INT TERM
for p in src/AcdEngine/bin/Release/net10.0/Hotline.AcdEngine.dll src/TicketApi/bin/Release/net10.0/Hotline.TicketApi.dll; do
  [ -f "$p" ] || { echo "build first: dotnet build Hotline.sln -c Release ($p missing)" >&2; exit 2; }
done

redis_port=$(free_tcp); sip=$(free_port); e_http=$(free_tcp); e_grpc=$(free_tcp); t_http=$(free_tcp); t_grpc=$(free_tcp)
redis_password="r$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" # Redis wants a password, as a site's should
printf 'requirepass %s\n' "$redis_password" | redis-server - --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$out/redis.log" 2>&1 & pids+=($!)
admin_key="soak-admin-$(date +%s)-$RANDOM"
# The engine's HTTP API wants a bearer key (Api:Keys, COMMON identity model): an Admin key made for this run.
engine_key="soak-engine-$(date +%s)-$RANDOM-$RANDOM"
engine_key_sha=$(printf %s "$engine_key" | sha256sum | cut -d' ' -f1)
(cd src/TicketApi/bin/Release/net10.0 && Security__DemoMode=true Auth__BootstrapAdminKey="$admin_key" \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:$t_http Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$t_grpc \
  AcdEngine__Url=http://127.0.0.1:$e_grpc Data__Path="$out/data/tickets" Serilog__MinimumLevel__Default=Warning exec dotnet Hotline.TicketApi.dll) >"$out/tickets.log" 2>&1 & pids+=($!)

# Agents a1..aN on SIP accounts 3001.., each a sipp phone on its own port.
env_agents=(); : >"$out/agents.csv"; echo SEQUENTIAL >"$out/agents.csv"
agent_scenario=${SOAK_AGENT_SCENARIO:-tools/soak/agent-phone.xml}
one_phone=""; if [ -n "${SOAK_ONE_PHONE:-}" ]; then one_phone=$(free_port); fi
for i in $(seq 1 "$agents"); do
  user=$((3000 + i)); pw="soak-$user-$RANDOM"; phone=${one_phone:-$(free_port)}
  echo "$user;$pw;$phone" >>"$out/agents.csv"
  k=$((i - 1))
  env_agents+=("Agents__${k}__Id=a$i" "Agents__${k}__User=$user" "Agents__${k}__Queues__0=general" "Agents__${k}__AutoReady=true"
               "Sip__Accounts__${k}__User=$user" "Sip__Accounts__${k}__Password=$pw")
done
# The sipp callers stand for a carrier trunk (every citizen's call from one address): trusted, as a site trusts its SBC
# (Sip:Limits:TrustedSources), or the per-source caps of docs/security.md would refuse most of the load.
(cd src/AcdEngine/bin/Release/net10.0 && exec env Security__DemoMode=true Sip__Port=$sip \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:$e_http Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$e_grpc \
  TicketApi__Url=http://127.0.0.1:$t_grpc ConnectionStrings__Redis="127.0.0.1:$redis_port,password=$redis_password,abortConnect=false" \
  Api__Keys__0__Name=soak Api__Keys__0__Role=Admin Api__Keys__0__Sha256="$engine_key_sha" \
  Data__Path="$out/data/engine" Serilog__MinimumLevel__Default=Warning "${env_agents[@]}" \
  Sip__Limits__TrustedSources__0=127.0.0.1 ${SOAK_ENGINE_ENV:-} dotnet Hotline.AcdEngine.dll) >"$out/engine.log" 2>&1 &
engine=$!; pids+=($engine)
for _ in $(seq 300); do curl -sf "http://127.0.0.1:$e_http/healthz" >/dev/null && curl -sf "http://127.0.0.1:$t_http/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$e_http/healthz" >/dev/null || { echo "engine not healthy" >&2; tail -20 "$out/engine.log" >&2; exit 1; }
engine_pid=$engine # the subshell exec'd env, which exec'd dotnet: same process

# Agent phones: each listens (or one for all, SOAK_ONE_PHONE), then registers its contact.
while IFS=';' read -r user pw phone; do
  sipp "127.0.0.1:$sip" -sf "$agent_scenario" -i 127.0.0.1 -p "$phone" -mp "$(free_port)" -rtp_echo -nostdin \
    -trace_err -error_file "$out/phone-$user.err" >"$out/phone-$user.log" 2>&1 &
  pids+=($!)
  if [ -n "$one_phone" ]; then break; fi
done < <(tail -n +2 "$out/agents.csv")
# Registrations last an hour (Expires: 3600); like real phones, they are refreshed every half hour, or every agent
# would turn unreachable (not ready) when a one-hour soak reaches its last minute.
register_agents() {
  tail -n +2 "$out/agents.csv" | while IFS=';' read -r user pw phone; do
    printf 'SEQUENTIAL\n%s;%s;%s\n' "$user" "$pw" "$phone" >"$out/reg-$user.csv"
    sipp "127.0.0.1:$sip" -sf tools/soak/agent-register.xml -inf "$out/reg-$user.csv" -au "$user" -ap "$pw" -i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin \
      -timeout 10s -timeout_error >>"$out/reg-$user.log" 2>&1 || echo "agent $user did not register" >&2
  done
}
register_agents

sample() { # t,rss_kb,managed,threads,fds,rtp,transactions,sessions,outbox,open_calls,waiting,ready,ringing,talking,wrapup,notready,offered,answered,abandoned
  local t=$1 rss stats live
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$engine_pid/status" 2>/dev/null || echo 0)
  stats=$(curl -s --max-time 5 -H "Authorization: Bearer $engine_key" "http://127.0.0.1:$e_http/api/sip/stats" || echo '{}')
  live=$(curl -s --max-time 5 -H "Authorization: Bearer $engine_key" "http://127.0.0.1:$e_http/api/stats" || echo '{}')
  python3 - "$t" "$rss" "$stats" "$live" <<'PY'
import json, sys
t, rss, s, l = sys.argv[1], sys.argv[2], json.loads(sys.argv[3] or '{}'), json.loads(sys.argv[4] or '{}')
q = l.get('queues') or []
def qs(k): return sum(int(x.get(k, 0) or 0) for x in q)
st = [a.get('status', '') for a in l.get('agents') or []]
print(','.join(str(v) for v in [t, rss, s.get('managedBytes', ''), s.get('threads', ''), s.get('fileDescriptors', ''), s.get('rtpPortsInUse', ''),
  s.get('transactions', ''), s.get('sessions', ''), s.get('outboxDepth', ''), s.get('openCalls', ''), qs('waiting'),
  st.count('Ready'), st.count('Ringing'), st.count('Talking'), st.count('WrapUp'), st.count('NotReady'),
  qs('offeredToday'), qs('answeredToday'), qs('abandonedToday')]))
PY
}
caller_shape=(-sn uac -d "$((hold * 1000))")
if [ -n "${SOAK_CALLER_SCENARIO:-}" ]; then caller_shape=(-sf "$SOAK_CALLER_SCENARIO" -l $((rate * 120))); fi # else sipp caps open calls by its own guess of a call's length
secs=${SOAK_SECONDS:-$((minutes * 60))}
# SOAK_WARMUP_SECONDS: callers at RATE for that long first, all finished before anything is measured — a process's
# first calls cost several times a steady call (JIT and tiered recompilation: 55 % of a 3-call/s minute's CPU).
offered0=0
if [ -n "${SOAK_WARMUP_SECONDS:-}" ]; then
  timeout $((SOAK_WARMUP_SECONDS + hold + 90)) sipp "127.0.0.1:$sip" "${caller_shape[@]}" -s 12345 -i 127.0.0.1 -p "$(free_port)" \
    -mp "$(free_port)" -r "$rate" -m "$((rate * SOAK_WARMUP_SECONDS))" -rtp_echo -nostdin >"$out/warmup.log" 2>&1 || echo "warm-up callers: exit $?" >&2
  for _ in $(seq 60); do [ "$(sample warm | cut -d, -f10)" = 0 ] && break; sleep 1; done
  offered0=$(sample warm | cut -d, -f17)
fi
# The engine's own CPU per call (issue 22): utime+stime of the engine process, from /proc, over the load and the drain,
# divided by the calls offered; its idle CPU (timers, the media clock's idle lanes) measured for 5 s before is said
# beside it, and subtracted in the second figure.
tick=$(getconf CLK_TCK)
engine_ticks() { awk '{ print $14 + $15 }' "/proc/$engine_pid/stat"; }
idle0=$(engine_ticks); sleep 5; idle1=$(engine_ticks)
# Per thread too, to say where a call's CPU goes (threads by name: media-clock-N, media-receive-N, .NET TP Worker …).
thread_ticks() { for t in /proc/"$engine_pid"/task/*; do printf '%s %s %s\n' "${t##*/}" "$(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)" "$(tr ' ' _ <"$t/comm" 2>/dev/null)"; done; }
thread_ticks >"$out/threads0.txt"
# RTP packets sent and received by the engine (its /metrics, open in demo mode), to give the media's share per packet.
rtp_packets() { curl -s --max-time 5 "http://127.0.0.1:$e_http/metrics" | awk '/^hotline_rtp_packets_sent/ { s = $NF } /^hotline_rtp_packets_received/ { r = $NF } END { print s + 0, r + 0 }'; }
read -r sent0 received0 < <(rtp_packets)
cpu0=$(engine_ticks); cpu_t0=$(date +%s.%N)
sipp "127.0.0.1:$sip" "${caller_shape[@]}" -s 12345 -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$((rate * secs))" \
  -rtp_echo -nostdin -trace_stat -stf "$out/callers.csv" -fd 10 >"$out/callers.log" 2>&1 &
callers=$!; pids+=($callers)

echo "t,rss_kb,managed_bytes,threads,fds,rtp_ports,transactions,sessions,outbox,open_calls,waiting,ready,ringing,talking,wrapup,not_ready,offered,answered,abandoned" >"$out/samples.csv"
start=$(date +%s)
registered=$start
while kill -0 "$callers" 2>/dev/null && [ $(( $(date +%s) - start )) -lt $((secs + hold + 30)) ]; do
  sample $(( $(date +%s) - start )) | tee -a "$out/samples.csv"
  if [ $(( $(date +%s) - registered )) -ge 1800 ]; then register_agents; registered=$(date +%s); fi
  sleep 10
done
kill "$callers" 2>/dev/null || true
# Drain: the last callers hang up, agents wrap up, the outbox empties, and every call's RTP ports and SIP sessions are
# given back (a CANCELled leg may wait out 64*T1 = 32 s for a phone that never answers the CANCEL). Sampled every 5 s
# until all of that is back, or hold + 70 s have passed; the last sample is the one judged.
drain_start=$(date +%s)
while true; do
  sample drained >"$out/drained.csv"
  python3 - "$out/drained.csv" <<'PY' && break
import sys
v = open(sys.argv[1]).read().strip().split(",")
# rtp_ports, sessions, outbox, open_calls, ringing, talking
sys.exit(0 if all((v[i] or "0") == "0" for i in (5, 7, 8, 9, 12, 13)) else 1)
PY
  [ $(( $(date +%s) - drain_start )) -ge $((hold + 70)) ] && break
  sleep 5
done
echo "drained after $(( $(date +%s) - drain_start )) s:"; cat "$out/drained.csv"
# SIP sessions left after the drain: which (by state; the Call-IDs of ended ones still held) and what the log says of them.
if [ "$(cut -d, -f8 "$out/drained.csv")" != 0 ]; then
  curl -s --max-time 5 -H "Authorization: Bearer $engine_key" "http://127.0.0.1:$e_http/api/sip/stats" >"$out/sip-stats.json" || true
  python3 -c 'import json, sys; print("SIP sessions left:", json.dumps(json.load(open(sys.argv[1])).get("sessionStates")))' "$out/sip-stats.json" || true
  for id in $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1])).get("sessionStates", {}).get("endedCallIds", [])))' "$out/sip-stats.json" 2>/dev/null); do
    echo "engine log for $id:"; grep -F "$id" "$out/engine.log" | head -40 || true
    grep -lF "$id" "$out"/phone-*.err "$out"/phone-*.log 2>/dev/null | sed 's/^/  named in /' || true
  done
fi
cpu1=$(engine_ticks); cpu_t1=$(date +%s.%N)
thread_ticks >"$out/threads1.txt"
read -r sent1 received1 < <(rtp_packets)
offered=$(( $(cut -d, -f17 "$out/drained.csv") - offered0 ))
awk -v c=$((cpu1 - cpu0)) -v i=$((idle1 - idle0)) -v tick="$tick" -v t0="$cpu_t0" -v t1="$cpu_t1" -v n="${offered:-0}" 'BEGIN {
  secs = t1 - t0; idle = i / tick / 5; busy = c / tick;
  if (n > 0) printf "engine CPU per call: %.1f ms (%.1f s of engine CPU over %.0f s for %d calls offered; %.1f ms after its idle %.1f %% of a core)\n",
    busy * 1000 / n, busy, secs, n, (busy - idle * secs) * 1000 / n, idle * 100 }' | tee "$out/cpu-per-call.txt"
# The same CPU by thread name (digits dropped: all media-clock-N together); "other" = threads gone or new since.
python3 - "$out/threads0.txt" "$out/threads1.txt" $((cpu1 - cpu0)) "$tick" "${offered:-0}" $((sent1 - sent0)) $((received1 - received0)) <<'PY' | tee -a "$out/cpu-per-call.txt"
import re, sys
def load(p): return {l.split()[0]: (int(l.split()[1]), l.split()[2]) for l in open(p) if len(l.split()) == 3}
a, b, total, tick, n = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
sent, received = int(sys.argv[6]), int(sys.argv[7])
groups = {}
for tid, (t1, name) in b.items():
    if tid in a:
        key = re.sub(r"[-_#]?\d+$", "", name.strip("_")) or name
        groups[key] = groups.get(key, 0) + t1 - a[tid][0]
groups["other (threads started or ended during the run)"] = total - sum(groups.values())
if n > 0:
    print("engine CPU per call by thread: " + ", ".join(f"{k} {v * 1000 / tick / n:.1f} ms" for k, v in sorted(groups.items(), key=lambda kv: -kv[1]) if v > 0))
    media = sum(v for k, v in groups.items() if k.startswith("media-"))
    if sent + received > 0:
        print(f"engine RTP per call: {sent / n:.0f} packets sent, {received / n:.0f} received; media threads "
              f"{media * 1e6 / tick / (sent + received):.1f} µs per packet sent or received")
PY
load=$(cut -d' ' -f1-3 /proc/loadavg); steal=$(awk '/^cpu / {print $9}' /proc/stat)
echo "load average: $load; cpu steal jiffies: $steal" | tee "$out/machine.txt"
set +e
python3 tools/soak/verdict.py "$out/samples.csv" "$out/drained.csv" "$(python3 -c "print($secs/60)")" "$out/callers.csv"
status=$?
set -e
echo "samples: $out/samples.csv"
exit $status
