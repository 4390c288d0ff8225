#!/usr/bin/env bash
# scripts/check-image.sh — build the Dockerfile with buildah and run the image, without a registry.
#
# No container registry is reachable here, so the Dockerfile's base images
# (mcr.microsoft.com/dotnet/sdk:10.0 and aspnet:10.0) cannot be pulled. This script makes local
# stand-ins under those names instead — a Debian 12 minbase root filesystem (debootstrap, from
# Debian's own package archive) with this machine's .NET 10 SDK or its runtimes copied in, the
# non-root "app" user (uid 1654, APP_UID) the official images have, and this machine's CA bundle —
# then, with the unchanged Dockerfile:
#   1. buildah bud --pull=never: both stages, the restore (NuGet), the publish and the runtime stage;
#   2. runs the image (buildah run, chroot isolation, host network) with memory storage and a
#      generated API key, and checks: it runs as uid 1654, /health/ready answers 200, a request
#      decision answers 200, the console and its vendored graph library answer 200 (they come with
#      the build context: ensure_console_vendor runs first), and SIGTERM stops it with exit code 0.
# Stand-ins are labelled reputation.stand-in=true and reused; an image of the same name that is not a
# stand-in (a real pull) is used as it is. What this does not show: that the real Microsoft images
# behave the same (they are Debian 12 too, with the same runtime version line), the read-only root
# filesystem and the other pod settings of the chart (chroot isolation applies none of them).
#
# Needs root (buildah with the vfs storage driver and chroot isolation), apt-get for buildah and
# debootstrap when missing, and network access to Debian's archive and NuGet. Takes about 4 minutes
# the first time, about 2 afterwards.
#
# Options:
#   --port N      HTTP port for the run check on 127.0.0.1 (default 5497)
#   -h, --help    show this help
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=scripts/lib.sh
source "$SCRIPT_DIR/lib.sh"
cd "$REPO_ROOT"

usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$SCRIPT_DIR/check-image.sh"; }

PORT=5497
while (($# > 0)); do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --port)
      (($# >= 2)) || { err "--port needs a number"; exit 2; }
      PORT="$2"
      shift
      ;;
    *)
      err "unknown argument: $1 (see scripts/check-image.sh --help)"
      exit 2
      ;;
  esac
  shift
done

if ((EUID != 0)); then
  err "scripts/check-image.sh needs root (buildah with chroot isolation)."
  exit 1
fi

export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
SDK_IMAGE="mcr.microsoft.com/dotnet/sdk:10.0"
RUNTIME_IMAGE="mcr.microsoft.com/dotnet/aspnet:10.0"
APP_IMAGE="localhost/reputation:check"
DOTNET_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/reputation-image-check.XXXXXX")"
CONTAINER=""
APP_PID=""

cleanup() {
  if [[ -n "$APP_PID" ]] && kill -0 "$APP_PID" 2>/dev/null; then
    kill -TERM "$APP_PID" 2>/dev/null || true
    sleep 2
    kill -KILL "$APP_PID" 2>/dev/null || true
  fi
  if [[ -n "$CONTAINER" ]]; then
    buildah rm "$CONTAINER" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

ensure_apt_command buildah buildah "scripts/check-image.sh builds the Dockerfile with buildah"
ensure_apt_command debootstrap debootstrap "scripts/check-image.sh makes its base images with debootstrap"

is_stand_in() { [[ "$(buildah inspect --type image --format '{{.OCIv1.Config.Labels}}' "$1" 2>/dev/null)" == *reputation.stand-in:true* ]]; }

# The service's own process: the dotnet under the buildah run started here (never one found by name).
service_pid() {
  local parent="$1" child
  for child in $(pgrep -P "$parent" || true); do
    if [[ "$(cat "/proc/$child/comm" 2>/dev/null)" == dotnet ]]; then
      echo "$child"
      return 0
    fi
    service_pid "$child" && return 0
  done
  return 1
}
image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# make_stand_in IMAGE WHAT COPY... — a Debian 12 minbase root with the given parts of this machine's
# .NET installation under /usr/share/dotnet.
make_stand_in() {
  local image="$1" what="$2"
  shift 2
  if [[ ! -d "$WORK/rootfs" ]]; then
    log "Making a Debian 12 minbase root filesystem with debootstrap (about a minute) ..."
    debootstrap --variant=minbase --include=ca-certificates,libssl3,libicu72 bookworm "$WORK/rootfs" >"$WORK/debootstrap.log" 2>&1 || {
      tail -n 20 "$WORK/debootstrap.log" >&2
      err "debootstrap failed (output above)."
      return 1
    }
  fi
  log "Making the local stand-in for $image ($what) ..."
  local c m part
  c="$(buildah from scratch)"
  m="$(buildah mount "$c")"
  cp -a "$WORK/rootfs/." "$m/"
  mkdir -p "$m/usr/share/dotnet"
  for part in "$@"; do
    cp -a "$DOTNET_DIR/$part" "$m/usr/share/dotnet/"
  done
  ln -sf /usr/share/dotnet/dotnet "$m/usr/bin/dotnet"
  # The official images' non-root user, and this machine's CA bundle (NuGet over its network).
  chroot "$m" groupadd --gid 1654 app
  chroot "$m" useradd --uid 1654 --gid 1654 --no-create-home --shell /bin/false app
  cp /etc/ssl/certs/ca-certificates.crt "$m/etc/ssl/certs/ca-certificates.crt"
  buildah umount "$c" >/dev/null
  buildah config --label reputation.stand-in=true \
    --env APP_UID=1654 --env DOTNET_RUNNING_IN_CONTAINER=true --env ASPNETCORE_HTTP_PORTS=8080 \
    --env DOTNET_ROOT=/usr/share/dotnet --env DOTNET_NOLOGO=1 --env DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    ${NUGET_CERT_REVOCATION_MODE:+--env NUGET_CERT_REVOCATION_MODE=$NUGET_CERT_REVOCATION_MODE} "$c"
  buildah commit -q "$c" "$image" >/dev/null
  buildah rm "$c" >/dev/null
}

for image in "$RUNTIME_IMAGE" "$SDK_IMAGE"; do
  if image_exists "$image" && ! is_stand_in "$image"; then
    log "Using $image as it is (not a stand-in)."
  elif ! image_exists "$image"; then
    if [[ "$image" == "$SDK_IMAGE" ]]; then
      make_stand_in "$image" "the .NET SDK of this machine" dotnet host shared sdk sdk-manifests packs templates
    else
      make_stand_in "$image" "the .NET and ASP.NET Core runtimes of this machine" dotnet host shared
    fi
  else
    log "Reusing the local stand-in for $image."
  fi
done

# The console's vendored libraries come with the build context (see the Dockerfile).
ensure_console_vendor

log "Building the Dockerfile: buildah bud --pull=never -t $APP_IMAGE (about 2 minutes) ..."
if ! buildah bud --pull=never --layers=false -t "$APP_IMAGE" . >"$WORK/bud.log" 2>&1; then
  tail -n 40 "$WORK/bud.log" >&2
  err "the image did not build (output above)."
  exit 1
fi
log "Built $APP_IMAGE."

if port_open "$PORT"; then
  err "port 127.0.0.1:$PORT is in use; choose another with --port."
  exit 1
fi
KEY="image-check-$RANDOM$RANDOM"
SHA="$(printf %s "$KEY" | sha256sum | cut -d' ' -f1)"
CONTAINER="$(buildah from --pull=never "$APP_IMAGE")"
# The image's own entry point and user; the settings a deployment gives (storage, keys) as env.
buildah run \
  --env ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  --env Reputation__Storage__Provider=Memory \
  --env Reputation__Silo__SiloPort=$((PORT + 6000)) --env Reputation__Silo__GatewayPort=$((PORT + 25000)) \
  --env Reputation__ApiKeys__Keys__0__Name=image-check --env Reputation__ApiKeys__Keys__0__Sha256="$SHA" \
  --env Reputation__ApiKeys__Keys__0__Scopes__0=decide \
  --env Reputation__Privacy__EmailHashKey="$(head -c 32 /dev/urandom | base64)" \
  "$CONTAINER" -- sh -c 'echo "uid=$(id -u)"; exec dotnet Reputation.Api.dll' >"$WORK/run.log" 2>&1 &
RUN_PID=$!

deadline=$((SECONDS + 60))
until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/health/ready" || true)" == 200 ]]; do
  if ! kill -0 "$RUN_PID" 2>/dev/null || ((SECONDS >= deadline)); then
    tail -n 30 "$WORK/run.log" >&2
    err "the image did not answer /health/ready with 200 within 60 s (output above)."
    exit 1
  fi
  sleep 1
done
APP_PID="$(service_pid "$RUN_PID" || true)"

uid="$(sed -n 's/^uid=\([0-9]*\)$/\1/p' "$WORK/run.log" | head -n 1)"
[[ "$uid" == 1654 ]] || { err "the image runs as uid '${uid}', not 1654"; exit 1; }
status="$(curl -s -o "$WORK/decision.json" -w '%{http_code}' -H "X-Api-Key: $KEY" -H 'Content-Type: application/json' \
  -d '{"accountId":"image-check","ip":"198.51.100.7"}' "http://127.0.0.1:$PORT/v1/decisions/request")"
[[ "$status" == 200 ]] && grep -q '"decision"' "$WORK/decision.json" || {
  err "a request decision answered $status: $(cat "$WORK/decision.json")"
  exit 1
}

# The investigation console and its vendored graph library are in the image.
for path in /console /console/vendor/cytoscape/cytoscape.min.js; do
  status="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT$path")"
  [[ "$status" == 200 ]] || { err "GET $path answered $status: the console or its vendored libraries are not in the image"; exit 1; }
done

[[ -n "$APP_PID" ]] || { err "could not find the service's process to stop it"; exit 1; }
kill -TERM "$APP_PID"
rc=0
wait "$RUN_PID" || rc=$?
APP_PID=""
((rc == 0)) || { tail -n 20 "$WORK/run.log" >&2; err "the service exited with code $rc on SIGTERM"; exit 1; }
log "Image check passed: built with --pull=never on local stand-in base images, ran as uid 1654, /health/ready 200, a request decision 200, the console with its libraries 200, stopped cleanly on SIGTERM."
