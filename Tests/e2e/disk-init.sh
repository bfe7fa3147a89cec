#!/bin/busybox sh
# /init of the "installed system" on e2e/disk.img (its initramfs exists only inside that disk image, so its marker
# proves the machine booted from its disk): reads the identity record the installer wrote at LBA 1024 of the disk
# (see installer-init.sh), prints one RACKBOOT-DISK-MARKER line with the installing machine's host name and install
# id and the kernel command line (which names the boot loader: syslinux-bios or syslinux-efi) to the serial
# console, and powers off. A disk image that no install has touched carries host=none id=none.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for module in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
    insmod "/lib/modules/$module.ko" 2>&1 | sed "s/^/insmod $module: /" > /dev/ttyS0
done
for _ in $(seq 50); do
    [ -b /dev/vda ] && break
    sleep 0.1
done
host=unreadable
id=unreadable
if [ -b /dev/vda ]; then
    dd if=/dev/vda bs=512 skip=1024 count=8 2> /dev/null | tr -d '\000' > /tmp/identity
    if [ "$(head -n 1 /tmp/identity)" = "RACKBOOT-IDENTITY 1" ]; then
        host=$(sed -n 's/^host=//p' /tmp/identity)
        id=$(sed -n 's/^id=//p' /tmp/identity)
    else
        host=no-record
        id=no-record
    fi
fi
echo "RACKBOOT-DISK-MARKER host=$host id=$id cmdline=[$(cat /proc/cmdline)]" > /dev/ttyS0
sync
poweroff -f
