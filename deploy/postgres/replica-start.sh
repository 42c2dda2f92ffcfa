#!/bin/sh
# compose.yaml's replica: on the first start, copy the primary (pg_basebackup, which also
# writes standby.signal and primary_conninfo: -R) into the empty data directory; then run as a
# hot standby, streaming the primary's changes and answering reads.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    until pg_basebackup --host=db --username=replicator --pgdata="$PGDATA" \
        --write-recovery-conf --wal-method=stream --checkpoint=fast; do
        echo "waiting for the primary..."
        rm -rf "${PGDATA:?}"/*
        sleep 2
    done
    chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on
