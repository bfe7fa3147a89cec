# The network of the e2e initramfs images, sourced by their /init scripts (init.sh, installer-init.sh); each image
# holds it as /initramfs-network.sh beside /udhcpc-script.sh (Tests/e2e/lib/initramfs.sh puts them there).
# network_up MODULE...: loads the kernel modules MODULE... from /lib/modules in that order, skipping those the image
# does not hold (built into its kernel, as virtio is in the arm64 one; Tests/e2e/lib/initramfs.sh refuses to build an
# image without a module it is asked for), with insmod's complaints on the console; waits up to 5 s for a NIC other
# than lo, brings it up and asks DHCP for an address (udhcpc; /udhcpc-script.sh configures the interface with the
# lease). It sets interface, mac and ip (empty without a lease) and returns non-zero when no NIC appeared (interface
# and mac then empty).
network_up() {
    local module path name
    for module in "$@"; do
        [ -e "/lib/modules/$module.ko" ] || continue
        insmod "/lib/modules/$module.ko" 2>&1 | sed "s/^/insmod $module: /" > /dev/console
    done
    interface= mac= ip=
    for _ in $(seq 50); do
        for path in /sys/class/net/*; do
            name=${path##*/}
            [ "$name" = lo ] && continue
            interface=$name
        done
        [ -n "$interface" ] && break
        sleep 0.1
    done
    [ -n "$interface" ] || return 1
    ip link set "$interface" up
    udhcpc -i "$interface" -n -q -t 6 -T 2 -s /udhcpc-script.sh > /dev/null 2>&1
    mac=$(cat "/sys/class/net/$interface/address")
    ip=$(cat /tmp/leased-ip 2>/dev/null)
    return 0
}
