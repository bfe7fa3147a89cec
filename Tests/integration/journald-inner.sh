#!/usr/bin/env bash
# Runs inside the server's network namespace and a private mount namespace (see journald.sh): tmpfs over /run and
# the journal folder, a real systemd-journald, and rackboot serve --log journal. Waits for WORK/done, then saves
# the journalctl answers into WORK. Usage: journald-inner.sh RACKBOOT WORK MAC
set -uo pipefail
rackboot=$1 work=$2 mac=$3
# ip netns exec mounted a fresh /sys without cgroups; journald will not start without them.
mount -t cgroup2 none /sys/fs/cgroup
mount -t tmpfs tmpfs /run
mkdir -p /run/systemd/journal /run/log/journal
[ -d /var/log/journal ] && mount -t tmpfs tmpfs /var/log/journal
/lib/systemd/systemd-journald 2> "$work/journald.err" &
journald=$!
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
"$rackboot" serve --config "$work/rackboot.yaml" --log journal > "$work/serve.out" 2> "$work/serve.err" &
serve=$!
for _ in $(seq 100); do
    journalctl --no-pager -q SYSLOG_IDENTIFIER=rackboot 2> /dev/null | grep "ready" > /dev/null && break
    sleep 0.1
done
journalctl --no-pager -q SYSLOG_IDENTIFIER=rackboot 2> /dev/null | grep "ready" > /dev/null && touch "$work/serving"
for _ in $(seq 600); do [ -e "$work/done" ] && break; sleep 0.1; done
kill -TERM "$serve"
wait "$serve"
journalctl --no-pager -o json "MAC=$mac" > "$work/by-mac.json"
journalctl --no-pager -o json SYSLOG_IDENTIFIER=rackboot > "$work/all.json"
kill "$journald"
wait "$journald"
