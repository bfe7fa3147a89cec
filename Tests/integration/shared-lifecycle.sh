#!/usr/bin/env bash
# The install lifecycle across two appliances sharing one PostgreSQL database (a private cluster the test creates,
# Tests/lib/postgres.sh): both `rackboot serve` on 127.0.0.1, HTTP and TFTP each on free high ports, DHCP off, the
# same profiles (m1 at 127.0.0.5 in state install, with an answer file carrying its callback URL).
#   - the two appliances render m1's answer file with one and the same install token;
#   - the callback through appliance A switches m1 to local boot on appliance B too (its iPXE script, within 5 s),
#     and a replay of the token to B is refused;
#   - `rackboot reinstall` through B's control socket sends m1 back to the installer on A too, with a new token
#     both agree on, and the old token is refused by both;
#   - `rackboot machines` on either appliance's configuration reads the same state from the database;
#   - the state survives a restart of A: it reads it back from the database.
# Usage (as root: the database runs as the postgres user): Tests/integration/shared-lifecycle.sh path/to/rackboot
set -uo pipefail
rackboot=$(realpath "${1:?usage: shared-lifecycle.sh path/to/rackboot}")
cd "$(dirname "$0")/../.."
repo=$PWD
source Tests/lib/report.sh
source Tests/lib/http-serve.sh
source Tests/lib/postgres.sh
namespaces=()  # none: everything here runs on 127.0.0.1; netns.sh is read for wait_for
source Tests/lib/netns.sh
work=$(mktemp -d /tmp/rackboot-shared-lifecycle.XXXXXX)
chmod 755 "$work"
b_pid=
stop_b() {
    [ -n "$b_pid" ] || return 0
    kill -TERM "$b_pid" 2> /dev/null
    for _ in $(seq 1 50); do kill -0 "$b_pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$b_pid" 2> /dev/null
    wait "$b_pid" 2> /dev/null
    b_pid=
}
trap 'http_serve_kill; stop_b; pg_stop; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
if [ "$(id -u)" -ne 0 ]; then
    fail "shared-lifecycle.sh needs root (the private database runs as the postgres user)"
    report shared-lifecycle
    exit 1
fi
check() {
    local name=$1
    shift
    if "$@"; then pass "$name"; else fail "$name" "${detail:-}"; fi
    detail=
}
detail=
curl() { command curl -sS --max-time 10 "$@"; }

if ! pg_start; then
    fail "a private PostgreSQL cluster starts (Debian's postgresql package)"
    report shared-lifecycle
    exit 1
fi
pass "a private PostgreSQL cluster runs on a socket in $PG_DIR"

# Appliance A: http-serve.sh's layout with the shared database.
mkdir -p "$work/a" "$work/b"
: > "$work/script.ipxe"
http_serve_setup "$work/a"
cat >> "$config" << YAML
leases:
  backend: postgresql
  appliance: appliance-a
  postgresql:
    url: $PG_URL
YAML
config_a=$config
url_a=$http_url
# Appliance B: the same profiles and root, its own ports and state directory.
tftp_b=$(free_port udp)
http_b=$(free_port tcp)
while [ "$http_b" = "$tftp_b" ] || [ "$http_b" = "$http_port" ]; do http_b=$(free_port tcp); done
url_b="http://127.0.0.1:$http_b"
config_b=$work/b/rackboot.yaml
mkdir -p "$work/b/state"
sed -e "s|^state_directory: .*|state_directory: $work/b/state|" -e "s|^  port: $tftp_port$|  port: $tftp_b|" \
    -e "s|^  port: $http_port$|  port: $http_b|" -e "s|appliance: appliance-a|appliance: appliance-b|" \
    "$config_a" > "$config_b"

http_serve_start "$rackboot"
serve_log_a=$serve_log
"$rackboot" serve --config "$config_b" --log console > "$work/b/serve.out" 2> "$work/b/serve.err" &
b_pid=$!
wait_for 10 grep -q "HTTP server listening" "$work/b/serve.err"
detail="$(tail -5 "$work/b/serve.err")"
check "appliance B listens on HTTP 127.0.0.1:$http_b" grep -q "HTTP server listening" "$work/b/serve.err"
detail="$(grep -h "shared database" "$serve_log_a" "$work/b/serve.err")"
check "both appliances use the shared database, with ordinals 0 and 1" test \
    -n "$(grep "appliance=appliance-a appliance_ordinal=0" "$serve_log_a")" -a \
    -n "$(grep "appliance=appliance-b appliance_ordinal=1" "$work/b/serve.err")"

m1_dashes=52-54-00-aa-00-01
# lifecycle CONFIG: m1's lifecycle as `rackboot machines --json` reports it with CONFIG.
lifecycle() {
    "$rackboot" machines --config "$1" --json 2> /dev/null |
        python3 -c 'import json, sys
print(next(m.get("lifecycle", "") for m in json.load(sys.stdin) if m["hostname"] == "m1"))'
}
# token URL OUT: fetches m1's answer file from URL as m1 (127.0.0.5) into OUT, prints its callback token.
token() {
    curl --interface 127.0.0.5 -o "$2" "$1/files/m1/install.env" 2> /dev/null
    sed -n 's|^RACKBOOT_CALLBACK=.*/callback/m1/||p' "$2"
}
# boots_local URL: m1's iPXE script from URL boots the local disk.
boots_local() {
    curl -o "$work/script.ipxe" "$1/ipxe/01-$m1_dashes.ipxe" 2> /dev/null &&
        grep -q sanboot "$work/script.ipxe" && ! grep -q '^kernel' "$work/script.ipxe"
}
# installs URL: m1's iPXE script from URL loads the installer.
installs() {
    curl -o "$work/script.ipxe" "$1/ipxe/01-$m1_dashes.ipxe" 2> /dev/null && grep -q '^kernel' "$work/script.ipxe"
}
callback() { # URL TOKEN -> HTTP status
    curl --interface 127.0.0.5 -o /dev/null -w '%{http_code}' -X POST "$1/callback/m1/$2" 2> /dev/null
}

# --- One token, whichever appliance renders the answer file (B first: it draws the first token). ---
token_b=$(token "$url_b" "$work/answer.b")
token_a=$(token "$url_a" "$work/answer.a")
detail="B: '$token_b', A: '$token_a'"
check "both appliances render m1's answer file with the same install token" \
    test -n "$token_b" -a "$token_a" = "$token_b"
stored=$(pg_psql "SELECT install_token FROM machine WHERE hostname = 'm1'")
detail="stored: '$stored'"
check "that token is the one in the database" test "$stored" = "$token_a"
both_install() { installs "$url_a" && installs "$url_b"; }
detail="$(cat "$work/script.ipxe")"
check "before the callback both appliances hand m1 its installer" both_install

# --- Installed through A: B boots m1's disk too. ---
status=$(callback "$url_a" "$token_a")
detail="status $status"
check "the callback through appliance A: 200" test "$status" = 200
detail="$(cat "$work/script.ipxe")"
check "appliance B hands m1 local boot within 5 s" wait_for 5 boots_local "$url_b"
check "and appliance A at once" boots_local "$url_a"
status=$(callback "$url_b" "$token_a")
detail="status $status"
check "a replay of the spent token to appliance B: 403" test "$status" = 403
detail="A: $(lifecycle "$config_a"), B: $(lifecycle "$config_b")"
check "rackboot machines reads m1 installed with either appliance's configuration" test \
    "$(lifecycle "$config_a")" = installed -a "$(lifecycle "$config_b")" = installed
detail="$(pg_psql "SELECT phase, generation, install_count, updated_by FROM machine WHERE hostname = 'm1'")"
check "the database holds m1 installed once" test \
    "$(pg_psql "SELECT phase || ' ' || install_count FROM machine WHERE hostname = 'm1'")" = "installed 1"

# --- Reinstall through B's control socket: A sends m1 to its installer again, with a new token. ---
"$rackboot" reinstall m1 --config "$config_b" > "$work/reinstall.out" 2>&1
reinstalled=$?
detail="$(cat "$work/reinstall.out")"
check "rackboot reinstall m1 through appliance B exits 0 (through its running server)" test "$reinstalled" -eq 0 -a \
    -z "$(grep "not running" "$work/reinstall.out")"
detail="$(cat "$work/script.ipxe")"
check "appliance A hands m1 its installer again within 5 s" wait_for 5 installs "$url_a"
token_a2=$(token "$url_a" "$work/answer.a2")
token_b2=$(token "$url_b" "$work/answer.b2")
detail="before: $token_a, now A: '$token_a2', B: '$token_b2'"
check "a new token, the same on both appliances" test -n "$token_a2" -a "$token_a2" != "$token_a" -a \
    "$token_a2" = "$token_b2"
status_a=$(callback "$url_a" "$token_a")
status_b=$(callback "$url_b" "$token_a")
detail="A: $status_a, B: $status_b"
check "the old token is refused by both appliances" test "$status_a" = 403 -a "$status_b" = 403

# --- A restarts: it reads the state back from the database. ---
cd "$repo" || exit 1
http_serve_stop
http_serve_start "$rackboot"
check "after A's restart m1 still installs from it (reinstall pending)" installs "$url_a"
token_a3=$(token "$url_a" "$work/answer.a3")
detail="after restart: '$token_a3', before: '$token_a2'"
check "and its answer file carries the same token" test "$token_a3" = "$token_a2"
status=$(callback "$url_b" "$token_a3")
detail="status $status"
check "the callback through appliance B: 200" test "$status" = 200
detail="$(cat "$work/script.ipxe")"
check "appliance A hands m1 local boot within 5 s" wait_for 5 boots_local "$url_a"
detail="$(pg_psql "SELECT phase || ' ' || install_count FROM machine WHERE hostname = 'm1'")"
check "the database holds m1 installed twice" test \
    "$(pg_psql "SELECT phase || ' ' || install_count FROM machine WHERE hostname = 'm1'")" = "installed 2"
detail="$(grep -h -i -e error -e fatal "$serve_log_a" "$work/b/serve.err" | head -3)"
check "neither appliance logged an error" test -z "$(grep -h -e ' error ' -e ' critical ' "$work"/a/serve-*.err \
    "$work/b/serve.err")"

report shared-lifecycle
