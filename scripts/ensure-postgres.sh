#!/usr/bin/env bash
# Makes sure the PostgreSQL the tests use is up: 127.0.0.1:5432, or the
# server named by TEST_POSTGRES_URL. Starts the local cluster when it is down
# and this machine has one (Debian's pg_ctlcluster).
set -euo pipefail

host=127.0.0.1
port=5432
if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
  echo "using TEST_POSTGRES_URL"
  exit 0
fi

ready() { pg_isready -q -h "$host" -p "$port" 2>/dev/null || (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

if ready; then
  exit 0
fi

if command -v pg_ctlcluster >/dev/null && [[ -d /etc/postgresql ]]; then
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  echo "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 1 30); do
    ready && exit 0
    sleep 1
  done
fi

echo "PostgreSQL is not reachable at $host:$port." >&2
echo "Start it (for example: pg_ctlcluster <version> main start), or point" >&2
echo "TEST_POSTGRES_URL at a server where the user may create databases." >&2
exit 1
