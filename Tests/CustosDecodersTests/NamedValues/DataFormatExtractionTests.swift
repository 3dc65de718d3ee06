import CustosDecoders
import Testing

@Suite("Named values: JSON, YAML, TOML, INI, properties, .env, registry")
struct DataFormatExtractionTests {
    @Test("JSON keys give their values with a JSON path; escapes resolve with the span as written")
    func jsonKeys() {
        let json = #"{"channels":[{"opcuaclient.CHANNEL_AUTHENTICATION_USERNAME":"kep_ua","opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD":"NQ2e\u0042PQjm3prf"}]}"#
        let found = NamedValues.credentials(json, as: "project.json")
        #expect(found.count == 1)
        #expect(found.first?.value == "NQ2eBPQjm3prf")
        #expect(found.first?.written == #"NQ2e\u0042PQjm3prf"#)
        #expect(found.first?.identity == "kep_ua")
        #expect(found.first?.path == #"$.channels[0]["opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD"]"#)
    }

    @Test("a generic value is named by its sibling name, and by the key holding its object")
    func jsonGenericValues() {
        let json = """
            {"env": [{"value": "Zq8rT2mx6Wv", "name": "DB_PASSWORD"}],
             "parameters": {"CameraPassword": {"dataType": "String", "value": "6opNFeR76Bck"}}}
            """
        let found = NamedValues.credentials(json, as: "tags.json")
        #expect(Set(found.map(\.name)) == ["DB_PASSWORD", "CameraPassword"])
    }

    @Test("code inside a JSON string (a Node-RED function) is read as code, spans mapped through the escapes")
    func codeInJSONString() {
        let json = #"[{"type":"function","func":"var pw = \"Hq7vX2pL9m\";\nmsg.headers = {};\nreturn msg;"}]"#
        let found = NamedValues.credentials(json, as: "flows.json")
        #expect(found.map(\.value) == ["Hq7vX2pL9m"])
        #expect(found.first?.written == "Hq7vX2pL9m")
    }

    @Test("YAML: nested keys, Kubernetes env entries, Compose environment lists, Secret data decoded")
    func yamlShapes() {
        let yaml = """
            apiVersion: v1
            kind: Secret
            data:
              password: SGFuZ2FyMjAwMiF4dQ==
            ---
            services:
              db:
                environment:
                  - POSTGRES_PASSWORD=Pg4sQ9wZ2x
                  - POSTGRES_USER=mes
              api:
                env:
                  - name: API_TOKEN
                    value: "tok_8d7f6e5c4b3a2918"
            """
        let found = NamedValues.credentials(yaml, as: "stack.yaml")
        #expect(Set(found.map(\.value)) == ["Hangar2002!xu", "Pg4sQ9wZ2x", "tok_8d7f6e5c4b3a2918"])
        #expect(found.first { $0.value == "Hangar2002!xu" }?.written == "SGFuZ2FyMjAwMiF4dQ==")
    }

    @Test("YAML templates and vault references are not credentials")
    func yamlReferences() {
        let yaml = """
            opcua_password: "{{ vault_opcua_password }}"
            db_password: !vault |
              $ANSIBLE_VAULT;1.1;AES256
              6638643965326435
            token: ${API_TOKEN}
            """
        #expect(NamedValues.credentials(yaml, as: "vars.yml").isEmpty)
    }

    @Test("INI sections give identity and path; Grafana's triple quotes keep `#` and `;`")
    func ini() {
        let ini = """
            [database]
            user = grafana
            password = \"\"\"Gf#L4zTym;dSuH\"\"\"
            ; password = oldOne123
            """
        let found = NamedValues.credentials(ini, as: "grafana.ini")
        #expect(found.map(\.value) == ["Gf#L4zTym;dSuH"])
        #expect(found.first?.identity == "grafana")
        #expect(found.first?.path == "[database] password")
    }

    @Test("a key whose bare value goes on as a connection string is read pair by pair")
    func connectionStringLine() {
        let text = """
            InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://custom.com:111/;LiveEndpoint=https://custom.com:222/;
            AccountKey=Zk2n8Qv4Lx7Rt1Wc9Bm3Hp6SdT5yE0uR;AccountName=historian;EndpointSuffix=core.windows.net
            password = Xk39;fjs2Lq8w
            """
        let found = NamedValues.credentials(text, as: "settings.txt")
        #expect(found.map(\.value) == ["Zk2n8Qv4Lx7Rt1Wc9Bm3Hp6SdT5yE0uR", "Xk39;fjs2Lq8w"], "\(found.map(\.value))")
        #expect(found.first?.written == "Zk2n8Qv4Lx7Rt1Wc9Bm3Hp6SdT5yE0uR")
    }

    @Test("translation files (XLIFF, gettext) say password in every language and hold none")
    func translations() {
        let xliff = "<trans-unit id=\"116\">\n  <source>The password is invalid.</source>\n  <target>Parol noto'g'ri.</target>\n</trans-unit>\n"
        #expect(NamedValues.credentials(xliff, as: "validators.uz.xlf").isEmpty)
        #expect(NamedValues.credentials("msgid \"Password\"\nmsgstr \"Passwort-123\"\n", as: "de.po").isEmpty)
    }

    @Test("TOML inline tables and dotted keys")
    func toml() {
        let toml = """
            [outputs.influxdb_v2]
            token = "Zk3mQ8rX7vT2nW5pL9sd"
            db = { user = "svc", password = "Tm9vX2qL4p" }
            """
        let found = NamedValues.credentials(toml, as: "telegraf.toml")
        #expect(Set(found.map(\.value)) == ["Zk3mQ8rX7vT2nW5pL9sd", "Tm9vX2qL4p"])
    }

    @Test(".properties: `:` separators, escapes and continued lines")
    func properties() {
        let properties = """
            spring.datasource.username: mes
            spring.datasource.password: Mx\\u0037q2Lr9
            mail.smtp.password = Ab3\\
                Cd4Ef
            """
        let found = NamedValues.credentials(properties, as: "application.properties")
        #expect(Set(found.map(\.value)) == ["Mx7q2Lr9", "Ab3Cd4Ef"])
    }

    @Test(".env: export, quotes, and variable references")
    func dotenv() {
        let env = """
            export DB_PASSWORD="Wq7x#Zr2pL"
            API_KEY=sk_4f3e2d1c0b9a8f7e6d5c
            MAIL_PASSWORD=${SMTP_PASSWORD}
            """
        let found = NamedValues.credentials(env, as: ".env")
        #expect(Set(found.map(\.value)) == ["Wq7x#Zr2pL", "sk_4f3e2d1c0b9a8f7e6d5c"])
    }

    @Test("registry: strings under their key path; VNC binary decrypted with the fixed DES key; UserName as identity")
    func registry() {
        let reg = """
            Windows Registry Editor Version 5.00

            [HKEY_LOCAL_MACHINE\\SOFTWARE\\TightVNC\\Server]
            "Password"=hex:6b,cf,2a,4b,\\
              6e,5a,ca,0f
            [HKEY_CURRENT_USER\\Software\\SimonTatham\\PuTTY\\Sessions\\plc]
            "ProxyUsername"="svc"
            "ProxyPassword"="Px7!mQ2vz"
            """
        let found = NamedValues.credentials(reg, as: "export.reg")
        let vnc = found.first { $0.name == "Password" }
        #expect(vnc?.verdict == .publishedKeyEncryption(.vnc, decrypted: Array("sT333ve2".utf8)))
        #expect(vnc?.written == "6b,cf,2a,4b,\\\n  6e,5a,ca,0f")
        #expect(found.first { $0.name == "ProxyPassword" }?.identity == "svc")
    }
}
