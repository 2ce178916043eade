#!/usr/bin/env bash
# The conformance suite: Microsoft's own Graph clients against a real accessd.
#
#   conformance/run.sh            # everything: Python SDKs (v1.0, beta) and the JS client, HTTP then HTTPS
#   conformance/run.sh -k policy  # extra arguments go to pytest
#
# It installs the pinned clients into a cache outside the clone (ACCESSD_CONFORMANCE_CACHE,
# default $HOME/.cache/accessd/conformance; one venv / node_modules per hash of the pins), builds
# accessd (`cargo build -p accessd`, honouring CARGO_TARGET_DIR), starts it on a free loopback port
# with a throwaway database, runs the suites over HTTP, then again against `serve --tls`
# (trusting the CA it generated through SSL_CERT_FILE and NODE_EXTRA_CA_CERTS), and stops the
# server whatever happens. Set CONFORMANCE_TRANSPORTS="http" (or "https") to run one transport.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
CACHE="${ACCESSD_CONFORMANCE_CACHE:-$HOME/.cache/accessd/conformance}"
TRANSPORTS="${CONFORMANCE_TRANSPORTS:-http https}"
SUITE_TIMEOUT="${CONFORMANCE_TIMEOUT:-900}"
export PYTHONDONTWRITEBYTECODE=1
mkdir -p "$CACHE"

say() { printf '\n-- %s (%s)\n' "$1" "$(date -u +%H:%M:%S)"; }

# ---- clients, cached by the hash of their pins ---------------------------------------------------

hash_of() { cat "$@" | sha256sum | cut -c1-16; }

PY_REQ="$HERE/python/requirements.txt"
VENV="$CACHE/venv-$(hash_of "$PY_REQ" <(python3 --version 2>&1))"
if [ ! -f "$VENV/.complete" ]; then
  say "installing the Python SDKs into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  timeout 1200 "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$PY_REQ"
  touch "$VENV/.complete"
fi

JS_DIR="$CACHE/js-$(hash_of "$HERE/js/package.json" "$HERE/js/package-lock.json" <(node --version))"
if [ ! -f "$JS_DIR/.complete" ]; then
  say "installing the JavaScript client into $JS_DIR"
  rm -rf "$JS_DIR"
  mkdir -p "$JS_DIR"
  cp "$HERE/js/package.json" "$HERE/js/package-lock.json" "$JS_DIR/"
  (cd "$JS_DIR" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  touch "$JS_DIR/.complete"
fi

# ---- accessd -----------------------------------------------------------------------------------

say "building accessd"
(cd "$ROOT" && cargo build -p accessd ${CARGO_LOCKED:+--locked})
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET_DIR/debug/accessd"
[ -x "$BIN" ] || { echo "no accessd binary at $BIN" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/accessd-conformance.XXXXXX")"
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
cleanup() {
  stop_server
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts accessd on a free loopback port (port 0; the address it prints is the one it got) and
# sets ACCESSD_URL, ACCESSD_TOKEN and ACCESSD_DATABASE from what it prints.
start_server() {
  local mode="$1" dir="$WORK/$1"
  mkdir -p "$dir"
  local args=(serve --database "sqlite://$dir/accessd.db" --listen 127.0.0.1:0)
  [ "$mode" = https ] && args+=(--tls)
  ACCESSD_LOG=warn "$BIN" "${args[@]}" >"$dir/stdout" 2>"$dir/stderr" &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    [ "$(wc -l <"$dir/stdout")" -ge 4 ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$dir/stderr" >&2; echo "accessd did not start" >&2; return 1; }
    sleep 0.1
  done
  ACCESSD_URL="$(sed -n 1p "$dir/stdout" | awk '{print $NF}')"
  ACCESSD_TOKEN="$(sed -n 4p "$dir/stdout")"
  ACCESSD_DATABASE="sqlite://$dir/accessd.db"
  [ -n "$ACCESSD_URL" ] && [ -n "$ACCESSD_TOKEN" ] || { cat "$dir/stdout" "$dir/stderr" >&2; return 1; }
  export ACCESSD_URL ACCESSD_TOKEN ACCESSD_DATABASE ACCESSD_BIN="$BIN" ACCESSD_TRANSPORT="$mode"
  echo "accessd at $ACCESSD_URL (pid $SERVER_PID)"
}

# ---- the suites --------------------------------------------------------------------------------

FAILED=()
for mode in $TRANSPORTS; do
  say "suites over $mode"
  start_server "$mode"
  ca_env=()
  if [ "$mode" = https ]; then
    CA="$WORK/https/accessd-tls/ca.pem"
    [ -f "$CA" ] || { echo "serve --tls made no CA at $CA" >&2; exit 1; }
    # What a user does to trust accessd's generated CA: Python (httpx) reads SSL_CERT_FILE,
    # requests (under azure-identity) REQUESTS_CA_BUNDLE, Node
    # adds NODE_EXTRA_CA_CERTS to its roots.
    ca_env=(SSL_CERT_FILE="$CA" REQUESTS_CA_BUNDLE="$CA" NODE_EXTRA_CA_CERTS="$CA")
  fi
  if ! (cd "$HERE/python" && env "${ca_env[@]}" timeout "$SUITE_TIMEOUT" "$VENV/bin/python" -m pytest \
        --junitxml="$WORK/python-$mode.xml" "$@"); then
    FAILED+=("python/$mode")
  fi
  # ES modules resolve packages next to the importing file: the test runs from the cache dir.
  cp "$HERE/js/graph-client.test.mjs" "$JS_DIR/"
  if ! (cd "$JS_DIR" && env "${ca_env[@]}" timeout "$SUITE_TIMEOUT" \
        node --test --test-reporter=spec graph-client.test.mjs >"$WORK/js-$mode.log" 2>&1); then
    FAILED+=("js/$mode")
  fi
  cat "$WORK/js-$mode.log"
  stop_server
  if grep -qiE "panicked|internal error" "$WORK/$mode/stderr"; then
    echo "accessd logged errors over $mode:" >&2
    grep -iE "panicked|internal error" "$WORK/$mode/stderr" | head -20 >&2
    FAILED+=("server-log/$mode")
  fi
done

# ---- pytest-accessd, the plugin, through its own example suite ------------------------------
say "pytest-accessd's example suite (clients/python/pytest-accessd)"
if ! (cd "$ROOT/clients/python/pytest-accessd/tests" && ACCESSD_BIN="$BIN" PYTHONPATH=.. \
      timeout "$SUITE_TIMEOUT" "$VENV/bin/python" -m pytest -p pytest_accessd); then
  FAILED+=("pytest-accessd")
fi

say "summary"
"$VENV/bin/python" "$HERE/summary.py" "$WORK" $TRANSPORTS
if [ ${#FAILED[@]} -gt 0 ]; then
  echo "conformance: FAILED (${FAILED[*]})"
  exit 1
fi
echo "conformance: all suites passed"
