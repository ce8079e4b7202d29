#!/usr/bin/env bash
# Regenerates the vendored browser build of JsSIP (the desk's WebRTC phone, docs/webrtc.md) from the npm registry:
# JsSIP ships CommonJS only, so esbuild bundles it with its dependencies (debug, events, sdp-transform) into one
# IIFE that defines window.JsSIP. The page then loads nothing from outside. Licences of everything bundled are
# copied beside it. Usage: tools/vendor-jssip.sh [version]
set -euo pipefail
version="${1:-3.13.8}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/src/TicketApi/wwwroot/vendor/jssip"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts=false "jssip@$version" "esbuild@0.27.2" >/dev/null
mkdir -p "$out"
npx --no-install esbuild node_modules/jssip/lib/JsSIP.js --bundle --format=iife --global-name=JsSIP --platform=browser \
  --minify --legal-comments=none --target=es2020 --outfile="$out/jssip.min.js"
{
  echo "jssip.min.js: JsSIP $version (https://jssip.net) bundled with esbuild by tools/vendor-jssip.sh."
  echo "It contains the following packages, each under the MIT licence reproduced below."
  for p in jssip debug ms events sdp-transform; do
    dir="node_modules/$p"
    [ -d "$dir" ] || continue
    echo
    echo "==== $p $(node -p "require('./$dir/package.json').version") ===="
    cat "$dir"/LICENSE* 2>/dev/null || node -p "require('./$dir/package.json').license"
  done
} > "$out/LICENSES.txt"
sha256sum "$out/jssip.min.js"
