#!/usr/bin/env bash
# Memory soak: OPTIONS at RATE/s and echo calls at CALLS/s against the AcdEngine for MINUTES minutes,
# sampling /api/sip/stats (managed heap, working set, live transactions) every 30 s.
#   tools/SipBench/soak.sh [MINUTES=10] [RATE=2000] [CALLS=50]
set -euo pipefail
cd "$(dirname "$0")/../.."
minutes=${1:-10}; rate=${2:-2000}; call_rate=${3:-50}
free_port() { python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
work=$(mktemp -d)
port=$(free_port); http=$(free_port); grpc=$(free_port)
(cd src/AcdEngine/bin/Release/net10.0 && Sip__Limits__TrustedSources__0=127.0.0.1 Sip__Port=$port Kestrel__Endpoints__Http__Url=http://127.0.0.1:$http \
  Kestrel__Endpoints__Grpc__Url=http://127.0.0.1:$grpc Data__Path=$work/data Serilog__MinimumLevel__Default=Warning \
  exec dotnet Hotline.AcdEngine.dll >"$work/engine.log" 2>&1) &
engine=$!
trap 'kill $engine 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$http/healthz" >/dev/null && break; sleep 0.2; done
secs=$((minutes * 60))
sipp "127.0.0.1:$port" -sf tools/sipp/options.xml -s hotline -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$rate" -m "$((rate * secs))" -nostdin >"$work/options.txt" 2>&1 &
o=$!
sipp "127.0.0.1:$port" -sf tools/sipp/echo-call.xml -s '*43' -i 127.0.0.1 -p "$(free_port)" -mp "$(free_port)" -r "$call_rate" -m "$((call_rate * secs))" -nostdin >"$work/calls.txt" 2>&1 &
c=$!
for i in $(seq 0 30 "$secs"); do
  echo "t=${i}s $(curl -s "http://127.0.0.1:$http/api/sip/stats")"
  sleep 30
done
wait $o $c || true
for f in options calls; do
  echo "$f: ok=$(awk -F'|' '/Successful call/ {gsub(/ /,"",$3); print $3}' "$work/$f.txt") failed=$(awk -F'|' '/Failed call/ {gsub(/ /,"",$3); print $3}' "$work/$f.txt")"
done
echo "end $(curl -s "http://127.0.0.1:$http/api/sip/stats")"
