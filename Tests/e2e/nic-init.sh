#!/bin/busybox sh
# /init of the generic-kernel initramfs (build-generic-assets.sh, for Tests/e2e/firmware-matrix.sh): like init.sh,
# but for Intel NICs: loads e1000 and e1000e (Debian's generic kernel has them as modules; the cloud kernel has
# virtio only), asks DHCP for an address, prints the marker line with MAC, IP, the driver that bound the NIC and the
# kernel command line, and powers off.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
. /initramfs-network.sh
network_up e1000 e1000e
driver=$(basename "$(readlink "/sys/class/net/$interface/device/driver" 2>/dev/null)" 2>/dev/null)
echo "RACKBOOT-E2E-MARKER mac=$mac ip=${ip:-none} driver=${driver:-none} cmdline=[$(cat /proc/cmdline)]" > /dev/ttyS0
sync
poweroff -f
