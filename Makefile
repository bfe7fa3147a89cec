# Rackboot — build, test and install. `make test` installs what it needs (Debian packages) by itself.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PREFIX      ?= /usr/local
CONFIG_DIR  ?= /etc/rackboot
TFTP_DIR    ?= /srv/rackboot/tftp
SWIFT       ?= swift
SWIFT_FLAGS ?=
TFTPROOT    ?= tftproot

# Debian packages the build and the tests need. Services are never started by installing them (policy-rc.d).
DEB_BUILD := libsystemd-dev libsqlite3-dev pkg-config
DEB_BOOT  := pxelinux syslinux-common syslinux-efi
DEB_TEST  := python3 curl iproute2 sqlite3 isc-dhcp-client udhcpc dhcpcd-base dnsmasq-base kea-admin
# Only for make bench-dhcp (never dnsmasq or dhcpcd5: they start host services).
DEB_BENCH := kea-dhcp4-server kea-admin dnsmasq-base iproute2 python3
DEB_ALL   := $(DEB_BUILD) $(DEB_BOOT) $(DEB_TEST)

.PHONY: deps build release test test-swift test-cli test-dhcp bench-dhcp tftproot install clean

deps:
	@bash scripts/install-debian-packages.sh $(DEB_ALL)

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

test: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	$(SWIFT) test $(SWIFT_FLAGS)
	bash Tests/cli/run.sh "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/rackboot"
	bash Tests/integration/dhcp-clients.sh "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/rackboot"

# Only the real-client DHCP test (root: it builds its own network namespaces).
test-dhcp: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	bash Tests/integration/dhcp-clients.sh "$$($(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)/rackboot"

# perfdhcp against Rackboot (release build), Kea memfile and dnsmasq in namespaces; writes docs/performance.md's
# "## DHCP" section. Not part of make test: it takes a few minutes.
bench-dhcp: deps
	@bash scripts/install-debian-packages.sh $(DEB_BENCH)
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	python3 scripts/bench-dhcp.py "$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/rackboot"

# Boot loaders from Debian's packages (never committed): BIOS pxelinux and x86-64 UEFI syslinux, with the
# ldlinux module each one loads from beside itself.
tftproot: deps
	install -d $(TFTPROOT)
	install -m 0644 /usr/lib/PXELINUX/pxelinux.0 $(TFTPROOT)/pxelinux.0
	install -m 0644 /usr/lib/syslinux/modules/bios/ldlinux.c32 $(TFTPROOT)/ldlinux.c32
	install -m 0644 /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi $(TFTPROOT)/syslinux.efi
	install -m 0644 /usr/lib/syslinux/modules/efi64/ldlinux.e64 $(TFTPROOT)/ldlinux.e64

# Installs the binary, a configuration (the example's, with absolute paths; never overwriting one that exists),
# the profile folder and the TFTP root with the boot loaders.
install: release
	install -D -m 0755 "$$($(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)/rackboot" $(DESTDIR)$(PREFIX)/bin/rackboot
	install -d $(DESTDIR)$(CONFIG_DIR)/profiles/templates $(DESTDIR)$(TFTP_DIR)
	@if [ ! -e $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml ]; then \
		sed -e 's|^profiles: .*|profiles: $(CONFIG_DIR)/profiles|' \
		    -e 's|^  root: .*|  root: $(TFTP_DIR)|' docs/examples/rackboot.yaml > $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml; \
		echo "installed $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml: edit its subnets and interface"; \
	else echo "kept the existing $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml"; fi
	$(MAKE) --no-print-directory tftproot TFTPROOT=$(DESTDIR)$(TFTP_DIR)

clean:
	$(SWIFT) package clean
