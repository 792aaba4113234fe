#!/bin/sh
# Creates Temporal's two PostgreSQL databases and brings their schemas up to
# date, with the admin-tools image, before the server starts.
set -eu
tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -u "$POSTGRES_USER" \
    -p "${DB_PORT:-5432}" "$@"
}
for db in temporal temporal_visibility; do
  kind=temporal
  [ "$db" = temporal_visibility ] && kind=visibility
  tool --db "$db" create || true # already there on a restart
  tool --db "$db" setup-schema -v 0.0 || true
  tool --db "$db" update-schema -d "/etc/temporal/schema/postgresql/v12/$kind/versioned"
done
echo "temporal schema ready"
