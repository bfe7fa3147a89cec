#!/usr/bin/env bash
# Captures the first DHCPDISCOVER of six real DHCP clients and writes each one's raw BOOTP/DHCP message
# (the UDP payload, starting at the op byte) to Tests/DHCPCoreTests/Fixtures/*.bin. Provenance of those
# fixtures; NOT run by CI, and the tests never run it. Root only (Debian 12).
#
#   sudo bash scripts/capture-dhcp-fixtures.sh [OUTPUT_DIR] [CLIENT...]
#
#   OUTPUT_DIR defaults to Tests/DHCPCoreTests/Fixtures beside this script; CLIENT is any of
#   dhclient udhcpc dhcpcd ipxe-bios ovmf-native ipxe-efi (default: all six, in that order).
#
# Network safety: every packet stays inside one network namespace this script creates. Inside it, a
# bridge (no address at all: the clients only broadcast from 0.0.0.0, and nobody answers) joins veth
# pairs for the Linux clients and tap devices for the QEMU guests; tcpdump listens on that bridge.
# Nothing is configured on, or sent through, the host's own interfaces. Every client run is bounded by
# `timeout`, every wait loop by a count, and an EXIT trap kills every process this script started (by
# PID, and then any process still inside its namespace) and deletes the namespace and temp dir.
# The Linux clients also run in their own UTS namespace (fixed host name `rackboot-fixture`, so option 12
# does not carry this machine's name) and mount namespace (tmpfs over /run and their state dirs, so no
# lease, pid, DUID or socket file of the host's is read or written).
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$SCRIPT_DIR/../Tests/DHCPCoreTests/Fixtures}
shift || true
CLIENTS=("$@")
[ ${#CLIENTS[@]} -eq 0 ] && CLIENTS=(dhclient udhcpc dhcpcd ipxe-bios ovmf-native ipxe-efi)

if [ "$(id -u)" -ne 0 ]; then
    echo "capture-dhcp-fixtures: must run as root (network namespaces, tap devices, packet capture)" >&2
    exit 1
fi

# The MAC each client uses (also recorded in the fixtures' README).
declare -A MAC=(
    [dhclient]=52:54:00:dc:00:01
    [udhcpc]=52:54:00:dc:00:02
    [dhcpcd]=52:54:00:dc:00:03
    [ipxe-bios]=52:54:00:dc:00:04
    [ovmf-native]=52:54:00:dc:00:05
    [ipxe-efi]=52:54:00:dc:00:06
)
# A fixed SMBIOS system UUID per QEMU guest, so option 97 carries a recognisable, non-zero value.
declare -A UUID=(
    [ipxe-bios]=8f3a1c52-6d4e-4b7a-9c10-52540000dc04
    [ovmf-native]=8f3a1c52-6d4e-4b7a-9c10-52540000dc05
    [ipxe-efi]=8f3a1c52-6d4e-4b7a-9c10-52540000dc06
)
HOSTNAME_IN_UTS=rackboot-fixture
LINUX_CLIENT_TIMEOUT=25   # seconds a Linux client may run
QEMU_TIMEOUT=300          # seconds a QEMU guest may run (TCG only: firmware boots take 20-90 s)
IPXE_ROM=/usr/lib/ipxe/qemu/efi-virtio.rom   # QEMU's default ROM for virtio-net-pci (BIOS + EFI iPXE images)
# The NIC is virtio-net-pci with disable-legacy=on (modern-only, PCI ID 1af4:1041): the ROM images in
# ipxe-qemu 1.0.0+git-20190125 carry device ID 1041, and SeaBIOS runs a PCI option ROM only when its ID
# matches the device's, so on the transitional device (1af4:1000, QEMU's default) iPXE is never run and
# SeaBIOS never tries the network. The same NIC is used in all three QEMU captures.
OVMF_CODE=/usr/share/OVMF/OVMF_CODE.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS.fd

# ---------------------------------------------------------------------------------------------- packages
PACKAGES=(iproute2 tcpdump isc-dhcp-client udhcpc busybox dhcpcd-base qemu-system-x86 ipxe-qemu ovmf python3 util-linux)
# Never dnsmasq (only dnsmasq-base would be acceptable) and never dhcpcd5: dhcpcd-base has no service.
bash "$(dirname "$0")/install-debian-packages.sh" "${PACKAGES[@]}" || { echo "capture-dhcp-fixtures: apt-get failed" >&2; exit 1; }

# ------------------------------------------------------------------------------------- setup and cleanup
WORK=$(mktemp -d /tmp/rackboot-dhcp-capture.XXXXXX)
NS=rbdhcpcap$$
NS_CREATED=false
STARTED_PIDS=()

cleanup() {
    local pid i
    set +e
    for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for i in $(seq 1 20); do
        local alive=false
        for pid in "${STARTED_PIDS[@]}"; do kill -0 "$pid" 2>/dev/null && alive=true; done
        $alive || break
        sleep 0.25
    done
    for pid in "${STARTED_PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
    if $NS_CREATED; then
        # Anything still inside our own namespace was started by this script.
        for pid in $(ip netns pids "$NS" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
        sleep 0.5
        ip netns del "$NS" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

nsx() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
NS_CREATED=true
nsx ip link set lo up
nsx sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
nsx ip link add br0 type bridge stp_state 0 forward_delay 0
nsx ip link set br0 up

# ---------------------------------------------------------------------------------------- pcap helper
cat > "$WORK/dhcp.py" <<'PY'
"""extract PCAP MAC OUT: write the first DHCPDISCOVER (UDP payload) from chaddr MAC; exit 1 if none.
   decode BIN: print a one-screen summary of a BOOTP/DHCP message."""
import struct, sys

def packets(path):
    data = open(path, 'rb').read()
    if len(data) < 24:
        return
    magic = data[:4]
    endian = '<' if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    linktype = struct.unpack(endian + 'I', data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        off += 16
        frame = data[off:off + caplen]
        off += caplen
        if len(frame) < caplen:
            break
        yield linktype, frame

def udp_payload(linktype, frame):
    if linktype == 1:                      # Ethernet
        ethertype = struct.unpack('!H', frame[12:14])[0]
        ip = frame[14:]
        if ethertype == 0x8100:
            ethertype = struct.unpack('!H', frame[16:18])[0]
            ip = frame[18:]
    elif linktype == 113:                  # Linux cooked
        ethertype = struct.unpack('!H', frame[14:16])[0]
        ip = frame[16:]
    else:
        return None
    if ethertype != 0x0800 or len(ip) < 20 or ip[9] != 17:
        return None
    ihl = (ip[0] & 0x0F) * 4
    total = struct.unpack('!H', ip[2:4])[0]
    ip = ip[:total]
    udp = ip[ihl:]
    sport, dport, ulen = struct.unpack('!HHH', udp[:6])
    return sport, dport, udp[8:ulen]

def options(msg):
    out, i = [], 240
    while i < len(msg):
        code = msg[i]
        if code == 0:
            i += 1
            continue
        if code == 255:
            out.append((255, b''))
            break
        length = msg[i + 1]
        out.append((code, msg[i + 2:i + 2 + length]))
        i += 2 + length
    return out

def is_discover(msg):
    return (len(msg) >= 241 and msg[0] == 1 and msg[236:240] == b'\x63\x82\x53\x63'
            and any(c == 53 and v == b'\x01' for c, v in options(msg)))

def extract(pcap, mac, out):
    want = bytes.fromhex(mac.replace(':', ''))
    for linktype, frame in packets(pcap):
        u = udp_payload(linktype, frame)
        if not u or u[1] != 67:
            continue
        msg = u[2]
        if is_discover(msg) and msg[28:34] == want:
            open(out, 'wb').write(msg)
            return 0
    return 1

def text(v):
    return '"' + v.decode('latin-1').encode('unicode_escape').decode() + '"'

def decode(path):
    m = open(path, 'rb').read()
    op, htype, hlen, hops, xid, secs, flags = struct.unpack('!BBBBIHH', m[:12])
    print(f'size {len(m)} bytes; op {op} htype {htype} hlen {hlen} hops {hops} xid 0x{xid:08x} secs {secs} '
          f'flags 0x{flags:04x}{" (broadcast)" if flags & 0x8000 else ""}')
    print('ciaddr/yiaddr/siaddr/giaddr', '/'.join('.'.join(map(str, m[o:o + 4])) for o in (12, 16, 20, 24)),
          'chaddr', ':'.join(f'{b:02x}' for b in m[28:28 + hlen]),
          'sname', 'empty' if not m[44:108].strip(b'\0') else text(m[44:108].rstrip(b'\0')),
          'file', 'empty' if not m[108:236].strip(b'\0') else text(m[108:236].rstrip(b'\0')),
          'cookie', m[236:240].hex())
    opts = options(m)
    print('option order:', ' '.join(str(c) for c, _ in opts))
    for c, v in opts:
        if c == 255:
            continue
        if c == 53:
            s = str(v[0])
        elif c == 55:
            s = 'len %d: %s' % (len(v), ' '.join(str(b) for b in v))
        elif c in (57,):
            s = str(struct.unpack('!H', v)[0])
        elif c == 93:
            s = ' '.join(str(struct.unpack('!H', v[i:i + 2])[0]) for i in range(0, len(v), 2))
        elif c == 94:
            s = 'type %d, UNDI %d.%d' % (v[0], v[1], v[2]) if len(v) == 3 else v.hex()
        elif c == 97:
            s = 'type %d, %s' % (v[0], v[1:].hex()) if v else '(empty)'
        elif c == 61:
            s = 'type %d, %s' % (v[0], v[1:].hex(':')) if v else '(empty)'
        elif c in (12, 60, 77) and all(32 <= b < 127 for b in v):
            s = text(v)
        elif c == 81:
            s = 'flags 0x%02x rcode %d/%d name %s' % (v[0], v[1], v[2], text(v[3:]))
        elif c == 175:
            sub, i = [], 0
            while i + 1 < len(v):
                sub.append('%d=%s' % (v[i], v[i + 2:i + 2 + v[i + 1]].hex()))
                i += 2 + v[i + 1]
            s = 'encapsulated: ' + ' '.join(sub)
        else:
            s = v.hex() if v else '(empty)'
        print(f'  {c:3d} [{len(v):2d}] {s}')

if __name__ == '__main__':
    if sys.argv[1] == 'extract':
        sys.exit(extract(*sys.argv[2:5]))
    decode(sys.argv[2])
PY

# -------------------------------------------------------------------------------------- capture steps
TCPDUMP_PID=
CLIENT_PID=

start_tcpdump() {   # $1 = pcap path
    nsx tcpdump -i br0 -n -U -Z root -w "$1" 'udp port 67 or udp port 68' 2> "$1.log" &
    TCPDUMP_PID=$!
    STARTED_PIDS+=("$TCPDUMP_PID")
    local i
    for i in $(seq 1 50); do grep -q 'listening on' "$1.log" 2>/dev/null && return 0; sleep 0.1; done
    echo "capture-dhcp-fixtures: tcpdump did not start" >&2
    cat "$1.log" >&2
    return 1
}

stop_pid() {        # $1 = pid started by this script
    local pid=$1 i
    [ -n "$pid" ] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

# Waits (at most $3 s) until the pcap holds a DISCOVER from MAC $2, or the client exits.
wait_for_discover() {   # $1 = pcap, $2 = mac, $3 = seconds, $4 = output .bin
    local i
    for i in $(seq 1 "$3"); do
        python3 "$WORK/dhcp.py" extract "$1" "$2" "$4" && return 0
        kill -0 "$CLIENT_PID" 2>/dev/null || break
        sleep 1
    done
    sleep 1   # one last look after the client exited
    python3 "$WORK/dhcp.py" extract "$1" "$2" "$4"
}

# Creates veth pair cl-<n> (client side, with MAC) / cl-<n>p (in br0).
add_veth() {        # $1 = short name, $2 = mac
    nsx ip link add "$1" address "$2" type veth peer name "$1p" &&
        nsx ip link set "$1p" master br0 &&
        nsx ip link set "$1p" up &&
        nsx ip link set "$1" up
}

add_tap() {         # $1 = tap name
    nsx ip tuntap add dev "$1" mode tap &&
        nsx ip link set "$1" master br0 &&
        nsx ip link set "$1" up
}

# Runs a Linux client in our netns + own UTS and mount namespaces, bounded by timeout.
# $1 = state dir to hide under tmpfs (besides /run), rest = command.
run_linux_client() {
    local statedir=$1
    shift
    timeout -k 3 "$LINUX_CLIENT_TIMEOUT" ip netns exec "$NS" \
        unshare --uts --mount --propagation private \
        sh -c 'hostname "$1"; mount -t tmpfs none /run; mount -t tmpfs none "$2"; shift 2; exec "$@"' \
        sh "$HOSTNAME_IN_UTS" "$statedir" "$@" &
    CLIENT_PID=$!
    STARTED_PIDS+=("$CLIENT_PID")
}

run_qemu() {        # $1 = log file, rest = qemu arguments
    local log=$1
    shift
    timeout -k 5 "$QEMU_TIMEOUT" ip netns exec "$NS" \
        qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -nic none "$@" < /dev/null > "$log" 2>&1 &
    CLIENT_PID=$!
    STARTED_PIDS+=("$CLIENT_PID")
}

capture() {         # $1 = client name
    local name=$1 mac=${MAC[$1]} pcap=$WORK/$1.pcap bin=$WORK/$1-discover.bin log=$WORK/$1.log
    local wait=$LINUX_CLIENT_TIMEOUT
    echo "== $name (MAC $mac)"
    start_tcpdump "$pcap" || return 1
    case $name in
    dhclient)
        add_veth cl1 "$mac" || return 1
        mkdir -p "$WORK/dhclient"
        run_linux_client /var/lib/dhcp \
            dhclient -d -v -1 -4 -cf /etc/dhcp/dhclient.conf -sf /bin/true \
            -lf "$WORK/dhclient/dhclient.leases" -pf "$WORK/dhclient/dhclient.pid" cl1
        ;;
    udhcpc)
        add_veth cl2 "$mac" || return 1
        run_linux_client /var/lib/dhcp \
            udhcpc -f -i cl2 -n -q -t 2 -T 1 -s /bin/true
        ;;
    dhcpcd)
        add_veth cl3 "$mac" || return 1
        run_linux_client /var/lib/dhcpcd \
            dhcpcd -B -1 -4 -d -t 10 --noipv4ll --script /bin/true -f /etc/dhcpcd.conf cl3
        ;;
    ipxe-bios)
        add_tap tap4 || return 1
        wait=$QEMU_TIMEOUT
        run_qemu "$log" -uuid "${UUID[$name]}" -boot n \
            -netdev tap,id=net0,ifname=tap4,script=no,downscript=no \
            -device "virtio-net-pci,disable-legacy=on,netdev=net0,mac=$mac,romfile=$IPXE_ROM"
        ;;
    ovmf-native|ipxe-efi)
        local tap rom
        if [ "$name" = ovmf-native ]; then tap=tap5 rom=; else tap=tap6 rom=$IPXE_ROM; fi
        add_tap "$tap" || return 1
        cp "$OVMF_VARS" "$WORK/$name-vars.fd"
        wait=$QEMU_TIMEOUT
        run_qemu "$log" -uuid "${UUID[$name]}" \
            -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
            -drive "if=pflash,format=raw,unit=1,file=$WORK/$name-vars.fd" \
            -netdev "tap,id=net0,ifname=$tap,script=no,downscript=no" \
            -device "virtio-net-pci,disable-legacy=on,netdev=net0,mac=$mac,romfile=$rom,bootindex=1"
        ;;
    *) echo "unknown client $name" >&2; return 1 ;;
    esac
    local rc=0
    wait_for_discover "$pcap" "$mac" "$wait" "$bin" || rc=$?
    stop_pid "$CLIENT_PID"
    stop_pid "$TCPDUMP_PID"
    if [ $rc -ne 0 ]; then
        echo "capture-dhcp-fixtures: no DHCPDISCOVER from $name; its output:" >&2
        tail -n 30 "$log" >&2 2>/dev/null || true
        return 1
    fi
    python3 "$WORK/dhcp.py" extract "$pcap" "$mac" "$bin"   # again, from the complete pcap
    install -m 0644 "$bin" "$OUT/$name-discover.bin"
    python3 "$WORK/dhcp.py" decode "$OUT/$name-discover.bin"
}

mkdir -p "$OUT"
failed=()
for c in "${CLIENTS[@]}"; do
    capture "$c" || failed+=("$c")
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "capture-dhcp-fixtures: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "capture-dhcp-fixtures: wrote ${#CLIENTS[@]} fixture(s) to $OUT"
