#!/usr/bin/env bash
# Builds the Debian package hotline_<version>_amd64.deb with dpkg-deb (nothing beyond Debian's own tools and jq):
#   /usr/lib/hotline/{acd-engine,ticket-api}   the programs, framework-dependent `dotnet publish -c Release`
#   /usr/lib/systemd/system/hotline-*.service  the units (deploy/debian)
#   /etc/hotline                               site settings, conffiles, no credentials (deploy/debian/etc)
#   /usr/share/hotline/sounds                  prompts and hold music
#   postinst/prerm/postrm                      the hotline user, /var/lib/hotline and /var/log/hotline (0750)
# The packaged appsettings.json files have every published demo credential removed (docs/security.md) and point
# Data:Path, Logging:Path and Acd:SoundsPath at those folders.
#
# Usage: tools/package.sh [--version V] [--output DIR] [--no-build] [--configuration C]
#   --no-build  package what `dotnet build -c C` already built (the tests do: seconds instead of minutes)
# Prints the .deb's path on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

version="" output="$root/dist" build=1 configuration=Release
while (($#)); do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --configuration) configuration="$2"; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "tools/package.sh: unknown argument $1 (see --help)" >&2; exit 64 ;;
  esac
done
fail() { echo "tools/package.sh: $*" >&2; exit 1; }
for tool in dpkg-deb jq dotnet; do command -v "$tool" >/dev/null || fail "$tool is needed (apt-get install ${tool/dpkg-deb/dpkg})."; done

if [[ -z "$version" ]]; then
  # Debian versions must sort: the commit time first, then the commit for people.
  if stamp=$(git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S 2>/dev/null) && commit=$(git rev-parse --short HEAD 2>/dev/null); then
    version="0.1.0~git$stamp.$commit"
  else
    version="0.1.0"
  fi
fi
[[ "$version" =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || fail "--version '$version' is not a Debian version (digits first; letters, digits, . + ~ -)."

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pkg="$stage/hotline"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- 1. The programs. ---
step=0
for spec in "AcdEngine:acd-engine" "TicketApi:ticket-api"; do
  IFS=: read -r project folder <<<"$spec"
  step=$((step + 1))
  echo "[$step/3] Publishing $project ($configuration$( ((build)) || echo ', no build'))…" >&2
  started=$SECONDS
  no_build=()
  ((build)) || no_build=(--no-build)
  dotnet publish "src/$project" -c "$configuration" "${no_build[@]}" -o "$pkg/usr/lib/hotline/$folder" -nologo -v:quiet \
    -clp:NoSummary -p:UseAppHost=false >&2 || fail "publishing $project failed (see above)."
  echo "      done in $((SECONDS - started)) s." >&2
done

# Published demo credentials out, the package's folders in (the operator's /etc/hotline/*.json override these).
strip() { jq "$1" "$2" >"$2.new" && mv "$2.new" "$2"; }
strip 'del(.Sip.Accounts, .Api.Keys, .TicketApi.NodeKey, .Agents, .Departments)
       | .Data.Path = "/var/lib/hotline/acd-engine" | .Logging.Path = "/var/log/hotline"
       | .Acd.SoundsPath = "/usr/share/hotline/sounds"' "$pkg/usr/lib/hotline/acd-engine/appsettings.json"
strip 'del(.Auth.BootstrapAdminKey, .AcdEngine.ServiceKey, .Ingest.Nodes)
       | .Data.Path = "/var/lib/hotline/ticket-api" | .Logging.Path = "/var/log/hotline"' \
  "$pkg/usr/lib/hotline/ticket-api/appsettings.json"
rm -f "$pkg"/usr/lib/hotline/*/appsettings.Development.json "$pkg"/usr/lib/hotline/*/*.xml
# An amd64 package: the native libraries of other platforms (SQLite's for Windows, macOS, arm…) are dead weight.
find "$pkg"/usr/lib/hotline/*/runtimes -mindepth 1 -maxdepth 1 -type d -not -name linux-x64 -not -name unix -exec rm -rf {} +
# Each program reads its site settings as appsettings.Production.json: a link to the conffile in /etc/hotline.
ln -s /etc/hotline/acd-engine.json "$pkg/usr/lib/hotline/acd-engine/appsettings.Production.json"
ln -s /etc/hotline/ticket-api.json "$pkg/usr/lib/hotline/ticket-api/appsettings.Production.json"

# --- 2. Units, configuration, sounds, maintainer scripts. ---
echo "[3/3] Assembling hotline_${version}_amd64.deb…" >&2
install -d "$pkg/usr/lib/systemd/system" "$pkg/etc/hotline" "$pkg/usr/share/hotline" "$pkg/usr/share/doc/hotline" "$pkg/DEBIAN"
install -m 0644 deploy/debian/hotline-acd-engine.service deploy/debian/hotline-ticket-api.service "$pkg/usr/lib/systemd/system/"
install -m 0640 deploy/debian/etc/*.json deploy/debian/etc/*.env "$pkg/etc/hotline/"
install -m 0644 deploy/debian/etc/README "$pkg/etc/hotline/"
cp -r sounds "$pkg/usr/share/hotline/sounds"
install -m 0644 deploy/debian/etc/README "$pkg/usr/share/doc/hotline/README.Debian"
install -m 0755 deploy/debian/postinst deploy/debian/prerm deploy/debian/postrm "$pkg/DEBIAN/"
(cd "$pkg" && find etc -type f | sed 's|^|/|' | sort) >"$pkg/DEBIAN/conffiles"
find "$pkg" -path "$pkg/DEBIAN" -prune -o -type d -exec chmod 0755 {} + 
find "$pkg/usr" -type f -exec chmod 0644 {} +
installed_size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)
cat >"$pkg/DEBIAN/control" <<CONTROL
Package: hotline
Version: $version
Architecture: amd64
Maintainer: Hotline developers <hotline@localhost>
Section: comm
Priority: optional
Installed-Size: $installed_size
Depends: passwd, ca-certificates
Recommends: aspnetcore-runtime-10.0, redis-server, sqlite3
Description: contact center for public service hotlines (ACD engine and TicketApi)
 Hotline answers a public service line (a city's 12345): its own SIP/RTP stack and
 ACD queues (hotline-acd-engine), and work orders, metrics and a web console
 (hotline-ticket-api). The programs need the ASP.NET Core 10 runtime at
 /usr/bin/dotnet (Microsoft's aspnetcore-runtime-10.0 package, or an install
 linked there). Configure your own keys in /etc/hotline before starting: no
 credentials are shipped.
CONTROL

mkdir -p "$output"
deb="$output/hotline_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$pkg" "$deb" >&2
echo "$deb"
