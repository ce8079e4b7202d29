#!/usr/bin/env bash
# Runs the hotline on this machine: installs what is missing, then starts Redis, TicketApi (SQLite) and AcdEngine.
# Ctrl-C stops everything it started. Safe to run twice (a Redis already listening on its port is reused).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tools/install-peers.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Hotline.sln -c Release -nologo -clp:ErrorsOnly

data="${HOTLINE_DATA:-$root/.data}"
redis_port="${REDIS_PORT:-6379}"
sip_port="${SIP_PORT:-5060}"
mkdir -p "$data/redis" "$data/ticketapi" "$data/acdengine"
# TLS everywhere, also in the demo: a local CA and server certificate (tools/certs.sh), made once in the data folder.
tools/certs.sh "$data/tls"
tls=(--Tls:CertificatePath="$data/tls/server.crt" --Tls:KeyPath="$data/tls/server.key" --Tls:CaBundlePath="$data/tls/ca.crt")
sip_tls=(--Sip:Tls:CertificatePath="$data/tls/server.crt" --Sip:Tls:KeyPath="$data/tls/server.key" --Sip:Tls:CaBundlePath="$data/tls/ca.crt")
pids=()
cleanup() {
  trap - INT TERM EXIT
  echo; echo "Stopping…"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

if (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null; then
  echo "Redis already listening on 127.0.0.1:$redis_port, reusing it."
else
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --appendonly yes --daemonize no \
    --logfile "$data/redis/redis.log" &
  pids+=($!)
fi

(cd src/TicketApi/bin/Release/net10.0 && exec dotnet Hotline.TicketApi.dll --Data:Path="$data/ticketapi" "${tls[@]}" \
  --Kestrel:Endpoints:Http:Url=https://127.0.0.1:5000 --Kestrel:Endpoints:Grpc:Url=https://127.0.0.1:5001 \
  --AcdEngine:Url=https://127.0.0.1:5081) &
pids+=($!)
(cd src/AcdEngine/bin/Release/net10.0 && exec dotnet Hotline.AcdEngine.dll --Data:Path="$data/acdengine" \
  --ConnectionStrings:Redis="127.0.0.1:$redis_port,abortConnect=false" --Sip:Port="$sip_port" "${tls[@]}" "${sip_tls[@]}" \
  --Kestrel:Endpoints:Http:Url=https://127.0.0.1:5080 --Kestrel:Endpoints:Grpc:Url=https://127.0.0.1:5081 \
  --TicketApi:Url=https://127.0.0.1:5001) &
pids+=($!)

# Wait for TicketApi (5000) and AcdEngine (5080) to listen before printing where to connect.
for port in 5000 5080; do
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.2
  done
done

cat <<MSG

  Hotline is running.
    SIP (UDP and TCP):  sip:12345@127.0.0.1:$sip_port   (echo test: sip:*43@127.0.0.1:$sip_port)
    SIP over TLS:       sip:12345@127.0.0.1:5061;transport=tls   (SRTP required over TLS)
    Demo agents:        user 1001 / password agent1001, user 1002 / password agent1002
    Console:            https://127.0.0.1:5000/   (admin API key: dev-admin-key-change-me-0001)
    Engine stats:       https://127.0.0.1:5080/api/stats
    Trust this CA:      $data/tls/ca.crt   (browser, softphones' CA file, curl --cacert)
    Data and logs:      $data
  Ctrl-C stops everything.

MSG
wait -n "${pids[@]}" || true
