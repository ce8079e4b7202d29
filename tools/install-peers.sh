#!/usr/bin/env bash
# Installs the Debian packages Hotline needs, only where missing. Safe to run twice.
#   tools/install-peers.sh run    what running the hotline needs (redis-server, prompts, hold music, openssl for the local CA)
#   tools/install-peers.sh test   that plus the real test peers (sipp, baresip, kamailio, sox, espeak-ng, chromium, tcpdump,
#                                 postgresql: the tests start their own server in a temporary folder; prometheus)
#   tools/install-peers.sh bench  that plus the benchmarks' anchors (rtpengine for CPU per relayed RTP packet)
set -euo pipefail
want=(redis-server sox asterisk-core-sounds-en-wav asterisk-moh-opsound-wav openssl)
if [[ "${1:-run}" == "test" || "${1:-run}" == "bench" ]]; then
  want+=(sip-tester baresip-core kamailio espeak-ng chromium postgresql)
  want+=(tcpdump) # SRTP e2e: proves the RTP on loopback is encrypted
  want+=(prometheus) # Monitoring e2e: a real Prometheus scrapes both programs; promtool checks deploy/prometheus
  want+=(redis-sentinel) # Faults e2e: the engine follows a Sentinel failover of the Redis master
  want+=(jq) # tools/package.sh strips the demo credentials from the packaged appsettings.json (Debian package test)
fi
if [[ "${1:-run}" == "bench" ]]; then
  want+=(rtpengine-daemon) # tools/bench/run.sh: the anchor for CPU per relayed RTP packet (userspace forwarding)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing: ${missing[*]}"
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
# The Debian packages start system services; the tests start their own on free ports.
for svc in redis-server redis-sentinel kamailio postgresql prometheus prometheus-node-exporter rtpengine-daemon; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    $sudo systemctl disable --now "$svc" >/dev/null 2>&1 || true
  fi
done
