#!/usr/bin/env bash
# The demo: runs the whole service on this machine with embedded defaults.
#
#   scripts/demo.sh start   Temporal dev server (with UI), the Okta stand-in
#                           seeded with a few thousand users, the worker and
#                           the API; then an organization, locations, SSO and
#                           the directory integration through the CLI, and a
#                           summary once the first sync is done. The services
#                           keep running so you can explore.
#   scripts/demo.sh stop    stops them.
#
# `make demo` builds the binaries and the pinned Temporal CLI first.
set -euo pipefail
cd "$(dirname "$0")/.."

DEMO_DIR=${DEMO_DIR:-var/demo}
TEMPORAL_CLI=${TEMPORAL_CLI:-${XDG_CACHE_HOME:-$HOME/.cache}/oktasync/temporal-v1.5.1}
TEMPORAL_PORT=${DEMO_TEMPORAL_PORT:-7233}
UI_PORT=${DEMO_UI_PORT:-8233}
API_PORT=${DEMO_API_PORT:-8080}
CODEC_PORT=${DEMO_CODEC_PORT:-8089}
STANDIN_PORT=${DEMO_STANDIN_PORT:-8443}
USERS=${DEMO_USERS:-3000}
GROUP_COUNT=${DEMO_GROUPS:-12}
CLIENT_ID=0oademoapiclient0001
SAML_APP_ID=0oademosamlapp000001
LOCATIONS=("HQ Mailroom" "Warehouse Dock" "East Tower" "West Tower" "Lab Building")

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

stop() {
  shopt -s nullglob
  for pidfile in "$DEMO_DIR"/*.pid; do
    pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  sleep 1
}

# launch NAME CMD... starts a service in its own process group, logging to
# $DEMO_DIR/NAME.log.
launch() {
  local name=$1
  shift
  setsid "$@" >"$DEMO_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$DEMO_DIR/$name.pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  local name=$1 port=$2
  for _ in $(seq 1 120); do
    if ! port_free "$port"; then return 0; fi
    kill -0 "$(cat "$DEMO_DIR/$name.pid")" 2>/dev/null ||
      die "$name exited; see $DEMO_DIR/$name.log"
    sleep 0.5
  done
  die "$name did not listen on port $port; see $DEMO_DIR/$name.log"
}

start_temporal() {
  say "starting the Temporal dev server (UI on http://localhost:$UI_PORT)"
  [[ -x "$TEMPORAL_CLI" ]] || die "no Temporal CLI at $TEMPORAL_CLI: run make temporal"
  launch temporal "$TEMPORAL_CLI" server start-dev --ip 127.0.0.1 --port "$TEMPORAL_PORT" \
    --ui-port "$UI_PORT" --log-level warn \
    --ui-codec-endpoint "http://127.0.0.1:$CODEC_PORT" \
    --search-attribute MailroomOrgID=Keyword --search-attribute DirectorySyncState=Keyword
  wait_port temporal "$TEMPORAL_PORT"
  for _ in $(seq 1 60); do
    "$TEMPORAL_CLI" operator cluster health --address "127.0.0.1:$TEMPORAL_PORT" \
      >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "Temporal is not healthy; see $DEMO_DIR/temporal.log"
}

start_standin() {
  say "starting the Okta stand-in with $USERS users and $GROUP_COUNT groups"
  launch standin bin/okta-standin --addr "127.0.0.1:$STANDIN_PORT" \
    --users "$USERS" --groups "$GROUP_COUNT" --seed 42 \
    --client-id "$CLIENT_ID" --saml-app-id "$SAML_APP_ID" \
    --cert-out "$DEMO_DIR/standin.pem" --private-jwk-out "$DEMO_DIR/private-jwk.json"
  wait_port standin "$STANDIN_PORT"
}

start_services() {
  say "starting the worker and the API (embedded SQLite at $DEMO_DIR/oktasync.db)"
  export SECRET_KEY OPERATOR_TOKEN
  export SQLITE_PATH="$DEMO_DIR/oktasync.db"
  export TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
  export OKTA_ALLOWED_HOSTS="127.0.0.1:$STANDIN_PORT"
  export OKTA_CA_FILE="$DEMO_DIR/standin.pem"
  export HTTP_ADDR="127.0.0.1:$API_PORT"
  export CODEC_ADDR="127.0.0.1:$CODEC_PORT"
  export CODEC_ALLOWED_ORIGINS="http://localhost:$UI_PORT,http://127.0.0.1:$UI_PORT"
  export LOG_FORMAT=text
  launch worker bin/worker
  launch api bin/starter serve
  wait_port api "$API_PORT"
}

configure() {
  export MAILROOM_API_URL="http://127.0.0.1:$API_PORT"
  say "creating an organization, ${#LOCATIONS[@]} locations and the SSO connection"
  eval "$(bin/starter org create --name "Acme Corp")"
  for loc in "${LOCATIONS[@]}"; do
    bin/starter location add --name "$loc" >/dev/null
  done
  bin/starter sso enable --idp-entity-id "http://www.okta.com/exk-demo" >/dev/null

  say "enabling the directory integration (validates against the stand-in)"
  bin/starter directory enable --domain "127.0.0.1:$STANDIN_PORT" \
    --saml-app-id "$SAML_APP_ID" --client-id "$CLIENT_ID" \
    --jwk-file "$DEMO_DIR/private-jwk.json" \
    --mode all_users --deactivate-missing --sso-users-view >/dev/null

  say "waiting for the first sync"
  bin/starter runs wait >/dev/null
  {
    echo "export MAILROOM_API_URL=$MAILROOM_API_URL"
    echo "export MAILROOM_ORG_ID=$MAILROOM_ORG_ID"
    echo "export MAILROOM_API_TOKEN=$MAILROOM_API_TOKEN"
    echo "export OPERATOR_TOKEN=$OPERATOR_TOKEN"
    echo "export PATH=\"$PWD/bin:\$PATH\""
  } >"$DEMO_DIR/env"
  chmod 600 "$DEMO_DIR/env"
}

summary() {
  say "recipients per location"
  bin/starter recipients summary
  echo
  say "sync runs"
  bin/starter runs list
  echo
  bin/starter directory status | sed -n '1,4p'
  echo "sso users view: $(bin/starter sso-users list --json | grep -c '"okta_user_id"') users"
  echo
  say "Temporal UI: http://localhost:$UI_PORT/namespaces/default/workflows?query=MailroomOrgID%3D%22$MAILROOM_ORG_ID%22"
  echo "API:          $MAILROOM_API_URL (token in $DEMO_DIR/env)"
  echo "try:          source $DEMO_DIR/env && starter sync --wait"
  echo "stop with:    make demo-stop"
}

# running says whether a demo started from $DEMO_DIR still runs.
running() {
  shopt -s nullglob
  for pidfile in "$DEMO_DIR"/*.pid; do
    kill -0 "$(cat "$pidfile")" 2>/dev/null && return 0
  done
  return 1
}

start() {
  running && die "a demo is running from $DEMO_DIR: stop it with make demo-stop first"
  rm -rf "$DEMO_DIR"
  mkdir -p "$DEMO_DIR"
  for p in "$TEMPORAL_PORT" "$UI_PORT" "$API_PORT" "$CODEC_PORT" "$STANDIN_PORT"; do
    port_free "$p" || die "port $p is in use: another demo? (make demo-stop, or DEMO_*_PORT)"
  done
  SECRET_KEY=$(head -c 32 /dev/urandom | base64)
  OPERATOR_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')

  start_temporal
  start_standin
  start_services
  configure
  summary
}

case "${1:-start}" in
  preflight) ! running || die "a demo is running from $DEMO_DIR: stop it with make demo-stop first" ;;
  start) start ;;
  stop) stop; echo "demo stopped" ;;
  *) die "usage: $0 preflight|start|stop" ;;
esac
