#!/bin/sh
# compose.yaml, on the primary's first start (the postgres image runs /docker-entrypoint-initdb.d
# once, on an empty data directory): a role the replica streams the primary's changes with.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v password="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
