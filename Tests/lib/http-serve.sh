# Shared by the HTTP tests that run `rackboot serve` on 127.0.0.1 with TFTP and HTTP each on a free high port, with
# their own configuration, profiles and state in the test's folder (no subnet names an interface, so DHCP stays off).
# Source it after report.sh.
#   http_serve_setup WORK [HTTP-YAML-LINES]  writes WORK/rackboot.yaml and WORK/profiles: machines m1
#                        (52:54:00:aa:00:01, 127.0.0.5) and m2 (52:54:00:aa:00:02, 127.0.0.6), both in state install
#                        with template inst (kernel e2e/vmlinuz, initrd e2e/initrd.img, answer file install.env holding
#                        {{hostname}}, {{ip}} and {{callback_url}}); the root is WORK/root, which the caller fills.
#                        Extra lines (each "  key: value") go into the http: section. Sets config, tftp_port,
#                        http_port and http_url.
#   http_serve_start RACKBOOT [WRAPPER...]   starts serve (under WRAPPER, such as strace, when given), logs in
#                        WORK/serve-N.out and WORK/serve-N.err (N counts the starts; serve_log names the .err), sets
#                        serve_pid (the background job) and rackboot_pid (the rackboot process itself), and checks that
#                        both listeners are up
#   http_serve_stop      stops it with SIGTERM and checks that it exits with status 0
#   http_serve_kill      for a cleanup trap: stops it if it still runs
serve_pid=
rackboot_pid=
serve_log=
serve_starts=0
http_work=

# A port nothing on 127.0.0.1 uses now, for TYPE (tcp or udp).
free_port() {
    python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}

http_serve_setup() {
    local work=$1 extra
    shift
    http_work=$work
    tftp_port=$(free_port udp)
    http_port=$(free_port tcp)
    while [ "$http_port" = "$tftp_port" ]; do http_port=$(free_port tcp); done
    http_url="http://127.0.0.1:$http_port"
    mkdir -p "$work/profiles/templates/inst" "$work/root/e2e" "$work/state"
    printf 'hostname: m1\nmacs: [52:54:00:aa:00:01]\nip: 127.0.0.5\ntemplate: inst\nstate: install\n' \
        > "$work/profiles/m1.yaml"
    printf 'hostname: m2\nmacs: [52:54:00:aa:00:02]\nip: 127.0.0.6\ntemplate: inst\nstate: install\n' \
        > "$work/profiles/m2.yaml"
    cat > "$work/profiles/templates/inst.yaml" << 'YAML'
description: test install
kernel: e2e/vmlinuz
initrds: [e2e/initrd.img]
cmdline: console=ttyS0 rackboot.files={{files_url}}
files:
  install.env: inst/install.env
YAML
    cat > "$work/profiles/templates/inst/install.env" << 'TEXT'
RACKBOOT_HOSTNAME={{hostname}}
RACKBOOT_IP={{ip}}
RACKBOOT_MAC={{mac}}
RACKBOOT_CALLBACK={{callback_url}}
TEXT
    # The boot loaders the default boot files name (never fetched here; present so that check has nothing to say).
    echo "not a boot loader" > "$work/root/pxelinux.0"
    echo "not a boot loader" > "$work/root/syslinux.efi"
    echo "kernel" > "$work/root/e2e/vmlinuz"
    echo "initrd" > "$work/root/e2e/initrd.img"
    extra=$(printf '%s\n' "$@")
    cat > "$work/rackboot.yaml" << YAML
profiles: $work/profiles
state_directory: $work/state
boot:
  next_server: 127.0.0.1
dhcp:
  subnets:
    - network: 127.0.0.0/8
      router: 127.0.0.1
      dns_servers: [127.0.0.53]
tftp:
  root: $work/root
  address: 127.0.0.1
  port: $tftp_port
http:
  address: 127.0.0.1
  port: $http_port
$extra
YAML
    config=$work/rackboot.yaml
}

http_serve_start() {
    local rackboot=$1
    shift
    serve_starts=$((serve_starts + 1))
    serve_log=$http_work/serve-$serve_starts.err
    "$@" "$rackboot" serve --config "$config" --log console > "$http_work/serve-$serve_starts.out" 2> "$serve_log" &
    serve_pid=$!
    rackboot_pid=$serve_pid
    for _ in $(seq 1 100); do
        grep -q "HTTP server listening" "$serve_log" && grep -q "TFTP server listening" "$serve_log" && break
        kill -0 "$serve_pid" 2> /dev/null || break
        sleep 0.1
    done
    if [ $# -gt 0 ]; then rackboot_pid=$(pgrep -P "$serve_pid" | head -1); fi
    if grep -q "HTTP server listening" "$serve_log" && grep -q "TFTP server listening" "$serve_log" &&
        [ -n "$rackboot_pid" ]; then
        pass "serve ($serve_starts) listens: HTTP 127.0.0.1:$http_port, TFTP 127.0.0.1:$tftp_port"
    else
        fail "serve ($serve_starts) listens: HTTP 127.0.0.1:$http_port, TFTP 127.0.0.1:$tftp_port" \
            "$(tail -5 "$serve_log")"
    fi
}

http_serve_stop() {
    local status
    kill -TERM "$rackboot_pid" 2> /dev/null
    wait "$serve_pid"
    status=$?
    serve_pid=
    rackboot_pid=
    if [ "$status" -eq 0 ]; then pass "serve ($serve_starts) stops with status 0 on SIGTERM"; else
        fail "serve ($serve_starts) stops with status 0 on SIGTERM" "status $status" "$(tail -3 "$serve_log")"
    fi
}

http_serve_kill() {
    if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2> /dev/null; then
        kill -TERM "$rackboot_pid" 2> /dev/null
        for _ in $(seq 1 50); do kill -0 "$serve_pid" 2> /dev/null || break; sleep 0.1; done
        kill -KILL "$rackboot_pid" "$serve_pid" 2> /dev/null
        wait "$serve_pid" 2> /dev/null
    fi
}

# Stops every server this file started and removes $work on exit (KEEP=1 keeps it); INT and TERM exit 130.
http_serve_cleanup_on_exit() {
    trap 'http_serve_kill; [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"' EXIT
    trap 'exit 130' INT TERM
}
