# The e2e initramfs images, built alike by Tests/e2e/build-assets.sh (e2e/initrd.img),
# Tests/e2e/build-install-assets.sh (e2e/installer.img and the disk's system.img) and the other build-*-assets.sh.
# Source it after setting repo and downloads: the folder holding one kernel (linux-image-*) and one busybox-static
# package, build-assets.sh's or a folder of their own for another kernel or architecture (build-arm64-assets.sh's
# arm64 kernel and busybox). It gives:
#   initramfs_inputs FILE...          checksums of what an image is made of: FILE... (in Tests/e2e; its /init and the
#                                     script that builds it), this file, the pieces every image holds and the two
#                                     packages. A build keeps them in a stamp and is redone when they differ.
#   initramfs_unpack DIR              unpacks the two packages into DIR/kernel and DIR/busybox (once; DIR is the
#                                     caller's scratch folder) and makes DIR the source of initramfs
#   initramfs INIT OUTPUT MODULE...   writes OUTPUT, a gzipped newc cpio archive: busybox, the kernel modules
#                                     MODULE... (a module the kernel lacks is an error), Tests/e2e/INIT as /init and,
#                                     beside it, initramfs-network.sh and udhcpc-script.sh
initramfs_shared=(initramfs-network.sh udhcpc-script.sh)

initramfs_packages() {
    kernel_deb=$(ls "$downloads"/linux-image-*.deb | head -1)
    busybox_deb=$(ls "$downloads"/busybox-static_*.deb | head -1)
    [ -s "$kernel_deb" ] && [ -s "$busybox_deb" ] \
        || { echo "initramfs: no kernel or busybox-static package in $downloads (build-assets.sh)" >&2; return 1; }
}

initramfs_inputs() { # file...
    initramfs_packages || return 1
    (cd "$repo/Tests/e2e" && sha256sum "$@" lib/initramfs.sh "${initramfs_shared[@]}")
    sha256sum "$kernel_deb" "$busybox_deb"
}

initramfs_unpack() { # dir
    initramfs_from=$1
    [ -d "$1/kernel" ] && [ -d "$1/busybox" ] && return 0
    initramfs_packages || return 1
    dpkg -x "$kernel_deb" "$1/kernel" && dpkg -x "$busybox_deb" "$1/busybox"
}

initramfs() { # init output modules...
    local init=$1 output=$2 root module file
    shift 2
    root=$(mktemp -d -p "$initramfs_from")
    mkdir -p "$root"/{bin,dev,proc,sys,tmp,lib/modules}
    install -m 0755 "$initramfs_from/busybox/bin/busybox" "$root/bin/busybox"
    for module in "$@"; do
        find "$initramfs_from/kernel/lib/modules" -name "$module.ko" -exec install -m 0644 {} "$root/lib/modules/" \;
        [ -s "$root/lib/modules/$module.ko" ] || { echo "initramfs: no $module.ko in the kernel" >&2; return 1; }
    done
    install -m 0755 "$repo/Tests/e2e/$init" "$root/init"
    for file in "${initramfs_shared[@]}"; do install -m 0755 "$repo/Tests/e2e/$file" "$root/$file"; done
    (cd "$root" && find . | cpio -o -H newc --quiet | gzip -9) > "$output"
}
