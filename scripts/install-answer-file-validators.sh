#!/usr/bin/env bash
# Installs the validators Tests/integration/answer-files.sh runs on the rendered answer files, under DIR
# (default .build/validators), never system-wide; does nothing for a validator that is already there.
#   DIR/pykickstart/bin/ksvalidator   pykickstart from PyPI, in a venv of Debian's python3 (Debian 12 does not
#                                     package it)
#   DIR/cloud-init/root/...           Debian 12's cloud-init package unpacked (apt-get download + dpkg -x), never
#                                     installed: installing it would enable its boot services on this host. Run it as
#                                     PYTHONPATH=DIR/cloud-init/root/usr/lib/python3/dist-packages \
#                                         /usr/bin/python3 -m cloudinit.cmd.main schema --config-file FILE
# debconf-set-selections comes with debconf, and cloud-init's Python libraries are Debian packages: the Makefile's
# DEB_TEST lists them, so `make deps` installs them.
set -euo pipefail
dir=${1:-.build/validators}
pykickstart_version=3.78
mkdir -p "$dir"
dir=$(realpath "$dir")

# pykickstart: a venv of Debian's python3 (not a pyenv or other python3 first in PATH).
kickstart="$dir/pykickstart"
if [ ! -e "$kickstart/.installed-$pykickstart_version" ]; then
    rm -rf "$kickstart"
    /usr/bin/python3 -m venv "$kickstart"
    "$kickstart/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir "pykickstart==$pykickstart_version"
    touch "$kickstart/.installed-$pykickstart_version"
fi
"$kickstart/bin/ksvalidator" -l | grep -qx RHEL9

# cloud-init: the candidate version of Debian's package, downloaded and unpacked. apt-get download needs the
# package lists; a machine that never ran apt-get update has none.
cloud_init="$dir/cloud-init"
version=$(apt-cache policy cloud-init 2> /dev/null | sed -n 's/^ *Candidate: //p')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    apt-get update -qq
    version=$(apt-cache policy cloud-init | sed -n 's/^ *Candidate: //p')
fi
if [ ! -e "$cloud_init/.installed-$version" ]; then
    rm -rf "$cloud_init"
    mkdir -p "$cloud_init/deb"
    # apt-get download writes into the current folder; as root it warns that _apt cannot write there.
    (cd "$cloud_init/deb" && apt-get download -qq "cloud-init=$version" 2> /dev/null)
    dpkg -x "$cloud_init"/deb/cloud-init_*.deb "$cloud_init/root"
    touch "$cloud_init/.installed-$version"
fi
PYTHONPATH="$cloud_init/root/usr/lib/python3/dist-packages" /usr/bin/python3 -m cloudinit.cmd.main --version
