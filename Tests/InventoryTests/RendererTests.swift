import Testing

@testable import Inventory

@Suite struct RendererTests {
    let install = BootEntry.linux(
        LinuxBoot(
            title: "web-01: Debian 12", kernel: "debian12/linux",
            initrds: ["debian12/initrd.gz", "debian12/firmware.cpio"],
            commandLine: "auto=true url=http://10.20.0.2/p.cfg cost=$5 a;b"))

    @Test func pxelinuxInstall() {
        #expect(
            PxelinuxRenderer.render(install, comment: "from web-01.yaml") == """
                # from web-01.yaml
                DEFAULT install
                PROMPT 0
                TIMEOUT 0

                LABEL install
                    MENU LABEL web-01: Debian 12
                    LINUX debian12/linux
                    INITRD debian12/initrd.gz,debian12/firmware.cpio
                    APPEND auto=true url=http://10.20.0.2/p.cfg cost=$5 a;b

                """)
    }

    @Test func pxelinuxLocalDiskUsesLocalboot() {
        #expect(
            PxelinuxRenderer.render(.localDisk, comment: "c") == """
                # c
                DEFAULT local
                PROMPT 0
                TIMEOUT 0

                LABEL local
                    LOCALBOOT 0

                """)
    }

    @Test func pxelinuxOmitsEmptyInitrdAndAppend() {
        let bare = BootEntry.linux(LinuxBoot(title: "t", kernel: "k", initrds: [], commandLine: ""))
        let text = PxelinuxRenderer.render(bare, comment: "c")
        #expect(!text.contains("INITRD"))
        #expect(!text.contains("APPEND"))
        #expect(text.contains("    LINUX k\n"))
    }

    @Test func grubQuotesWordsItWouldOtherwiseInterpret() {
        #expect(
            GrubRenderer.render(install, comment: "from web-01.yaml") == """
                # from web-01.yaml
                set default=0
                set timeout=0

                menuentry 'web-01: Debian 12' {
                    linux /debian12/linux auto=true url=http://10.20.0.2/p.cfg 'cost=$5' 'a;b'
                    initrd /debian12/initrd.gz /debian12/firmware.cpio
                }

                """)
        #expect(GrubRenderer.quotedAlways("it's") == "'it'\\''s'")
    }

    @Test func grubLocalDiskExits() {
        #expect(GrubRenderer.render(.localDisk, comment: "c").hasSuffix("\nexit\n"))
    }

    @Test func grubDispatcherHandsOverToTheMACFileThenFallsBack() {
        let text = GrubRenderer.renderDispatcher(fallback: .localDisk, comment: "c")
        #expect(text.contains("configfile \"$prefix/grub.cfg-01-$m1-$m2-$m3-$m4-$m5-$m6\""))
        #expect(text.contains("\"$net_default_mac\""))
        #expect(text.hasSuffix("\nexit\n"))
    }

    @Test func ipxeLoadsByAbsolutePathAndNamesInitrdsForEFI() {
        #expect(
            IPXERenderer.render(install, comment: "from web-01.yaml") == """
                #!ipxe
                # from web-01.yaml
                echo Rackboot: web-01: Debian 12
                imgfree
                kernel /debian12/linux initrd=initrd.gz initrd=firmware.cpio auto=true url=http://10.20.0.2/p.cfg cost=$5 a;b
                initrd /debian12/initrd.gz
                initrd /debian12/firmware.cpio
                boot

                """)
    }

    @Test func ipxeLocalDiskExitsOrSanbootsOnBIOS() {
        let text = IPXERenderer.render(.localDisk, comment: "c")
        #expect(text.hasPrefix("#!ipxe\n"))
        #expect(text.contains("iseq ${platform} pcbios && sanboot --no-describe --drive 0x80 ||\nexit 1\n"))
    }

    @Test func fileNamesFollowWhatEachLoaderAsks() {
        let mac = MACAddress("52:54:00:AB:CD:EF")!
        let ip = IPv4Address("10.20.0.11")!
        #expect(BootConfigFormat.pxelinux.fileName(for: mac) == "pxelinux.cfg/01-52-54-00-ab-cd-ef")
        #expect(BootConfigFormat.pxelinux.fileName(for: ip) == "pxelinux.cfg/0A14000B")
        #expect(BootConfigFormat.grub.fileName(for: mac) == "grub/grub.cfg-01-52-54-00-ab-cd-ef")
        #expect(BootConfigFormat.grub.fileName(for: ip) == "grub/grub.cfg-0A14000B")
        #expect(BootConfigFormat.ipxe.fileName(for: mac) == "ipxe/01-52-54-00-ab-cd-ef.ipxe")
        #expect(BootConfigFormat.ipxe.fileName(for: ip) == nil)
        for format in BootConfigFormat.allCases {
            #expect(
                BootConfigFormat.mac(inFileName: format.fileName(for: MACAddress("52:54:01:ab:01:ef")!))
                    == MACAddress("52:54:01:ab:01:ef"))
        }
        #expect(BootConfigFormat.mac(inFileName: "pxelinux.cfg/0A14000B") == nil)
        #expect(BootConfigFormat.mac(inFileName: "debian12/01-linux") == nil)
        #expect(
            BootConfigFormat.allCases.map(\.fallbackFileName)
                == ["pxelinux.cfg/default", "grub/grub.cfg", "ipxe/default.ipxe"])
    }
}
