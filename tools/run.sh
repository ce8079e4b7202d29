#!/usr/bin/env bash
# Runs the hotline on this machine: installs what is missing, publishes the programs (only when sources changed),
# then starts Redis, TicketApi (SQLite) and AcdEngine. Ctrl-C stops them in order: AcdEngine, TicketApi, Redis.
#
# Ports and folders (environment; defaults in brackets), see docs/operations.md:
#   HOTLINE_TICKETAPI_HTTP_PORT [5000]  HOTLINE_TICKETAPI_GRPC_PORT [5001]
#   HOTLINE_ENGINE_HTTP_PORT    [5080]  HOTLINE_ENGINE_GRPC_PORT    [5081]
#   Sip__Port or SIP_PORT       [5060]  REDIS_PORT                  [6379]
#   HOTLINE_DATA [.data]  data and logs;  HOTLINE_CACHE [.cache]  published programs
# Any other setting can be given the programs' way, as Section__Key environment variables (e.g. Acd__WrapUpSeconds=5).
# Exits non-zero when another run holds the same data folder or ports, when the build fails, or when a program fails.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

data="${HOTLINE_DATA:-$root/.data}"
cache="${HOTLINE_CACHE:-$root/.cache}"
redis_port="${REDIS_PORT:-6379}"
sip_port="${Sip__Port:-${SIP_PORT:-5060}}"
ticket_http="${HOTLINE_TICKETAPI_HTTP_PORT:-5000}"
ticket_grpc="${HOTLINE_TICKETAPI_GRPC_PORT:-5001}"
engine_http="${HOTLINE_ENGINE_HTTP_PORT:-5080}"
engine_grpc="${HOTLINE_ENGINE_GRPC_PORT:-5081}"
sip_tls_port="${Sip__Tls__Port:-5061}"

fail() { echo "tools/run.sh: $*" >&2; exit 1; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- 1. One run at a time: a lock on the data folder, then every port free, before anything starts. ---
mkdir -p "$data/redis" "$data/ticketapi" "$data/acdengine"
exec 9>"$data/run.lock"
if ! flock -n 9; then
  fail "another tools/run.sh is already running with data folder $data (pid $(cat "$data/run.pid" 2>/dev/null || echo '?')). Stop it (Ctrl-C) first, or use another HOTLINE_DATA and other ports."
fi
echo $$ >"$data/run.pid"
for spec in "TicketApi HTTP:$ticket_http:HOTLINE_TICKETAPI_HTTP_PORT" "TicketApi gRPC:$ticket_grpc:HOTLINE_TICKETAPI_GRPC_PORT" \
            "AcdEngine HTTP:$engine_http:HOTLINE_ENGINE_HTTP_PORT" "AcdEngine gRPC:$engine_grpc:HOTLINE_ENGINE_GRPC_PORT" \
            "SIP (TCP):$sip_port:Sip__Port" "SIP (TLS):$sip_tls_port:Sip__Tls__Port"; do
  IFS=: read -r what port var <<<"$spec"
  if listening "$port"; then fail "port $port ($what) is already in use on 127.0.0.1; stop what uses it or set $var."; fi
done

# --- 2. Peers and published programs (rebuilt only when src/, protos/ or Directory.* changed). ---
tools/install-peers.sh run
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
sources_hash() {
  find src protos Directory.Build.props Directory.Packages.props global.json -type f \
    -not -path '*/bin/*' -not -path '*/obj/*' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
}
hash=$(sources_hash)
if [[ "$(cat "$cache/sources.sha256" 2>/dev/null)" != "$hash" ]]; then
  rm -f "$cache/sources.sha256"
  step=0
  for program in TicketApi AcdEngine; do
    step=$((step + 1))
    echo "[$step/2] Publishing $program (sources changed; the first build takes a few minutes)…"
    started=$SECONDS
    dotnet publish "src/$program" -c Release -o "$cache/$(echo "$program" | tr '[:upper:]' '[:lower:]')" -nologo -v:minimal -clp:NoSummary \
      || fail "building $program failed (see above)."
    echo "      $program published in $((SECONDS - started)) s."
  done
  echo "$hash" >"$cache/sources.sha256"
else
  echo "Programs up to date in $cache (no source change since the last build)."
fi

# --- 3. Start, each console line prefixed with the program's name. ---
pids=() names=() redis_pid=""
prefixed() { sed -u "s/^/[$1] /"; }
stop_all() {
  trap - INT TERM EXIT
  echo "Stopping…"
  # Engine first (its events stay in its outbox), then TicketApi, then Redis, which both still use while stopping.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    timeout 15 tail --pid="${pids[$i]}" -f /dev/null 2>/dev/null || kill -KILL "${pids[$i]}" 2>/dev/null || true
  done
  if [[ -n "$redis_pid" ]]; then kill -TERM "$redis_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM   # Ctrl-C: a requested stop.
trap stop_all EXIT                   # Any failure below: nothing is left running.

# Redis wants a password (docs/security.md): one of this data folder, made once, 0600. A Redis already listening is
# reused with REDIS_PASSWORD when given (without one the engine warns that any local process can write to it).
redis_secret="$data/redis/password"
if listening "$redis_port"; then
  echo "Redis already listening on 127.0.0.1:$redis_port, reusing it."
  redis_password="${REDIS_PASSWORD:-}"
else
  if [[ ! -s "$redis_secret" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$redis_secret")
  fi
  chmod 600 "$redis_secret"
  redis_password=$(<"$redis_secret")
  # The password goes in through stdin's config, not the command line (which `ps` shows to every local user).
  printf 'requirepass %s\n' "$redis_password" | redis-server - --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" \
    --appendonly yes --daemonize no --logfile "$data/redis/redis.log" &
  redis_pid=$!
fi
redis_connection="127.0.0.1:$redis_port,abortConnect=false${redis_password:+,password=$redis_password}"

# TLS everywhere, also in the demo: a local CA and server certificate (tools/certs.sh), made once in the data folder.
tools/certs.sh "$data/tls"
tls_env=(Tls__CertificatePath="$data/tls/server.crt" Tls__KeyPath="$data/tls/server.key" Tls__CaBundlePath="$data/tls/ca.crt")
sip_tls_env=(Sip__Tls__Port="$sip_tls_port" Sip__Tls__CertificatePath="$data/tls/server.crt" Sip__Tls__KeyPath="$data/tls/server.key"
  Sip__Tls__CaBundlePath="$data/tls/ca.crt")
url() { echo "https://127.0.0.1:$1"; }
# The operator's console key (hotlinectl, docs/operations.md): an Admin key of this data folder only, made once, 0600;
# the engine holds only its hash. tools/hotlinectl reads the file by default.
ctl_key="$data/hotlinectl.key"
if [[ ! -s "$ctl_key" ]]; then
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$ctl_key")
fi
chmod 600 "$ctl_key"
ctl_env=(Api__Keys__90__Name=hotlinectl Api__Keys__90__Role=Admin
  Api__Keys__90__Sha256="$(tr -d '\n' <"$ctl_key" | sha256sum | cut -d' ' -f1)")
# Demo mode (docs/security.md): the published demo credentials below are accepted only because of this switch.
(cd "$cache/ticketapi" && exec env "${tls_env[@]}" \
  Kestrel__Endpoints__Http__Url="$(url "$ticket_http")" Kestrel__Endpoints__Grpc__Url="$(url "$ticket_grpc")" \
  AcdEngine__Url="$(url "$engine_grpc")" AcdEngine__HttpUrl="$(url "$engine_http")" Data__Path="$data/ticketapi" Security__DemoMode=true \
  dotnet Hotline.TicketApi.dll) > >(prefixed ticketapi) 2>&1 &
pids+=($!) names+=(TicketApi)
(cd "$cache/acdengine" && exec env "${tls_env[@]}" "${sip_tls_env[@]}" "${ctl_env[@]}" \
  Kestrel__Endpoints__Http__Url="$(url "$engine_http")" Kestrel__Endpoints__Grpc__Url="$(url "$engine_grpc")" \
  TicketApi__Url="$(url "$ticket_grpc")" ConnectionStrings__Redis="$redis_connection" \
  Data__Path="$data/acdengine" Sip__Port="$sip_port" Acd__SoundsPath="$root/sounds" Security__DemoMode=true \
  dotnet Hotline.AcdEngine.dll) > >(prefixed acdengine) 2>&1 &
pids+=($!) names+=(AcdEngine)

# Wait for both to answer /healthz; a program that exits meanwhile fails the run.
for port in "$ticket_http" "$engine_http"; do
  until curl -fsS --cacert "$data/tls/ca.crt" -o /dev/null "$(url "$port")/healthz" 2>/dev/null; do
    for i in "${!pids[@]}"; do
      if ! kill -0 "${pids[$i]}" 2>/dev/null; then
        wait "${pids[$i]}" && code=0 || code=$?
        fail "${names[$i]} exited during start (exit code $code); see its [$(echo "${names[$i]}" | tr '[:upper:]' '[:lower:]')] lines above."
      fi
    done
    sleep 0.2
  done
done

cat <<MSG

  Hotline is running in DEMO MODE (Security:DemoMode=true): the published demo credentials below work
  for anyone who has read them. Never expose it beyond this machine; see docs/security.md.
    SIP (UDP and TCP):  sip:12345@127.0.0.1:$sip_port   (echo test: sip:*43@127.0.0.1:$sip_port)
    SIP over TLS:       sip:12345@127.0.0.1:$sip_tls_port;transport=tls   (SRTP required over TLS)
    Demo agents:        user 1001 / password agent1001, user 1002 / password agent1002
    Console:            $(url "$ticket_http")/   (admin API key: dev-admin-key-change-me-0001)
    Engine stats:       curl --cacert $data/tls/ca.crt -H 'Authorization: Bearer demo-engine-admin-key' $(url "$engine_http")/api/stats
    Console tool:       tools/hotlinectl calls | queues | agents | reload   (Admin key in $ctl_key, read by default)
    Trust this CA:      $data/tls/ca.crt   (browser, softphones' CA file, curl --cacert)
    Data and logs:      $data
  Ctrl-C stops everything.

MSG
# Runs until Ctrl-C, or until a program exits on its own: that is a failure, reported with its exit code.
set +e
wait -n -p exited "${pids[@]}"
code=$?
set -e
for i in "${!pids[@]}"; do
  if [[ "${pids[$i]}" == "${exited:-}" ]]; then
    echo "tools/run.sh: ${names[$i]} exited on its own (exit code $code); stopping the rest." >&2
  fi
done
stop_all
exit $((code == 0 ? 1 : code))
