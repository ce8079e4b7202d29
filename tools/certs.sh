#!/usr/bin/env bash
# Creates a local CA and a server certificate for the hotline (HTTPS, gRPC, SIP over TLS) with Debian's openssl,
# once: later runs reuse them, and renew the server certificate when it expires within 30 days.
# Usage: tools/certs.sh <folder>   → <folder>/ca.crt (trust this), ca.key, server.crt, server.key
set -euo pipefail
dir="${1:?usage: tools/certs.sh <folder>}"
mkdir -p "$dir"
chmod 700 "$dir"
cd "$dir"
umask 077

if [[ ! -s ca.crt || ! -s ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=Hotline local CA $(hostname)" -keyout ca.key -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  rm -f server.crt
  echo "Created a local CA: $dir/ca.crt"
fi

if [[ ! -s server.crt || ! -s server.key ]] || ! openssl x509 -in server.crt -noout -checkend $((30 * 86400)) >/dev/null; then
  host=$(hostname)
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=$host" \
    -keyout server.key.new -out server.csr 2>/dev/null
  # RFC 5922 §7.1 / RFC 6125: the names clients connect to go in subjectAltName (not only the CN).
  printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature" \
    "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:localhost,DNS:$host,IP:127.0.0.1,IP:::1" > server.ext
  openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 397 -sha256 \
    -extfile server.ext -out server.crt.new 2>/dev/null
  mv server.key.new server.key
  mv server.crt.new server.crt
  rm -f server.csr server.ext
  echo "Issued the server certificate: $dir/server.crt (localhost, $host, 127.0.0.1, ::1; valid 397 days)"
fi
chmod 644 ca.crt server.crt
