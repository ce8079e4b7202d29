#!/usr/bin/env bash
# Fault: TicketApi down for OUTAGE seconds (SIGKILL, nothing flushed) while callers keep dialling; then restarted.
#   tools/faults/ticketapi-outage.sh [OUTAGE_SECONDS=300] [RATE=5] [AGENTS=20] [HOLD_SECONDS=10] [BEFORE_AFTER_SECONDS=45]
# Runs Redis, TicketApi and the AcdEngine from the Release build, AGENTS sipp agent phones (tools/soak/*.xml) and sipp
# callers at RATE calls/s for BEFORE + OUTAGE + AFTER seconds. TicketApi is killed BEFORE seconds in and started again
# (same database) OUTAGE seconds later. The callers all come from 127.0.0.1, a trusted source here (Sip:Limits:TrustedSources,
# as a carrier SBC would be), so the per-source caps do not refuse them. Passes when, after the callers stop: the engine's outbox has drained, TicketApi
# holds every call sipp placed, once, each ended; offered = answered + abandoned + overflowed; no agent ringing or
# talking; no call failed at the caller. The default test suite has the short version
# (FaultsUnderLoadTests.TicketApi_killed_while_calls_go_on_gets_every_call_once_when_it_is_back).
set -euo pipefail
cd "$(dirname "$0")/../.."
outage=${1:-300}; rate=${2:-5}; agents=${3:-20}; hold=${4:-10}; edge=${5:-45}
out=${FAULT_OUT:-$(mktemp -d /tmp/hotline-outage-XXXXXX)}
mkdir -p "$out/data/engine" "$out/data/tickets"
free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
free_tcp() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
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
admin_key="outage-admin-$(date +%s)-$RANDOM"
engine_key="outage-engine-$(date +%s)-$RANDOM-$RANDOM"
engine_key_sha=$(printf %s "$engine_key" | sha256sum | cut -d' ' -f1)
start_tickets() {
  (cd src/TicketApi/bin/Release/net10.0 && Security__DemoMode=true Auth__BootstrapAdminKey="$admin_key" \
    Kestrel__Endpoints__Http__Url=http://127.0.0.1:$t_http Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$t_grpc \
    AcdEngine__Url=http://127.0.0.1:$e_grpc Data__Path="$out/data/tickets" Serilog__MinimumLevel__Default=Warning exec dotnet Hotline.TicketApi.dll) >>"$out/tickets.log" 2>&1 &
  tickets=$!; pids+=($tickets)
}
start_tickets

env_agents=(); echo SEQUENTIAL >"$out/agents.csv"
for i in $(seq 1 "$agents"); do
  user=$((3000 + i)); pw="outage-$user-$RANDOM"; phone=$(free_port)
  echo "$user;$pw;$phone" >>"$out/agents.csv"
  k=$((i - 1))
  env_agents+=("Agents__${k}__Id=a$i" "Agents__${k}__User=$user" "Agents__${k}__Queues__0=general" "Agents__${k}__AutoReady=true"
               "Sip__Accounts__${k}__User=$user" "Sip__Accounts__${k}__Password=$pw")
done
(cd src/AcdEngine/bin/Release/net10.0 && exec env Security__DemoMode=true Sip__Port=$sip \
  Kestrel__Endpoints__Http__Url=http://127.0.0.1:$e_http Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$e_grpc \
  TicketApi__Url=http://127.0.0.1:$t_grpc ConnectionStrings__Redis="127.0.0.1:$redis_port,password=$redis_password,abortConnect=false" \
  Api__Keys__0__Name=outage Api__Keys__0__Role=Admin Api__Keys__0__Sha256="$engine_key_sha" Sip__Limits__TrustedSources__0=127.0.0.1 \
  Data__Path="$out/data/engine" Serilog__MinimumLevel__Default=Warning "${env_agents[@]}" dotnet Hotline.AcdEngine.dll) >"$out/engine.log" 2>&1 &
pids+=($!)
healthy() { curl -sf "http://127.0.0.1:$1/healthz" >/dev/null; }
for _ in $(seq 300); do healthy "$e_http" && healthy "$t_http" && break; sleep 0.2; done
healthy "$e_http" && healthy "$t_http" || { echo "hotline not healthy" >&2; tail -20 "$out/engine.log" "$out/tickets.log" >&2; exit 1; }

while IFS=';' read -r user pw phone; do
  sipp "127.0.0.1:$sip" -sf tools/soak/agent-phone.xml -i 127.0.0.1 -p "$phone" -mp "$(free_port)" -rtp_echo -nostdin \
    -trace_err -error_file "$out/phone-$user.err" >"$out/phone-$user.log" 2>&1 &
  pids+=($!)
done < <(tail -n +2 "$out/agents.csv")
tail -n +2 "$out/agents.csv" | while IFS=';' read -r user pw phone; do
  printf 'SEQUENTIAL\n%s;%s;%s\n' "$user" "$pw" "$phone" >"$out/reg-$user.csv"
  sipp "127.0.0.1:$sip" -sf tools/soak/agent-register.xml -inf "$out/reg-$user.csv" -au "$user" -ap "$pw" -i 127.0.0.1 -p "$(free_port)" -m 1 -nostdin \
    -timeout 10s -timeout_error >"$out/reg-$user.log" 2>&1 || echo "agent $user did not register" >&2
done

since=$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)
secs=$((edge + outage + edge)); calls=$((rate * secs))
sipp "127.0.0.1:$sip" -sn uac -s 12345 -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$calls" \
  -d "$((hold * 1000))" -rtp_echo -nostdin -trace_stat -stf "$out/callers.csv" -fd 5 >"$out/callers.log" 2>&1 &
callers=$!; pids+=($callers)
outbox() { curl -s --max-time 5 -H "Authorization: Bearer $engine_key" "http://127.0.0.1:$e_http/api/sip/stats" | python3 -c 'import json,sys;print(json.load(sys.stdin).get("outboxDepth",""))'; }

sleep "$edge"
echo "$(date -u +%T) killing TicketApi (SIGKILL) for $outage s; outbox $(outbox)"
kill -9 "$tickets"; wait "$tickets" 2>/dev/null || true
peak=0; t0=$(date +%s)
while [ $(( $(date +%s) - t0 )) -lt "$outage" ]; do
  d=$(outbox); [ -n "$d" ] && [ "$d" -gt "$peak" ] && peak=$d
  sleep 10
done
echo "$(date -u +%T) restarting TicketApi; outbox $(outbox) (peak $peak during the outage)"
start_tickets
for _ in $(seq 300); do healthy "$t_http" && break; sleep 0.2; done
t1=$(date +%s)
for _ in $(seq 600); do [ "$(outbox)" = "0" ] && break; sleep 1; done
echo "$(date -u +%T) outbox drained $(( $(date +%s) - t1 )) s after the restart (while calls still come)"

callers_rc=0; wait "$callers" || callers_rc=$?
# The last calls end (hold), agents wrap up, the outbox drains.
for _ in $(seq $((hold + 90))); do [ "$(outbox)" = "0" ] && break; sleep 1; done
sleep "$hold"
for _ in $(seq 60); do [ "$(outbox)" = "0" ] && break; sleep 1; done
until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)
# Agents given back: a leg CANCELled at a phone that never answers the CANCEL may ring out 64*T1 = 32 s (as the soak).
stats() { curl -s --max-time 5 -H "Authorization: Bearer $engine_key" "http://127.0.0.1:$e_http/api/stats"; }
busy() { python3 -c 'import json,sys;print(sum(1 for a in json.load(sys.stdin).get("agents",[]) if a.get("status") in ("Ringing","Talking")))'; }
t2=$(date +%s)
until [ "$(stats | busy)" = "0" ] || [ $(( $(date +%s) - t2 )) -ge 70 ]; do sleep 2; done
echo "agents given back $(( $(date +%s) - t2 )) s after the drain"
live=$(stats)
set +e
python3 - "$out/callers.csv" "$t_http" "$admin_key" "$since" "$until" "$live" "$(outbox)" "$peak" "$callers_rc" "$calls" <<'PY'
import csv, json, sys, urllib.request
stat, port, key, since, until, live, depth, peak, rc, calls = sys.argv[1:]
rows = list(csv.DictReader(open(stat), delimiter=';'))
last = rows[-1]
placed = int(calls); ok = int(last['SuccessfulCall(C)']); failed = int(last['FailedCall(C)'])
def get(path):
    req = urllib.request.Request(f'http://127.0.0.1:{port}{path}', headers={'X-Api-Key': key})
    return json.load(urllib.request.urlopen(req, timeout=30))
calls, page = [], 1
while True:
    p = get(f'/api/calls?from={since}&to={until}&pageSize=200&page={page}')
    calls += p['items']
    if len(calls) >= p['total'] or not p['items']: break
    page += 1
ids = [c['callId'] for c in calls]
open_calls = [c['callId'] for c in calls if not c.get('endedAt')]
t = get(f'/api/metrics?from={since}&to={until}')['total']
offered, answered, abandoned, overflowed = (int(t.get(k, 0)) for k in ('offered', 'answered', 'abandoned', 'overflowed'))
stuck = [f"{a.get('agentId', a.get('id'))}:{a.get('status')}" for a in json.loads(live).get('agents', []) if a.get('status') in ('Ringing', 'Talking')]
print(f'sipp: placed {placed}, successful {ok}, failed {failed} (exit {rc}); outbox peak {peak}, now {depth}')
print(f'TicketApi: {len(ids)} calls ({len(set(ids))} distinct), {len(open_calls)} not ended; '
      f'offered {offered} = answered {answered} + abandoned {abandoned} + overflowed {overflowed}; agents stuck {len(stuck)} {stuck}')
problems = []
if failed or rc != '0': problems.append('calls failed at the caller')
if depth != '0': problems.append('outbox not drained')
if len(ids) != placed or len(set(ids)) != len(ids): problems.append('calls missing or doubled')
if open_calls: problems.append('calls left open')
if offered != placed or offered != answered + abandoned + overflowed: problems.append('figures do not add up')
if stuck: problems.append('agents stuck')
print('PASS' if not problems else 'FAIL: ' + ', '.join(problems))
sys.exit(1 if problems else 0)
PY
status=$?
set -e
echo "logs and figures: $out"
exit $status
