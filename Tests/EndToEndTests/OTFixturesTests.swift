import CustosTestSupport
import Foundation
import Testing

/// The OT fixtures (fixtures/ot, written by fixtures/ot/generate.py) scanned by the real binary:
/// per format family, where findings are located (archive members, database cells, decoded
/// lines), the logical paths they carry, and the decoys they leave alone.
@Suite("OT fixtures (end to end)", .serialized)
struct OTFixturesTests {
    struct Found {
        var path: String
        var line: Int
        var rule: String
        var secret: String
        var identity: String?
        var logicalPath: String?
    }

    /// The findings of `custos scan fixtures/ot --no-redact`, relative to fixtures/ot.
    static func scan() throws -> [Found] {
        let result = try CustosBinary.run(["scan", "fixtures/ot", "--format", "json", "--no-redact"], in: PackageRoot.url.path)
        #expect(result.status == 1, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let findings = try #require(document["findings"] as? [[String: Any]])
        #expect((document["warnings"] as? [Any])?.isEmpty == true, "no warnings on well-formed exports")
        return findings.map { finding in
            Found(path: String((finding["path"] as? String ?? "").dropFirst("fixtures/ot/".count)),
                  line: finding["line"] as? Int ?? 0, rule: finding["rule_id"] as? String ?? "",
                  secret: finding["secret"] as? String ?? "", identity: finding["identity"] as? String,
                  logicalPath: finding["logical_path"] as? String)
        }
    }

    static func find(_ findings: [Found], _ path: String, rule: String? = nil) -> [Found] {
        findings.filter { $0.path == path && (rule == nil || $0.rule == rule) }
    }

    @Test("Rockwell: Logix escapes decoded in L5X and L5K, located by controller, program and tag")
    func rockwell() throws {
        let findings = try Self.scan()
        let l5x = Self.find(findings, "rockwell/Line3_Packaging.L5X")
        let hmi = try #require(l5x.first { $0.logicalPath?.hasSuffix("Tag[HMI_Password]/Data") == true })
        #expect(hmi.rule == "named-password" && hmi.secret.contains("$") && !hmi.secret.contains("$$"))
        let ftp = try #require(l5x.first { $0.logicalPath?.hasSuffix("Tag[FTP_Pwd]/Data") == true })
        #expect(ftp.secret.contains("'"), "$' is an apostrophe inside the value")
        #expect(l5x.contains { $0.logicalPath?.hasSuffix("Tag[RemoteAccess]/Data/Structure/StructureMember[Password]/DataValueMember[DATA]") == true })
        #expect(l5x.contains { $0.rule == "named-secret" && $0.logicalPath?.hasSuffix("Tag[Recipe_HMAC_Key]/Data") == true })
        #expect(l5x.contains { $0.logicalPath == "RSLogix5000Content/Controller[Line3_Packaging]/Programs/Program[MainProgram]/Tags/Tag[Gateway_Password]/Data" })
        #expect(l5x.contains { $0.rule == "named-secret" && $0.secret.hasPrefix("16#") && $0.secret.split(separator: ",").count == 16 })
        #expect(l5x.contains { $0.logicalPath?.hasSuffix("Tag[Device_Passwords]/Data/Array/Element[[0]]/Structure/DataValueMember[DATA]") == true })
        let l5k = Self.find(findings, "rockwell/Line3_Packaging.L5K").compactMap(\.logicalPath).sorted()
        #expect(l5k == ["CONTROLLER Line3_Packaging/HMI_Password", "CONTROLLER Line3_Packaging/PROGRAM MainProgram/SFTP_Password"])
    }

    @Test("Siemens: start values, UDT subelements, SCL rebuilt from tokens at the literal's line, external sources")
    func siemens() throws {
        let findings = try Self.scan()
        let db = Self.find(findings, "siemens/PLC_Line3/Program blocks/DB_RemoteAccess.xml")
        #expect(db.contains { $0.rule == "named-password" && $0.logicalPath?.contains("GlobalDB[DB_RemoteAccess]") == true
                              && $0.logicalPath?.hasSuffix("Member[VendorLogin]/Subelement[Password]/StartValue") == true })
        #expect(!db.contains { $0.secret == "vendor_svc" }, "the user name next to a password is not reported")
        let service = try #require(db.first { $0.logicalPath?.hasSuffix("Member[ServicePassword]/StartValue") == true })
        #expect(!service.secret.hasPrefix("WSTRING#"), "a member with attributes and a comment before its WString start value")
        let scl = try #require(Self.find(findings, "siemens/PLC_Line3/Program blocks/FB_SftpUpload.xml").first)
        #expect(scl.rule == "named-password" && scl.logicalPath?.hasSuffix("SW.Blocks.FB[FB_SftpUpload]/ObjectList/SW.Blocks.CompileUnit/AttributeList/NetworkSource/StructuredText/Access/Constant/ConstantValue") == true)
        let xml = try String(contentsOfFile: PackageRoot.path("fixtures/ot/siemens/PLC_Line3/Program blocks/FB_SftpUpload.xml"), encoding: .utf8)
        let literalLine = xml.components(separatedBy: "\n").firstIndex { $0.contains("'\(scl.secret)'") }.map { $0 + 1 }
        #expect(scl.line == literalLine)
        #expect(Self.find(findings, "siemens/PLC_Line3/External sources/DB_Remote.db", rule: "named-password")
            .compactMap(\.logicalPath).sorted() == ["DATA_BLOCK \"DB_Remote\"/backupPassword", "DATA_BLOCK \"DB_Remote\"/ftpPassword", "DATA_BLOCK \"DB_Remote\"/webPassword"])
        #expect(Self.find(findings, "siemens/PLC_Line3/External sources/FB_Login.scl").map(\.logicalPath) == ["FUNCTION_BLOCK \"FB_Login\"/loginData.password"])
    }

    @Test("PLCopen, TwinCAT and EcoStruxure: declarations, ADS PSKs with their identity, a zipped ZEF member")
    func plcopenTwinCATSchneider() throws {
        let findings = try Self.scan()
        #expect(Self.find(findings, "codesys/Line3_Filler_plcopen.xml").compactMap(\.logicalPath).contains {
            $0.hasSuffix("pou[FB_MqttPublisher]/interface/localVars/variable[sBrokerPassword]/initialValue/simpleValue/@value") })
        let pou = Self.find(findings, "beckhoff/Line3_TwinCAT/PLC_Line3/POUs/FB_MesClient.TcPOU")
        #expect(pou.contains { $0.logicalPath == "TcPlcObject/POU[FB_MesClient]/Declaration/sPassword" })
        let basic = try #require(pou.first { $0.rule == "http-basic-credentials" })
        #expect(basic.identity == "mes_line3" && basic.logicalPath == "TcPlcObject/POU[FB_MesClient]/Implementation/ST/fbHttp.sHeaderFieldAuth/base64")
        #expect(Self.find(findings, "beckhoff/Line3_TwinCAT/Target/StaticRoutes.xml").map(\.identity) == ["ENG_STATIONS"])
        #expect(Self.find(findings, "beckhoff/Line3_TwinCAT/Target/Routes/AdsOverMqtt.xml").map(\.identity) == ["Line3_Cell"])
        #expect(Self.find(findings, "beckhoff/Line3_TwinCAT/tools/add_routes.py").map(\.identity) == ["svc_ads"])
        #expect(Self.find(findings, "beckhoff/Line3_TwinCAT/Line3.tsproj").isEmpty)
        let zef = Self.find(findings, "schneider/Line4_M580.zef!/Station.xef")
        #expect(zef.map { "\($0.line) \($0.rule)" }.sorted() == ["17 named-password", "9 named-password"])
    }

    @Test("Ignition: gateway backup members and config.idb cells located, 8.3 resources and tag exports by JSON path")
    func ignition() throws {
        let findings = try Self.scan()
        let backup = "ignition/gateway-backups/Ignition-plant-a_20240301.gwbk!/"
        let code = Self.find(findings, backup + "projects/Line3_HMI/ignition/script-python/integrations/mes/code.py")
        #expect(code.map { "\($0.line) \($0.rule)" }.sorted() == ["6 named-token", "8 http-basic-credentials"])
        #expect(code.first { $0.rule == "http-basic-credentials" }?.identity == "erp_sync")
        let cell = try #require(Self.find(findings, backup + "db_backup_sqlite.idb!/DATASOURCES.PASSWORD[1]").first)
        #expect(cell.rule == "ot-ignition-idb-password" && cell.identity == "ign_hist" && cell.logicalPath == "DATASOURCES.PASSWORD[1]")
        #expect(Self.find(findings, backup + "db_backup_sqlite.idb!/DATASOURCES.CONNECTURL[2]").map(\.rule) == ["jdbc-password"])
        let resources = findings.filter { $0.path.hasPrefix("ignition/gateway-backups/Ignition-plant-b_20250910.gwbk!/config/") }
        #expect(resources.count == 3 && resources.allSatisfy { $0.rule.hasPrefix("named-") })
        #expect(Set(resources.compactMap(\.logicalPath)) == ["$.password.data.ciphertext", "$.clientSecret.data.ciphertext"])
        #expect(Self.find(findings, "ignition/tags/Line3_tags.json").compactMap(\.logicalPath)
                == ["$.tags[0].tags[0].value", "$.tags[0].tags[1].value", "$.tags[2].parameters.CameraPassword.value"])
        #expect(Self.find(findings, "ignition/projects/Line3_HMI_export.zip!/Line3_HMI/ignition/script-python/shared/db/code.py").map(\.rule) == ["mysql-url"])
    }

    @Test("Node-RED: credentials decrypted with a secret from settings.js or .config.runtime.json; Basic headers in flows decoded")
    func nodeRed() throws {
        let findings = try Self.scan()
        let decrypted = Self.find(findings, "node-red/edge-gw-line3/flows_cred.json")
        #expect(decrypted.count == 3 && decrypted.allSatisfy { $0.rule == "node-red-decrypted-credential" && $0.line == 2 })
        #expect(decrypted.contains { $0.logicalPath == #"$["5c2e8f1a9b3d4e60"].password"# && $0.identity?.contains("user edge_line3") == true })
        #expect(Self.find(findings, "node-red/edge-gw-packaging/flows_cred.json").map(\.rule) == ["node-red-decrypted-credential"])
        #expect(Self.find(findings, "node-red/edge-gw-test/flows_cred.json").map(\.rule) == ["node-red-plaintext-credential"])
        let header = try #require(Self.find(findings, "node-red/edge-gw-line3/flows.json").first)
        #expect(header.rule == "http-basic-credentials" && header.identity == "svc_mes_reader" && header.logicalPath == "$[3].headers[0].valueValue/base64")
    }

    @Test("Kepware, eWON, OPC UA, Mosquitto: the user a password belongs to, table cells, endpoint URLs")
    func connectivity() throws {
        let findings = try Self.scan()
        #expect(Self.find(findings, "kepware/Line3_Kepware.json").map(\.identity) == ["kep_ua", "kep_erp", "kepware_l3"])
        let user = try #require(Self.find(findings, "ewon/Flexy205_Line3/config.txt", rule: "named-password").first { $0.line == 17 })
        #expect(user.identity == "maint_vendor" && user.logicalPath?.contains("UserList") == true)
        #expect(Self.find(findings, "ewon/Flexy205_Line3/comcfg.txt").map { "\($0.line) \($0.rule) \($0.identity ?? "")" } == ["8 named-password iot.plant", "12 named-password line3_flexy", "13 named-secret line3_flexy"])
        #expect(Self.find(findings, "opcua/clients/historian-collector.json", rule: "named-password").map(\.identity) == ["hist_reader", "mes_ua"])
        #expect(Self.find(findings, "mosquitto/broker01/mosquitto.conf").map(\.identity) == ["line3_bridge"])
        #expect(Self.find(findings, "mosquitto/broker01/healthcheck.sh").map(\.identity) == ["monitor"])
    }

    @Test("network backups and UTF-16 registry exports: lines as regedit wrote them")
    func networkAndWindows() throws {
        let findings = try Self.scan()
        #expect(Self.find(findings, "windows/HMI-L3-01/TeamViewer.reg").map { "\($0.line) \($0.logicalPath?.split(separator: " ").last ?? "")" } == ["5 OptionsPasswordAES", "6 SecurityPasswordAES"])
        #expect(Self.find(findings, "windows/HMI-L3-01/TightVNC.reg").map(\.line) == [6, 7])
        let switchConfig = Self.find(findings, "network/switches/line3-core-sw01.cfg")
        #expect(switchConfig.map { "\($0.line) \($0.rule)" } == ["16 named-reversible-password", "23 named-snmp-community", "24 named-password", "24 named-password", "30 named-secret"],
                "type 9 secrets are hashes: reported only with --include-hashes")
        #expect(!switchConfig.contains { $0.secret == "public" })
        #expect(Self.find(findings, "windows/ENG-WS-07/WinSCP.reg").map { "\($0.line) \($0.identity ?? "")" } == ["6 plcbackup"])
        #expect(Self.find(findings, "network/routers/pumpstation4-lte.rsc").count == 3)
        #expect(Self.find(findings, "network/firewalls/plant-dmz-fgt.conf").map { "\($0.line) \($0.rule)" } == ["12 named-reversible-password"],
                "the SH2 admin password is a hash; the ENC PSK is under FortiOS's published key")
        #expect(Self.find(findings, "network/firewalls/line3-edge-srx.conf").allSatisfy { $0.secret != "public" && $0.secret != "ascii-text" })
    }

    @Test("no decoy is reported, except the false positives the manifest pins for rules outside rules/ot.yaml")
    func decoys() throws {
        let findings = try Self.scan()
        let manifest = try String(contentsOfFile: PackageRoot.path("fixtures/ot/expected-findings.tsv"), encoding: .utf8)
        var pinned = Set<String>()
        var pending = false
        for line in manifest.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# known-false-positive:") { pending = true; continue }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if pending { pinned.insert(line.split(separator: "\t").prefix(2).joined(separator: "\t")) }
            pending = false
        }
        let decoys = try String(contentsOfFile: PackageRoot.path("fixtures/ot/decoys.tsv"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(decoys.count >= 40)
        for decoy in decoys {
            let fields = decoy.split(separator: "\t").map(String.init)
            let key = fields[0] + "\t" + fields[1]
            guard !pinned.contains(key) else { continue }
            let path = String(fields[0].dropFirst("fixtures/ot/".count))
            let reported = findings.filter { $0.path == path && String($0.line) == fields[1] }
            #expect(reported.allSatisfy { !$0.secret.contains("*") && !$0.secret.isEmpty }, "\(decoy)")
            // A decoy line may hold a planted secret too (a user name next to its password):
            // then every finding on it must be that secret's, none the decoy's.
            #expect(reported.allSatisfy { manifestHas($0, manifest) }, "decoy reported: \(decoy)")
        }
    }

    private func manifestHas(_ finding: Found, _ manifest: String) -> Bool {
        manifest.contains("fixtures/ot/\(finding.path)\t\(finding.line)\t\(finding.rule)")
    }

    @Test("logical paths appear in SARIF as logical locations, and the report still validates")
    func sarif() throws {
        let result = try CustosBinary.run(["scan", "fixtures/ot", "--format", "sarif"], in: PackageRoot.url.path)
        #expect(result.status == 1)
        #expect(try SarifValidator.errors(in: result.stdout) == [])
        #expect(result.stdout.contains(#""fullyQualifiedName": "DATASOURCES.PASSWORD[1]""#))
        #expect(result.stdout.contains(#""kind": "variable""#) && result.stdout.contains(#""kind": "property""#))
        let text = try CustosBinary.run(["scan", "fixtures/ot/kepware", "--format", "text"], in: PackageRoot.url.path)
        #expect(text.stdout.contains(#"in: $.project.channels[1]["opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD"]"#))
    }
}
