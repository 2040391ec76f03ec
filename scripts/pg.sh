#!/usr/bin/env bash
# Throwaway PostgreSQL servers for tests and benchmarks; never touches a server someone
# started by hand.
#
#   scripts/pg.sh run CMD [ARGS...]  start a server in a temporary directory, run CMD with
#                                    TESSERA_TEST_POSTGRES_URI set (and
#                                    TESSERA_TEST_POSTGRES_REQUIRED=1, so tests that need it
#                                    fail instead of skipping; TESSERA_TEST_POSTGRES_BIN is
#                                    where psql is), then stop and delete it
#   scripts/pg.sh start DIR          create a cluster in DIR if there is none, start it on a
#                                    free local port (kept in DIR/port for restarts), print
#                                    its URI
#   scripts/pg.sh stop DIR           stop the server of DIR (fast shutdown)
#
# If the server binaries are missing they are installed from Debian (CI runs as root).
# initdb refuses to run as root, so as root the server runs as the `postgres` user, or
# `nobody` if there is none. Tests turn fsync off, since a throwaway cluster never needs to
# survive a power cut; TESSERA_PG_DURABLE=1 (benchmarks) keeps it on, with
# synchronous_commit=off: never corrupt, but a power cut may lose the last commits, the same
# promise as the SQLite store's WAL with synchronous=NORMAL, so the two compare fairly.
set -euo pipefail

die() { echo "pg.sh: $*" >&2; exit 1; }

find_bin() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) /usr/local/bin /usr/bin; do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

pg_bin() {
    if ! find_bin >/dev/null; then
        [ "$(id -u)" = 0 ] || die "PostgreSQL server binaries not found; install the postgresql package"
        echo "pg.sh: installing PostgreSQL from Debian" >&2
        # The package's own cluster is not used; keep its setup from starting one.
        mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/tessera.conf
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >&2
        apt-get install -y -qq --no-install-recommends postgresql >&2
    fi
    find_bin || die "PostgreSQL server binaries still not found after installing"
}

# Runs a server binary as a user initdb and postgres accept.
as_server_user() {
    if [ "$(id -u)" = 0 ]; then
        local user=postgres
        id -u "$user" >/dev/null 2>&1 || user=nobody
        runuser -u "$user" -- "$@"
    else
        "$@"
    fi
}

server_user() {
    if [ "$(id -u)" = 0 ]; then
        if id -u postgres >/dev/null 2>&1; then echo postgres; else echo nobody; fi
    else
        id -un
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd_start() {
    local dir="$1" bin user port fsync sync_commit tries
    bin="$(pg_bin)"
    user="$(server_user)"
    mkdir -p "$dir"
    chmod 755 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        mkdir -p "$dir/data" "$dir/run"
        chown "$user" "$dir/data" "$dir/run"
        chmod 700 "$dir/data"
        as_server_user "$bin/initdb" -D "$dir/data" -U tessera --auth=trust --no-locale -E UTF8 \
            --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    fsync=off
    sync_commit=off
    [ "${TESSERA_PG_DURABLE:-0}" = 1 ] && fsync=on
    for tries in 1 2 3; do
        if [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; else port="$(free_port)"; fi
        touch "$dir/server.log"
        chown "$user" "$dir/server.log"
        if as_server_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o \
            "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir/run \
             -c fsync=$fsync -c full_page_writes=$fsync -c synchronous_commit=$sync_commit \
             -c max_connections=300 \
             -c shared_buffers=64MB" start >/dev/null; then
            echo "$port" >"$dir/port"
            echo "postgresql://tessera@127.0.0.1:$port/postgres"
            return 0
        fi
        # The port may have been taken between choosing and binding it: choose again,
        # unless a restart must keep it.
        [ -f "$dir/port" ] && [ "$tries" -ge 2 ] && break
        rm -f "$dir/port"
    done
    tail -n 20 "$dir/server.log" >&2
    die "the server in $dir did not start"
}

cmd_stop() {
    local dir="$1" bin
    [ -f "$dir/data/postmaster.pid" ] || return 0
    bin="$(pg_bin)"
    as_server_user "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
}

cmd_run() {
    local dir uri
    dir="$(mktemp -d "${TMPDIR:-/tmp}/tessera-pg.XXXXXX")"
    # shellcheck disable=SC2064
    trap "bash '$0' stop '$dir' || true; rm -rf '$dir'" EXIT
    uri="$(cmd_start "$dir")"
    echo "pg.sh: PostgreSQL for this run at $uri" >&2
    TESSERA_TEST_POSTGRES_URI="$uri" TESSERA_TEST_POSTGRES_REQUIRED=1 TESSERA_TEST_POSTGRES_BIN="$(pg_bin)" "$@"
}

case "${1:-}" in
    run) shift; [ $# -gt 0 ] || die "usage: pg.sh run CMD [ARGS...]"; cmd_run "$@" ;;
    start) [ $# -eq 2 ] || die "usage: pg.sh start DIR"; cmd_start "$2" ;;
    stop) [ $# -eq 2 ] || die "usage: pg.sh stop DIR"; cmd_stop "$2" ;;
    *) die "usage: pg.sh run CMD... | start DIR | stop DIR" ;;
esac
