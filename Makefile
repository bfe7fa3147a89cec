# Rackboot — build, test and install. `make test` installs what it needs (Debian packages) by itself.
SHELL := /bin/bash
.DEFAULT_GOAL := build

PREFIX      ?= /usr/local
CONFIG_DIR  ?= /etc/rackboot
TFTP_DIR    ?= /srv/rackboot/tftp
SWIFT       ?= swift
SWIFT_FLAGS ?=
TFTPROOT    ?= tftproot
BENCH_STORM_CLIENTS ?= 500
BENCH_STORM_MIB     ?= 32

# Debian packages the build and the tests need. Services are never started by installing them (policy-rc.d).
DEB_BUILD := libsystemd-dev libsqlite3-dev liburing-dev pkg-config
DEB_BOOT  := pxelinux syslinux-common syslinux-efi
# For the answer-file validators (Tests/integration/answer-files.sh): debconf-set-selections, the venv pykickstart is
# installed into, and the Python libraries of the cloud-init it unpacks under .build/validators (never installed:
# cloud-init's package would enable its boot services on this host).
DEB_ANSWER_FILES := debconf python3-venv python3-yaml python3-jsonschema python3-jinja2 python3-configobj \
             python3-jsonpatch python3-requests python3-netifaces python3-oauthlib python3-serial
# strace: Tests/integration/http-service.sh watches the HTTP service's sendfile calls. (promtool, which
# Tests/integration/metrics.sh checks /metrics with, is unpacked from Debian's prometheus package by
# scripts/fetch-promtool.sh, never installed: the package would enable its server on the host.)
DEB_TEST  := gcc libc6-dev python3 curl systemd tftp-hpa atftp iproute2 sqlite3 isc-dhcp-client udhcpc dhcpcd-base dnsmasq-base \
             kea-admin strace $(DEB_ANSWER_FILES)
# qemu-system-arm (qemu-system-aarch64) and qemu-efi-aarch64 (AAVMF) for Tests/e2e/arm64.sh; its :arm64 packages are
# only downloaded and unpacked (Tests/e2e/build-arm64-assets.sh), never installed.
DEB_E2E   := qemu-system-x86 ipxe-qemu ovmf cpio iproute2 syslinux syslinux-common syslinux-efi mtools dosfstools fdisk \
             qemu-system-arm qemu-efi-aarch64
DEB_ALL   := $(DEB_BUILD) $(DEB_BOOT) $(DEB_TEST) $(DEB_E2E)
# PostgreSQL comes through scripts/install-postgresql.sh (its packaged cluster set to start by hand only):
# Tests/integration/shared-leases.sh and bench-dhcp each run a private cluster of their own (Tests/lib/postgres.sh).
# Only for the benchmarks: their peers (never dnsmasq or dhcpcd5: they start host services; atftpd conflicts with
# tftpd-hpa, so bench/fetch-atftpd.sh unpacks it instead).
# nginx-light is bench-http's peer and iputils-ping checks its 1 ms link; nginx-light's package enables nginx.service,
# which is not started by the install (policy-rc.d) but would start at the host's next boot, on port 80.
DEB_BENCH := tftpd-hpa dnsmasq-base kea-dhcp4-server kea-admin iproute2 python3 nginx-light iputils-ping
BENCH_DIR := .build/bench
# libFuzzer targets (Fuzz/, a separate package): seconds per target for `make fuzz`, and for `make fuzz-smoke`.
FUZZ_SECONDS       ?= 600
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_RSS_MB        ?= 2048
FUZZ_BUILD_FLAGS   := -c release --sanitize fuzzer --sanitize address -Xswiftc -sanitize=fuzzer,address

.PHONY: deps build release test lint format test-dhcp e2e demo bench-tftp bench-http bench-dhcp fuzz fuzz-smoke fuzz-build tftproot install \
	clean

deps:
	@bash scripts/install-debian-packages.sh $(DEB_ALL)
	@bash scripts/install-postgresql.sh

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

release: deps
	$(SWIFT) build -c release $(SWIFT_FLAGS)

# The suites `make test` runs after the Swift tests, in order; each is `bash SUITE path/to/rackboot`.
TEST_SUITES := Tests/cli/run.sh Tests/integration/systemd-notify.sh Tests/integration/journald.sh \
	Tests/integration/tftp-clients.sh Tests/integration/tftp-hostile.sh Tests/integration/http-service.sh \
	Tests/integration/http-hostile.sh Tests/integration/answer-files.sh \
	Tests/faults/tftp-lossy-storm.sh Tests/integration/dhcp-clients.sh Tests/integration/dhcp-flood.sh \
	Tests/integration/dhcp-faults.sh Tests/integration/metrics.sh Tests/integration/shared-lifecycle.sh \
	Tests/integration/shared-leases.sh
BIN_PATH = $(shell $(SWIFT) build $(SWIFT_FLAGS) --show-bin-path)
RELEASE_BIN_PATH = $(shell $(SWIFT) build -c release $(SWIFT_FLAGS) --show-bin-path)

test: deps lint
	$(SWIFT) build $(SWIFT_FLAGS)
	$(SWIFT) test $(SWIFT_FLAGS)
	@for suite in $(TEST_SUITES); do echo "== $$suite"; bash "$$suite" "$(BIN_PATH)/rackboot" || exit 1; done
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory fuzz-smoke

# swift-format (the toolchain's) with the repository's .swift-format: 4 spaces, 120 columns. `make format` fixes.
lint:
	$(SWIFT) format lint --strict --recursive --parallel Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

format:
	$(SWIFT) format format --in-place --recursive --parallel Package.swift Sources Tests Fuzz/Package.swift Fuzz/Sources

# The product in one command: in a private namespace one VM installs itself through Rackboot, boots its disk and is
# reinstalled (scripts/demo.sh).
demo: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	bash scripts/demo.sh "$(BIN_PATH)/rackboot"

# Real firmware PXE-boots through Rackboot under QEMU (TCG): SeaBIOS + iPXE, OVMF native PXE, OVMF + iPXE EFI; then
# machines with empty disks install themselves over HTTP and boot their disks (install.sh); then OVMF with Secure Boot
# enforced boots Debian's signed shim, GRUB and kernel, and refuses unsigned ones (secure-boot.sh); then the firmware
# matrix (firmware-matrix.sh): SeaBIOS and OVMF with iPXE on e1000 and e1000e (Debian's generic kernel), a machine
# behind ISC dhcrelay (isc-dhcp-relay is unpacked under .build/e2e/relay, never installed: its package enables an init
# script on the host), and proxy mode beside dnsmasq (dnsmasq-base's binary, run in a namespace of its own); then UEFI
# HTTP boot (http-boot.sh): OVMF's own HTTP boot loads Debian's iPXE EFI build (unpacked by build-http-assets.sh, never
# installed) from Rackboot's HTTP service, and iPXE its script, kernel and initrd, with no TFTP, also in proxy mode
# beside dnsmasq; then ARM64 UEFI (arm64.sh): AAVMF on QEMU's aarch64 virt board boots Debian's ARM64 network GRUB and
# arm64 kernel.
e2e: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	bash Tests/e2e/pxe-boot.sh "$(BIN_PATH)/rackboot"
	bash Tests/e2e/install.sh "$(BIN_PATH)/rackboot"
	bash Tests/e2e/secure-boot.sh "$(BIN_PATH)/rackboot"
	bash Tests/e2e/firmware-matrix.sh "$(BIN_PATH)/rackboot"
	bash Tests/e2e/http-boot.sh "$(BIN_PATH)/rackboot"
	bash Tests/e2e/arm64.sh "$(BIN_PATH)/rackboot"

# TFTP benchmark against tftpd-hpa, atftpd and dnsmasq (not part of `make test`; writes docs/performance.md).
# BENCH_STORM_CLIENTS and BENCH_STORM_MIB size the boot storm (default 500 × 32 MiB).
bench-tftp: release
	@bash scripts/install-debian-packages.sh $(DEB_BENCH)
	@bash bench/fetch-atftpd.sh $(BENCH_DIR)
	cc -O2 -Wall -Wextra -Werror -o $(BENCH_DIR)/tftp-bench bench/tftp-bench.c -luring
	cc -O2 -Wall -Wextra -Werror -o $(BENCH_DIR)/tftp-floor bench/tftp-floor.c -luring
	BENCH_STORM_CLIENTS=$(BENCH_STORM_CLIENTS) BENCH_STORM_MIB=$(BENCH_STORM_MIB) bash bench/run.sh \
		"$(RELEASE_BIN_PATH)/rackboot" $(BENCH_DIR)/tftp-bench \
		$(BENCH_DIR)/atftpd/usr/sbin/atftpd $(BENCH_DIR)/tftp-floor

# HTTP benchmark against nginx (nginx-light, sendfile on; not part of `make test`; writes the "## HTTP" section of
# docs/performance.md): one 256 MiB download, the boot storm (BENCH_STORM_CLIENTS × BENCH_STORM_MIB) direct and at a
# 1 ms round trip (bench/delay-link.c), and the same storm over Rackboot's TFTP.
bench-http: release
	@bash scripts/install-debian-packages.sh $(DEB_BENCH)
	@mkdir -p $(BENCH_DIR)
	cc -O2 -Wall -Wextra -Werror -o $(BENCH_DIR)/http-bench bench/http-bench.c
	cc -O2 -Wall -Wextra -Werror -o $(BENCH_DIR)/delay-link bench/delay-link.c
	cc -O2 -Wall -Wextra -Werror -o $(BENCH_DIR)/tftp-bench bench/tftp-bench.c -luring
	BENCH_STORM_CLIENTS=$(BENCH_STORM_CLIENTS) BENCH_STORM_MIB=$(BENCH_STORM_MIB) \
		BENCH_HTTP_COMMAND="make bench-http BENCH_STORM_CLIENTS=$(BENCH_STORM_CLIENTS) BENCH_STORM_MIB=$(BENCH_STORM_MIB)" \
		bash bench/http.sh "$(RELEASE_BIN_PATH)/rackboot" $(BENCH_DIR)/http-bench $(BENCH_DIR)/delay-link \
		$(BENCH_DIR)/tftp-bench

# Only the real-client DHCP test (root: it builds its own network namespaces).
test-dhcp: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	bash Tests/integration/dhcp-clients.sh "$(BIN_PATH)/rackboot"

# perfdhcp against Rackboot (release build), Kea memfile and dnsmasq in namespaces; writes docs/performance.md's
# "## DHCP" section. Not part of make test: it takes a few minutes.
bench-dhcp: deps
	@bash scripts/install-debian-packages.sh $(DEB_BENCH)
	@bash scripts/install-postgresql.sh
	$(SWIFT) build -c release $(SWIFT_FLAGS)
	python3 bench/dhcp.py "$(RELEASE_BIN_PATH)/rackboot"

# libFuzzer on the DHCP decoder + engine, the TFTP codec + negotiation and the profile loader (docs/fuzzing.md):
# FUZZ_SECONDS per target, corpus in .build/fuzz/corpus; a crash fails the target. The -Xswiftc flag is needed:
# swiftc keeps only the last of the two -sanitize flags SwiftPM passes, which left Swift code without coverage.
fuzz-build: deps
	cd Fuzz && SWIFT_BACKTRACE=enable=no $(SWIFT) build $(FUZZ_BUILD_FLAGS)

fuzz: fuzz-build
	FUZZ_RSS_MB=$(FUZZ_RSS_MB) bash scripts/fuzz.sh "$$(cd Fuzz && $(SWIFT) build $(FUZZ_BUILD_FLAGS) --show-bin-path)" \
		$(FUZZ_SECONDS)

# The same, FUZZ_SMOKE_SECONDS per target: the last step of make test.
fuzz-smoke:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS)

# Boot loaders from Debian's packages (never committed): BIOS pxelinux and x86-64 UEFI syslinux, with the
# ldlinux module each one loads from beside itself.
tftproot: deps
	install -d $(TFTPROOT)
	install -m 0644 /usr/lib/PXELINUX/pxelinux.0 $(TFTPROOT)/pxelinux.0
	install -m 0644 /usr/lib/syslinux/modules/bios/ldlinux.c32 $(TFTPROOT)/ldlinux.c32
	install -m 0644 /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi $(TFTPROOT)/syslinux.efi
	install -m 0644 /usr/lib/syslinux/modules/efi64/ldlinux.e64 $(TFTPROOT)/ldlinux.e64

# Installs the binary, the systemd unit, the README, a configuration (the example's, with absolute paths; never
# overwriting one that exists), the profile folder and the TFTP root with the boot loaders.
install: release
	install -D -m 0755 "$(RELEASE_BIN_PATH)/rackboot" $(DESTDIR)$(PREFIX)/bin/rackboot
	sed 's|/usr/local/bin/rackboot|$(PREFIX)/bin/rackboot|g; s|/etc/rackboot/|$(CONFIG_DIR)/|g' systemd/rackboot.service \
		| install -D -m 0644 /dev/stdin $(DESTDIR)$(PREFIX)/lib/systemd/system/rackboot.service
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/rackboot/README.md
	install -d $(DESTDIR)$(CONFIG_DIR)/profiles/templates $(DESTDIR)$(TFTP_DIR)
	@if [ ! -e $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml ]; then \
		sed -e 's|^profiles: .*|profiles: $(CONFIG_DIR)/profiles|' \
		    -e 's|^  root: .*|  root: $(TFTP_DIR)|' docs/examples/rackboot.yaml > $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml; \
		echo "installed $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml: edit its subnets and interface"; \
	else echo "kept the existing $(DESTDIR)$(CONFIG_DIR)/rackboot.yaml"; fi
	$(MAKE) --no-print-directory tftproot TFTPROOT=$(DESTDIR)$(TFTP_DIR)

clean:
	$(SWIFT) package clean
