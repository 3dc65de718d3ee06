import CustosDecoders
import Testing

@Suite("Named values: device and daemon configs")
struct DeviceConfigExtractionTests {
    @Test("Cisco: type 7 decrypted, type 5/8/9 hashes, type 0 clear, communities, keys in their command")
    func cisco() {
        let config = """
            !
            hostname sw01
            enable secret 9 $9$rZMdS7x.eg9LXk$jy01ztjCJSiL5B/6uq.U9N12Qh3Eey50ulUCenzrh9Z
            username backup privilege 15 password 7 072328424B5A2A1116001F4D
            username ro privilege 1 password 0 ********
            tacacs-server host 10.20.0.12 key 7 02050D480809
            snmp-server community zKhdqc6r0ayz50 RW 10
            snmp-server community public RO
            crypto isakmp key 9DQmwE7QT390RH90 address 198.51.100.7
            key chain OSPF
             key 1
              key-string fu6T6T#5&hFArOlB
            """
        let all = NamedValues.read(config, as: "sw01.cfg")
        #expect(all.first { $0.name == "secret" }?.verdict == .hash(.ciscoType9))
        let backup = all.first { $0.identity == "backup" }
        #expect(backup?.verdict == .publishedKeyEncryption(.ciscoType7, decrypted: Array("Line3Start!".utf8)))
        #expect(all.first { $0.identity == "ro" }?.verdict == .notCredential(.masked))
        #expect(all.contains { $0.value == "zKhdqc6r0ayz50" && $0.isCredential })
        #expect(all.first { $0.value == "public" }?.verdict == .notCredential(.vendorDefault))
        #expect(all.contains { $0.value == "9DQmwE7QT390RH90" && $0.isCredential })
        #expect(all.contains { $0.value == "fu6T6T#5&hFArOlB" && $0.isCredential })
    }

    @Test("Junos set lines: $9$ secrets decrypted, encrypted-password hashes, communities")
    func junos() {
        let config = """
            set system root-authentication encrypted-password "$6$y5hi8Vc4$jRWF6ELAWzBDBWqBPf1MnkQtq1CGVfawdoUa.6vDTe3v8K"
            set snmp community pohGysNo6fUQ7X authorization read-only
            set security ike policy p1 pre-shared-key ascii-text "$9$QzF33CpcSeX7VO1-VwsoaDik.5Fu0IreWzF"
            """
        let all = NamedValues.read(config, as: "srx.conf")
        #expect(all.first { $0.name.contains("encrypted-password") }?.verdict == .hash(.sha512Crypt))
        #expect(all.contains { $0.value == "pohGysNo6fUQ7X" && $0.isCredential })
        #expect(all.first { $0.name == "pre-shared-key" }?.verdict == .publishedKeyEncryption(.junos9, decrypted: Array("Ring4Admin#".utf8)))
        #expect(!all.contains { $0.value == "read-only" && $0.isCredential })
    }

    @Test("FortiOS: ENC decrypted with the published key, SH2 as hash, the edit name as identity, owner keys respected")
    func fortiOS() {
        let config = """
            config system admin
                edit "netadmin"
                    set password ENC SH2jEGjNo7vqdtFHb6b+fq+PlhR4PWGlySJXju/DAhLdgfXEKF3jGLpiAFFC/zc
                next
            end
            config user local
                edit "vpn"
                    set passwd ENC obLD1DNU9LS3BHvUZbG35nL1NTU=
                next
            end
            """
        let all = NamedValues.read(config, as: "fgt.conf")
        #expect(all.first { $0.identity == "netadmin" }?.verdict == .hash(.fortiOS))
        #expect(all.first { $0.name == "passwd" }?.verdict == .publishedKeyEncryption(.fortiOS, decrypted: Array("Kp7-Rz2!wQ".utf8)))
        let owned = NamedValues.read("config system global\n    set private-data-encryption enable\nend\n" + config, as: "fgt.conf")
        #expect(owned.first { $0.name == "passwd" }?.verdict == .notCredential(.ownerKeyEncrypted))
    }

    @Test("RouterOS k=v lines, with name= as identity and communities by section")
    func routerOS() {
        let config = """
            /ppp secret
            add name=pumpstation4 password=UQULBoMo1KEiq2 profile=default-encryption service=l2tp
            /interface l2tp-server server
            set enabled=yes ipsec-secret=dTEW$olN2pulR+3a use-ipsec=required
            /user group
            set full policy=local,telnet,password,web
            """
        let found = NamedValues.credentials(config, as: "router.rsc")
        #expect(Set(found.map(\.value)) == ["UQULBoMo1KEiq2", "dTEW$olN2pulR+3a"])
        #expect(found.first { $0.value == "UQULBoMo1KEiq2" }?.identity == "pumpstation4")
    }

    @Test("UCI, strongSwan secrets, wpa_supplicant, WireGuard and Mosquitto")
    func daemons() {
        #expect(NamedValues.credentials("config wifi-iface 'ap'\n\toption encryption 'psk2'\n\toption key 'Sued_2878H!x'\n", as: "wireless")
            .map(\.value) == ["Sued_2878H!x"])
        let secrets = NamedValues.credentials("10.0.0.1 203.0.113.7 : PSK \"0hvsrmJsGQVC5Sob\"\nagv : EAP \"Oem8&p2x\"\n# x : PSK \"changeme\"\n", as: "ipsec.secrets")
        #expect(secrets.map(\.value) == ["0hvsrmJsGQVC5Sob", "Oem8&p2x"])
        #expect(NamedValues.credentials("network={\n    ssid=\"OT\"\n    psk=\"1YYUiQfoG6ZFFc8n\"\n}\n", as: "wpa_supplicant.conf").map(\.value) == ["1YYUiQfoG6ZFFc8n"])
        let wireguard = NamedValues.read("[Interface]\nPrivateKey = +iOjeFuph8+DYMZQPuB3bnEQCgsNAyMdueqiXoOv+Eg=\n[Peer]\nPublicKey = C5D/Oo0OjbZ6MuOHSvFZK/neMcbLW/X8R7x/Q0teirA=\n", as: "wg0.conf")
        #expect(wireguard.filter(\.isCredential).map(\.name) == ["PrivateKey"])
        #expect(NamedValues.credentials("remote_username line3\nremote_password kPDQF1TFtawT0dJEr\npassword_file /etc/mosquitto/passwd\n", as: "mosquitto.conf")
            .map(\.identity) == ["line3"])
    }

    @Test("prose in a config text is not a config line")
    func proseIsNotConfig() {
        #expect(NamedValues.credentials("# Notes\nAsk the admin for the password before you start.\nuser = x\n", as: "notes.conf").isEmpty)
    }
}
