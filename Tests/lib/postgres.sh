# A private PostgreSQL cluster for one test or benchmark: created in a temporary folder, listening on a Unix socket
# in that folder only (no TCP port), run by the `postgres` system user (initdb refuses root), stopped and removed by
# pg_stop. Source this file; it defines PG_DIR, PG_SOCKET_DIR and PG_URL after pg_start.
#
#   pg_start            create and start the cluster, with database `rackboot` owned by role `rackboot`
#   pg_psql SQL         run SQL in database rackboot as rackboot, print unaligned tuples
#   pg_halt / pg_resume stop the server (fast shutdown) and start it again on the same data
#   pg_stop             stop it and remove the folder

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

pg_start() {
    [ -x "$PG_BIN/initdb" ] || { echo "no PostgreSQL server (Debian package postgresql)" >&2; return 1; }
    PG_DIR=$(mktemp -d /tmp/rackboot-pg.XXXXXX)
    chmod 755 "$PG_DIR"
    chown postgres: "$PG_DIR"
    PG_SOCKET_DIR=$PG_DIR
    runuser -u postgres -- "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >"$PG_DIR/initdb.log" 2>&1 ||
        { cat "$PG_DIR/initdb.log" >&2; return 1; }
    pg_resume || return 1
    runuser -u postgres -- "$PG_BIN/psql" -h "$PG_DIR" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE rackboot LOGIN" -c "CREATE DATABASE rackboot OWNER rackboot" >/dev/null || return 1
    PG_URL="postgresql://rackboot@localhost/rackboot?host=$PG_DIR"
}

pg_resume() {
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
        -o "-k $PG_DIR -c listen_addresses='' -c max_connections=50" start >/dev/null ||
        { tail -20 "$PG_DIR/server.log" >&2; return 1; }
}

pg_halt() {
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null
}

pg_psql() {
    runuser -u postgres -- "$PG_BIN/psql" -h "$PG_DIR" -U rackboot -d rackboot -X -A -t -q -v ON_ERROR_STOP=1 -c "$1"
}

pg_stop() {
    [ -n "${PG_DIR:-}" ] || return 0
    if [ -f "$PG_DIR/data/postmaster.pid" ]; then pg_halt 2>/dev/null; fi
    rm -rf "$PG_DIR"
    PG_DIR=
}
