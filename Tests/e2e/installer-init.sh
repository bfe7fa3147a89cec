#!/bin/busybox sh
# /init of the end-to-end installer initramfs (e2e/installer.img). It does what a real installer does, in small:
#   1. brings up the NIC, asks DHCP for its address;
#   2. reads rackboot.host=<hostname> and rackboot.files=<url> from the kernel command line and fetches
#      <url>/install.env, its answer file (KEY=VALUE lines: RACKBOOT_HOSTNAME, RACKBOOT_IP, RACKBOOT_MAC,
#      RACKBOOT_IMAGE, RACKBOOT_CALLBACK), and checks that the file is its own (host name, DHCP address, NIC MAC);
#   3. streams the disk image RACKBOOT_IMAGE onto /dev/vda and writes this install's identity record (host name,
#      a fresh random install id) at the disk's fixed identity offset, where the installed system reads it;
#   4. calls RACKBOOT_CALLBACK (POST) and reboots (QEMU runs with -no-reboot, so the VM exits).
# Every step prints one RACKBOOT-INSTALL-* line on the serial console; a failed step powers off instead.
# The identity record: LBA 1024 (byte 524288), up to 4 KiB of text in the gap between the MBR and the first
# partition, which nothing else uses (syslinux keeps all its files inside the FAT partition). First line
# "RACKBOOT-IDENTITY 1", then key=value lines; build-install-assets.sh and disk-init.sh use the same offset.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
identity_sector=1024

say() { echo "$*" > /dev/ttyS0; }
stop() { # marker line; powers off
    say "$*"
    sync
    poweroff -f
}

# --- the network --------------------------------------------------------------------------------------------
. /initramfs-network.sh
network_up virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover net_failover virtio_net \
    virtio_blk || stop "RACKBOOT-INSTALL-FAILED reason=no-network-interface"
[ -n "$ip" ] || stop "RACKBOOT-INSTALL-FAILED reason=no-dhcp-lease mac=$mac"

# --- the answer file ------------------------------------------------------------------------------------------
host=
files=
for word in $(cat /proc/cmdline); do
    case "$word" in
        rackboot.host=*) host=${word#*=} ;;
        rackboot.files=*) files=${word#*=} ;;
    esac
done
[ -n "$host" ] && [ -n "$files" ] || stop "RACKBOOT-INSTALL-FAILED reason=cmdline cmdline=[$(cat /proc/cmdline)]"
fetched=false
for _ in 1 2 3 4 5; do
    if wget -q -O /tmp/install.env "$files/install.env" 2> /tmp/wget.err; then
        fetched=true
        break
    fi
    sleep 2
done
$fetched || stop "RACKBOOT-INSTALL-ANSWER unavailable url=$files/install.env error=[$(tr '\n' ' ' < /tmp/wget.err)]"

# Parsed, never sourced: a URL's `&` or `;` would be shell syntax. Only the known keys are taken; a value may be
# quoted ('...' or "..."); blank lines and # comments are skipped; any other line makes the file malformed.
RACKBOOT_HOSTNAME=
RACKBOOT_IP=
RACKBOOT_MAC=
RACKBOOT_IMAGE=
RACKBOOT_CALLBACK=
malformed=
while IFS= read -r line || [ -n "$line" ]; do
    line=$(printf '%s' "$line" | tr -d '\r')
    case "$line" in '' | '#'*) continue ;; esac
    case "$line" in
        [A-Z_]*=*) ;;
        *) malformed="$malformed [$line]"; continue ;;
    esac
    key=${line%%=*}
    value=${line#*=}
    case "$value" in
        \"*\") value=${value#\"}; value=${value%\"} ;;
        \'*\') value=${value#\'}; value=${value%\'} ;;
    esac
    case "$key" in
        RACKBOOT_HOSTNAME) RACKBOOT_HOSTNAME=$value ;;
        RACKBOOT_IP) RACKBOOT_IP=$value ;;
        RACKBOOT_MAC) RACKBOOT_MAC=$value ;;
        RACKBOOT_IMAGE) RACKBOOT_IMAGE=$value ;;
        RACKBOOT_CALLBACK) RACKBOOT_CALLBACK=$value ;;
    esac
done < /tmp/install.env
[ -z "$malformed" ] || stop "RACKBOOT-INSTALL-ANSWER malformed lines=$malformed"

lower() { printf '%s' "$1" | tr 'A-F-' 'a-f:'; }
answer_mac=$(lower "$RACKBOOT_MAC")
if [ "$RACKBOOT_HOSTNAME" != "$host" ] || [ "$RACKBOOT_IP" != "$ip" ] || [ "$answer_mac" != "$(lower "$mac")" ]; then
    stop "RACKBOOT-INSTALL-ANSWER mismatch host=$host ip=$ip mac=$mac" \
        "answer-host=$RACKBOOT_HOSTNAME answer-ip=$RACKBOOT_IP answer-mac=$RACKBOOT_MAC"
fi
[ -n "$RACKBOOT_IMAGE" ] && [ -n "$RACKBOOT_CALLBACK" ] \
    || stop "RACKBOOT-INSTALL-ANSWER incomplete image=[$RACKBOOT_IMAGE] callback=[$RACKBOOT_CALLBACK]"
say "RACKBOOT-INSTALL-ANSWER ok host=$host ip=$ip mac=$mac"

# --- the disk -------------------------------------------------------------------------------------------------
for _ in $(seq 50); do
    [ -b /dev/vda ] && break
    sleep 0.1
done
[ -b /dev/vda ] || stop "RACKBOOT-INSTALL-FAILED reason=no-disk"
install_id=$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')
# The image streams straight onto the disk; wget's status comes back through a file (no pipefail needed), and the
# byte count through a FIFO (busybox's dd does not print one).
mkfifo /tmp/image.fifo
wc -c < /tmp/image.fifo > /tmp/image.bytes &
counter=$!
{
    wget -q -O - "$RACKBOOT_IMAGE" 2> /tmp/image.err
    echo $? > /tmp/image.rc
} | tee /tmp/image.fifo | dd of=/dev/vda bs=1M 2> /tmp/dd.log
dd_status=$?
wait $counter
bytes=$(tr -dc 0-9 < /tmp/image.bytes)
if [ "$(cat /tmp/image.rc)" != 0 ] || [ "$dd_status" != 0 ] || [ -z "$bytes" ] || [ "$bytes" -lt 1048576 ]; then
    stop "RACKBOOT-INSTALL-FAILED reason=image url=$RACKBOOT_IMAGE wget=$(cat /tmp/image.rc) dd=$dd_status" \
        "bytes=$bytes error=[$(tr '\n' ' ' < /tmp/image.err) $(tr '\n' ' ' < /tmp/dd.log)]"
fi
sync
# Read back from the disk, not from the page cache: the checksum is of what the next boot will find.
echo 3 > /proc/sys/vm/drop_caches
image_sha256=$(head -c "$bytes" /dev/vda | sha256sum | cut -d' ' -f1)
# The identity record: zero its 4 KiB, then write it (both within the image's own pre-partition gap).
dd if=/dev/zero of=/dev/vda bs=512 seek=$identity_sector count=8 2> /dev/null
printf 'RACKBOOT-IDENTITY 1\nhost=%s\nid=%s\nmac=%s\nip=%s\n' "$host" "$install_id" "$mac" "$ip" \
    | dd of=/dev/vda bs=512 seek=$identity_sector 2> /dev/null
sync
# sha256 is the image as written, before the identity record went into its gap.
say "RACKBOOT-INSTALL-WRITTEN host=$host id=$install_id bytes=$bytes sha256=$image_sha256"

# --- the callback -----------------------------------------------------------------------------------------------
callback=failed
for _ in 1 2 3; do
    if wget -q -O /tmp/callback.out --post-data= "$RACKBOOT_CALLBACK" 2> /tmp/callback.err; then
        callback=ok
        break
    fi
    # An HTTP error is the server's answer (a refused token stays refused): only a network failure is retried.
    grep -q 'server returned error' /tmp/callback.err && break
    sleep 2
done
if [ $callback = ok ]; then
    say "RACKBOOT-INSTALL-CALLBACK status=ok"
else
    say "RACKBOOT-INSTALL-CALLBACK status=failed error=[$(tr '\n' ' ' < /tmp/callback.err)]"
fi
sync
reboot -f
