#!/usr/bin/env bash
# ./run.sh [--silos N] — run the Reputation service locally (Release build, Development environment).
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
# With --silos N (1-9) it runs N service processes instead, one Orleans cluster with its membership
# in Azure Table storage (Reputation:Silo:Clustering=AzureTable) on the one Azurite: process i
# (0-based) listens on HTTP 5080+i, silo port 11111+i and gateway port 30000+i. It supervises them
# as an orchestrator would: when one exits or is killed (kill -9) the others keep running and it is
# started again on the same ports, with a line saying so; one that dies within 15 s of starting 3
# times in a row is not started again (a line says so; when none is left the script stops).
# Ctrl-C / SIGTERM stops every process with SIGTERM first, then the Azurite it started.
# The silos speak mutual TLS on their silo and gateway ports (Reputation:Silo:Tls) with one
# self-signed certificate and key that the script makes with openssl the first time, in
# .data/silo-tls (git-ignored; made again when it is about to expire): each silo admits only a peer
# that presents that same certificate.
#
# Environment variables:
#   REPUTATION_URL   URL(s) the service listens on (ASPNETCORE_URLS); default http://127.0.0.1:5080
#   ASPNETCORE_ENVIRONMENT is always set to Development (the development API keys exist only there).
#   With --silos only, the first port of each range (to run beside another ./run.sh):
#     REPUTATION_HTTP_PORT (5080), REPUTATION_SILO_PORT (11111), REPUTATION_GATEWAY_PORT (30000),
#     REPUTATION_AZURITE_PORT (10000, blob; queue and table take the next two)
#
# Options:
#   --silos N        run N silos as one cluster (see above)
#   --no-build       run the last Release build instead of building first
#   -h, --help       show this help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/scripts/lib.sh"
cd "$SCRIPT_DIR"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/run.sh"; }

bad_usage() {
  err "$1"
  usage >&2
  exit 2
}

SILOS=""
BUILD=1
while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --no-build)
      BUILD=""
      ;;
    --silos | --silos=*)
      if [[ "$1" == --silos=* ]]; then
        SILOS="${1#--silos=}"
      else
        (($# >= 2)) || bad_usage "--silos needs a number"
        SILOS="$2"
        shift
      fi
      [[ "$SILOS" =~ ^[1-9]$ ]] || bad_usage "--silos takes a number from 1 to 9, not '$SILOS'"
      ;;
    *)
      bad_usage "unknown argument: $1"
      ;;
  esac
  shift
done

URL="${REPUTATION_URL:-http://127.0.0.1:5080}"
FIRST_URL="${URL%%;*}"
API_PROJECT="src/Reputation.Api"
BLOB_PORT=10000
QUEUE_PORT=10001
TABLE_PORT=10002
DATA_DIR="$SCRIPT_DIR/.data"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
if [[ -n "$SILOS" ]]; then
  HTTP_PORT="${REPUTATION_HTTP_PORT:-5080}"
  SILO_PORT="${REPUTATION_SILO_PORT:-11111}"
  GATEWAY_PORT="${REPUTATION_GATEWAY_PORT:-30000}"
  BLOB_PORT="${REPUTATION_AZURITE_PORT:-10000}"
  QUEUE_PORT=$((BLOB_PORT + 1))
  TABLE_PORT=$((BLOB_PORT + 2))
fi

APP_PID=""
SILO_PIDS=()
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
  local -a running
  read -r -a running <<<"${SILO_PIDS[*]}"
  if ((${#running[@]} > 0)); then
    # SIGTERM to all at once, so they drain in parallel; then wait for each (SIGKILL after 40 s).
    log "Stopping the ${#running[@]} service processes (pids ${running[*]}) ..."
    kill -TERM "${running[@]}" 2>/dev/null || true
    local pid
    for pid in "${running[@]}"; do
      stop_pid "$pid" "The service process" 40 kill || true
    done
    SILO_PIDS=()
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
ensure_console_vendor

if [[ -n "$BUILD" ]]; then
  log "Building $API_PROJECT (Release) ..."
  dotnet build "$API_PROJECT" -c Release --nologo
fi
APP_DLL="$(dotnet msbuild "$API_PROJECT" -nologo -getProperty:TargetPath -p:Configuration=Release 2>/dev/null | tail -n 1 || true)"
if [[ -z "$APP_DLL" || ! -f "$APP_DLL" ]]; then
  APP_DLL="$SCRIPT_DIR/$API_PROJECT/bin/Release/net10.0/Reputation.Api.dll"
fi
if [[ ! -f "$APP_DLL" ]]; then
  if [[ -n "$BUILD" ]]; then
    err "the build did not produce $APP_DLL"
  else
    err "there is no Release build ($APP_DLL): run ./run.sh without --no-build"
  fi
  exit 1
fi

if port_open "$TABLE_PORT"; then
  log "Reusing the storage emulator already listening on 127.0.0.1:$TABLE_PORT (it is left running on exit)."
else
  log "Starting Azurite on 127.0.0.1:$BLOB_PORT/$QUEUE_PORT/$TABLE_PORT (data .data/azurite, log .data/azurite.log) ..."
  start_azurite "$DATA_DIR/azurite" "$BLOB_PORT" "$QUEUE_PORT" "$TABLE_PORT" "$DATA_DIR/azurite.log"
  log "Azurite is up (pid $AZURITE_PID)."
fi

if [[ -n "$SILOS" ]]; then
  for ((i = 0; i < SILOS; i++)); do
    for port in $((HTTP_PORT + i)) $((SILO_PORT + i)) $((GATEWAY_PORT + i)); do
      if port_open "$port"; then
        err "port 127.0.0.1:$port is already in use; stop what listens there or choose other ports (see ./run.sh --help)"
        exit 1
      fi
    done
  done
  # Mutual TLS between the silos: one self-signed pair, made once, shared by every silo (a peer
  # must present this very certificate). Made in a temporary folder and moved in, so a half-written
  # pair is never used.
  TLS_DIR="$DATA_DIR/silo-tls"
  if [[ ! -f "$TLS_DIR/tls.crt" || ! -f "$TLS_DIR/tls.key" ]] \
    || ! openssl x509 -checkend 86400 -noout -in "$TLS_DIR/tls.crt" >/dev/null 2>&1; then
    command -v openssl >/dev/null || {
      err "openssl is needed to make the silos' TLS certificate (apt-get install openssl)"
      exit 1
    }
    mkdir -p "$DATA_DIR"
    TLS_NEW="$(mktemp -d "$DATA_DIR/silo-tls.XXXXXX")"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
      -subj "/CN=reputation-local-silo" \
      -addext "basicConstraints=critical,CA:FALSE" \
      -addext "subjectAltName=IP:127.0.0.1" \
      -addext "keyUsage=critical,digitalSignature" \
      -addext "extendedKeyUsage=serverAuth,clientAuth" \
      -keyout "$TLS_NEW/tls.key" -out "$TLS_NEW/tls.crt" 2>"$TLS_NEW/openssl.log" || {
      err "openssl could not make the silos' TLS certificate: $(cat "$TLS_NEW/openssl.log")"
      rm -rf "$TLS_NEW"
      exit 1
    }
    rm -f "$TLS_NEW/openssl.log"
    chmod 700 "$TLS_NEW"
    chmod 600 "$TLS_NEW/tls.key"
    rm -rf "$TLS_DIR"
    mv "$TLS_NEW" "$TLS_DIR"
    log "Made the silos' self-signed TLS certificate in .data/silo-tls (valid 365 days)."
  fi

  # The well-known Azurite development account (public, documented by Microsoft; not a secret).
  CONNECTION="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$TABLE_PORT/devstoreaccount1;"
  # Silo i: started at SILO_STARTED[i] (SECONDS), SILO_FAST_DEATHS[i] deaths in a row within
  # RESTART_WINDOW s of starting; SILO_PIDS[i] is empty once it is given up.
  RESTART_WINDOW=15
  RESTART_LIMIT=3
  SILO_STARTED=()
  SILO_FAST_DEATHS=()
  start_silo() {
    local i="$1"
    (
      cd "$SCRIPT_DIR/$API_PROJECT"
      export ASPNETCORE_ENVIRONMENT=Development
      export DOTNET_ENVIRONMENT=Development
      export ASPNETCORE_URLS="http://127.0.0.1:$((HTTP_PORT + i))"
      export Reputation__Storage__ConnectionString="$CONNECTION"
      export Reputation__Silo__Clustering=AzureTable
      export Reputation__Silo__SiloPort=$((SILO_PORT + i))
      export Reputation__Silo__GatewayPort=$((GATEWAY_PORT + i))
      export Reputation__Silo__Tls__Enabled=true
      export Reputation__Silo__Tls__CertificatePath="$TLS_DIR/tls.crt"
      export Reputation__Silo__Tls__KeyPath="$TLS_DIR/tls.key"
      # exec keeps the pid the app's own; a child sed prefixes its output.
      exec dotnet "$APP_DLL" > >(sed -u "s/^/[silo $i] /") 2>&1
    ) &
    SILO_PIDS[i]=$!
    SILO_STARTED[i]=$SECONDS
    log "silo $i started (pid ${SILO_PIDS[i]}): http://127.0.0.1:$((HTTP_PORT + i))"
  }

  for ((i = 0; i < SILOS; i++)); do
    SILO_FAST_DEATHS[i]=0
    start_silo "$i"
  done

  echo
  echo "  Reputation cluster of $SILOS silo(s), membership in Azure Table storage on 127.0.0.1:$TABLE_PORT,"
  echo "  mutual TLS on the silo and gateway ports (certificate in .data/silo-tls):"
  for ((i = 0; i < SILOS; i++)); do
    echo "    silo $i   Swagger UI: http://127.0.0.1:$((HTTP_PORT + i))/swagger   (silo port $((SILO_PORT + i)), gateway port $((GATEWAY_PORT + i)))"
  done
  cat <<EOF

  Development API keys (header X-Api-Key):
    dev-service-key    scopes: decide, ingest, read
    dev-operator-key   scopes: decide, ingest, read, operate

  Press Ctrl-C to stop.

EOF

  # Until Ctrl-C / SIGTERM (the traps): a silo that exits is started again, as an orchestrator
  # would, unless it keeps dying at once (a broken build or configuration must not loop for ever).
  while :; do
    read -r -a running <<<"${SILO_PIDS[*]}"
    if ((${#running[@]} == 0)); then
      err "no silo is left running; stopping"
      shutdown 1
    fi
    rc=0
    exited=""
    # (2>/dev/null: bash's own "Killed ..." notice; the line below says it better.)
    wait -n -p exited "${running[@]}" 2>/dev/null || rc=$?
    [[ -n "$exited" ]] || continue
    for ((i = 0; i < SILOS; i++)); do
      [[ "${SILO_PIDS[i]}" == "$exited" ]] && break
    done
    ((i < SILOS)) || continue
    lived=$((SECONDS - SILO_STARTED[i]))
    how="with code $rc"
    ((rc > 128)) && how="on signal $((rc - 128))"
    if ((lived < RESTART_WINDOW)); then
      SILO_FAST_DEATHS[i]=$((SILO_FAST_DEATHS[i] + 1))
    else
      SILO_FAST_DEATHS[i]=0
    fi
    if ((SILO_FAST_DEATHS[i] >= RESTART_LIMIT)); then
      err "silo $i (pid $exited) exited $how after $lived s: it died within $RESTART_WINDOW s of starting $RESTART_LIMIT times in a row, so it is not started again"
      SILO_PIDS[i]=""
      continue
    fi
    # A short pause, longer after each quick death; waited in the background so Ctrl-C is prompt.
    pause=$((SILO_FAST_DEATHS[i] > 1 ? 1 << (SILO_FAST_DEATHS[i] - 1) : 1))
    log "silo $i (pid $exited) exited $how after $lived s; starting it again in $pause s on the same ports"
    SILO_PIDS[i]=""
    sleep "$pause" &
    wait $! || true
    start_silo "$i"
  done
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
