#!/usr/bin/env bash
# ./run.sh — run the Reputation service locally (Release build, Development environment).
#
# What it does:
#   1. installs the pinned Azurite storage emulator into tools/azurite/node_modules (once, ~40 s);
#   2. builds src/Reputation.Api in Release;
#   3. reuses an Azurite (or any storage emulator) already listening on 127.0.0.1:10002, otherwise
#      starts Azurite on 127.0.0.1:10000 (blob), 10001 (queue), 10002 (table) with its data in
#      .data/azurite and its log in .data/azurite.log (both git-ignored);
#   4. runs the service in the foreground until Ctrl-C / SIGTERM, then stops the service and
#      afterwards the Azurite it started (an Azurite it reused is left running).
#
# Environment variables:
#   REPUTATION_URL   URL(s) the service listens on (ASPNETCORE_URLS); default http://127.0.0.1:5080
#   ASPNETCORE_ENVIRONMENT is always set to Development (the development API keys exist only there).
#
# Options:
#   -h, --help       show this help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/run.sh"; }

while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    # A later change adds "--silos N" here.
    *)
      err "unknown argument: $1 (see ./run.sh --help)"
      exit 2
      ;;
  esac
done

URL="${REPUTATION_URL:-http://127.0.0.1:5080}"
FIRST_URL="${URL%%;*}"
API_PROJECT="src/Reputation.Api"
BLOB_PORT=10000
QUEUE_PORT=10001
TABLE_PORT=10002
DATA_DIR="$SCRIPT_DIR/.data"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

APP_PID=""
STOPPING=""

shutdown() {
  local code="$1"
  [[ -n "$STOPPING" ]] && return 0
  STOPPING=1
  trap '' INT TERM HUP
  if [[ -n "$APP_PID" ]]; then
    log "Stopping the service (pid $APP_PID) ..."
    stop_pid "$APP_PID" "The service" 30 kill || true
    APP_PID=""
  fi
  if [[ -n "$AZURITE_PID" ]]; then
    log "Stopping Azurite (pid $AZURITE_PID) ..."
    stop_azurite || true
  fi
  exit "$code"
}
trap 'shutdown 130' INT
trap 'shutdown 143' TERM
trap 'shutdown 129' HUP
trap 'shutdown $?' EXIT

ensure_azurite

log "Building $API_PROJECT (Release) ..."
dotnet build "$API_PROJECT" -c Release --nologo
APP_DLL="$(dotnet msbuild "$API_PROJECT" -nologo -getProperty:TargetPath -p:Configuration=Release 2>/dev/null | tail -n 1 || true)"
if [[ -z "$APP_DLL" || ! -f "$APP_DLL" ]]; then
  APP_DLL="$SCRIPT_DIR/$API_PROJECT/bin/Release/net10.0/Reputation.Api.dll"
fi
if [[ ! -f "$APP_DLL" ]]; then
  err "the build did not produce $APP_DLL"
  exit 1
fi

if port_open "$TABLE_PORT"; then
  log "Reusing the storage emulator already listening on 127.0.0.1:$TABLE_PORT (it is left running on exit)."
else
  log "Starting Azurite on 127.0.0.1:$BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (data .data/azurite, log .data/azurite.log) ..."
  start_azurite "$DATA_DIR/azurite" "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$DATA_DIR/azurite.log"
  log "Azurite is up (pid $AZURITE_PID)."
fi

cat <<EOF

  Reputation service: $FIRST_URL
  Swagger UI:         ${FIRST_URL%/}/swagger

  Development API keys (header X-Api-Key):
    dev-service-key    scopes: decide, ingest, read
    dev-operator-key   scopes: decide, ingest, read, operate

  Press Ctrl-C to stop.

EOF

# The built dll is run directly (not through "dotnet run", which would put the app in a grandchild
# process), so the pid held here is the app itself and SIGTERM reaches it.
(
  cd "$SCRIPT_DIR/$API_PROJECT"
  export ASPNETCORE_ENVIRONMENT=Development
  export DOTNET_ENVIRONMENT=Development
  export ASPNETCORE_URLS="$URL"
  exec dotnet "$APP_DLL"
) &
APP_PID=$!

rc=0
wait "$APP_PID" || rc=$?
APP_PID=""
if ((rc != 0)); then
  err "the service exited with code $rc"
fi
shutdown "$rc"
