import CustosCore
@testable import CustosDecoders
import Testing

@Suite("Value classifier")
struct ValueClassifierTests {
    let classifier = ValueClassifier(vocabulary: NamedValues.vocabulary)

    func verdict(_ value: String, name: String = "password", format: StructuredFormat = .ini, form: ValueForm = .literal,
                 marker: ValueMarker = .none, encoding: ValueEncoding = .plain, bytes: [UInt8]? = nil, context: String = "") -> ValueVerdict {
        let named = NamedValue(name: name, namePath: name, valueSpan: 0..<value.utf8.count, value: bytes ?? Array(value.utf8),
                               encoding: encoding, format: format, form: form, marker: marker)
        guard case let .credential(credentialClass, strength, _) = NamedValues.vocabulary.judge(name) else {
            Issue.record("'\(name)' is not a credential name")
            return .notCredential(.empty)
        }
        return classifier.classify(named, as: credentialClass, strength: strength, context: context).verdict
    }

    @Test("human passwords are credentials under a password name; weak names demand random values")
    func humanPasswords() {
        for value in ["Winter2025!", "Linie3Start", "AdminPassword123", "Kp$YByNd'58"] {
            #expect(verdict(value).isFinding, "\(value)")
        }
        #expect(verdict("Winter2025!", name: "key") == .notCredential(.notSecretLooking))
        #expect(verdict("Zk3mQ8rX7vT2nW5pL9sdYh4", name: "key").isFinding)
        #expect(verdict("through", name: "pass") == .notCredential(.notSecretLooking))
    }

    @Test("empty, masked, placeholders and templates")
    func emptyMaskedPlaceholders() {
        #expect(verdict("") == .notCredential(.empty))
        #expect(verdict("   ") == .notCredential(.empty))
        for masked in ["********", "●●●●●●", "xxxxxxxx", "****1234", "<hidden>"] {
            #expect(verdict(masked) == .notCredential(.masked), "\(masked)")
        }
        for placeholder in ["<password>", "changeme", "your-password", "${DB_PASS}", "%PASSWORD%", "$(SECRET)", "{{ db_password }}",
                            "my-token", "__PASSWORD__", "@db.password@"] {
            #expect(verdict(placeholder) == .notCredential(.placeholder), "\(placeholder)")
        }
    }

    @Test("references to secret stores and variables")
    func references() {
        for reference in ["vault:secret/data/mes#password", "@Microsoft.KeyVault(SecretUri=https://kv/secrets/x)", "env:DB_PASSWORD",
                          "arn:aws:secretsmanager:eu-central-1:1:secret:x", "DB_PASSWORD", "siehe KeePass", "op://vault/item/password"] {
            #expect(verdict(reference) == .notCredential(.reference), "\(reference)")
        }
    }

    @Test("owner-key encryption is not a finding: DPAPI, Ansible Vault, SOPS, Jasypt, Spring {cipher}")
    func ownerKeys() {
        for encrypted in ["01000000d08c9ddf0115d1118c7a00c04fc297eb0100000047e3d0", "AQAAANCMnd8BFdERjHoAwE/Cl+sBAAAA",
                          "$ANSIBLE_VAULT;1.1;AES256\n6638", "ENC[AES256_GCM,data:Tr7o=,iv:1=,tag:2=,type:str]", "ENC(G6N718UuyPE5bHyWKyuLQ==)",
                          "{cipher}3b4f6c1a"] {
            #expect(verdict(encrypted) == .notCredential(.ownerKeyEncrypted), "\(encrypted)")
        }
        #expect(verdict("x", marker: .ownerKeyEncrypted) == .notCredential(.ownerKeyEncrypted))
    }

    @Test("public material, code expressions, vendor defaults and setting values")
    func notSecrets() {
        #expect(verdict("-----BEGIN CERTIFICATE-----\nMIIB", name: "privateKey") == .notCredential(.publicMaterial))
        #expect(verdict("ssh-rsa AAAAB3NzaC1yc2E", name: "ssh_key") == .notCredential(.publicMaterial))
        #expect(verdict("-----BEGIN RSA PRIVATE KEY-----\nMIIE", name: "privateKey") == .credential(.high))
        #expect(verdict("get_password(user)", format: .sourceCode, form: .expression) == .notCredential(.codeExpression))
        #expect(verdict("public", name: "community") == .notCredential(.vendorDefault))
        #expect(verdict("adm") == .notCredential(.vendorDefault))
        #expect(verdict("true") == .notCredential(.settingValue))
        #expect(verdict("3") == .notCredential(.settingValue))
        #expect(verdict("/etc/mosquitto/passwd") == .notCredential(.filePath))
        #expect(verdict("https://login.plant.internal/reset") == .notCredential(.url))
    }

    @Test("what library code and API documentation hold under credential names is no credential")
    func libraryValues() {
        for slot in ["[password]", "[new_password]", "[Authenticator data]"] {
            #expect(verdict(slot, format: .json) == .notCredential(.placeholder), "\(slot)")
        }
        #expect(verdict("New password: ", format: .sourceCode) == .notCredential(.placeholder))
        #expect(verdict("Password:", format: .sourceCode) == .notCredential(.placeholder))
        #expect(verdict("'pass'", name: "pass_stmt", format: .sourceCode) == .notCredential(.placeholder))
        #expect(verdict("2017-12-05", name: "community") == .notCredential(.placeholder))
        #expect(verdict("arn:aws:iam::aws:policy/IAMCreateRootUserPassword", format: .json) == .notCredential(.reference))
        for pattern in ["(?=\\s|[;&|])", "[!#$%&'*+.^_`|~0-9A-Za-z]", "#/definitions/password", "1.302138", "v2.0.1"] {
            #expect(verdict(pattern, name: "token", format: .sourceCode) == .notCredential(.reference), "\(pattern)")
        }
        #expect(verdict("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp", name: "key", format: .sourceCode)
            == .notCredential(.publicMaterial))
        for words in ["Access-Control-Allow-Credentials", "write:pets", "fs.s3.enableServerSideEncryption"] {
            #expect(verdict(words, name: "credentials", format: .sourceCode) == .notCredential(.notSecretLooking), "\(words)")
        }
        #expect(verdict("The pass statement does nothing", name: "pass", format: .sourceCode) == .notCredential(.prose))
        #expect(verdict("1045", format: .sourceCode, form: .bare) == .notCredential(.codeExpression))
        #expect(verdict("eks-auth.mx-central-1.api.aws", format: .json) == .notCredential(.reference))
        #expect(verdict("hypothesis.strategies.random_module()", name: "token", format: .sourceCode) == .notCredential(.reference))
        #expect(verdict("password)", format: .commandLine) == .notCredential(.placeholder))
        // A generated key's punctuation is no template; `%(name)s` is.
        #expect(verdict("django-insecure-k3!%(^+=x9v@2m#q7w$(z8l_p4r0t&n5b", name: "SECRET_KEY", format: .sourceCode).isFinding)
        #expect(verdict("%(password)s", format: .sourceCode) == .notCredential(.placeholder))
        // Typed for documentation: one repeated byte; selectors and environment lookups.
        for typed in ["000000000000000000000000000000000000000000aa", "00000000-0000-0000-0000-000000000000"] {
            #expect(verdict(typed, name: "token") == .notCredential(.placeholder), "\(typed)")
        }
        #expect(verdict("#add-password", format: .sourceCode) == .notCredential(.reference))
        #expect(verdict("env.PERKEEP_TEST_PASSWORD") == .notCredential(.reference))
        #expect(verdict("Passwort123456").isFinding)
        #expect(verdict("anonymous@", name: "pass", format: .sourceCode) == .notCredential(.vendorDefault))
        // Short human passwords with a dash, and tokens whose words mix digits in, stay.
        #expect(verdict("Vey4-h", format: .sourceCode).isFinding)
        #expect(verdict("dt0c01.ST2EY72KQINMH574WMNVI7YN", name: "token", format: .sourceCode).isFinding)
        // A number under a PIN's name is judged as a PIN, not dropped as a constant.
        #expect(verdict("4711", name: "pin", format: .sourceCode, form: .bare) != .notCredential(.codeExpression))
    }

    @Test("what mocks and samples write in code: values typed by counting, the word password in disguise")
    func typedSampleValues() {
        for counted in ["ABC12345", "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "abcd1234efgh5678"] {
            #expect(verdict(counted, name: "SessionToken", format: .sourceCode) == .notCredential(.placeholder), "\(counted)")
            #expect(verdict(counted, name: "token", format: .json) == .notCredential(.placeholder), "\(counted)")
        }
        for disguised in ["P@55w0rd!", "Passw0rd1", "Password1!", "S3cr3t"] {
            #expect(verdict(disguised, format: .sourceCode) == .notCredential(.placeholder), "\(disguised)")
        }
        // Generated values are not counting, and in configuration files and PLC code the same
        // weak passwords are what a plant really sets.
        #expect(verdict("a8Zq3k1Pm7", name: "token", format: .sourceCode).isFinding)
        #expect(verdict("ABC12345", name: "token", format: .ini).isFinding)
        #expect(verdict("ABC12345", name: "token", format: .iec61131).isFinding)
        #expect(verdict("P@55w0rd!").isFinding)
        #expect(verdict("P@55w0rd!", format: .iec61131).isFinding)
        #expect(verdict("Pa55w0rd-Xk39f", format: .sourceCode).isFinding)
        // Sample words in disguise anywhere, and runs typed by hand into an example.
        #expect(verdict("super$ecret", format: .sourceCode) == .notCredential(.placeholder))
        #expect(verdict("somepassword", format: .xml) == .notCredential(.placeholder))
        #expect(verdict("testtoken", name: "token") == .notCredential(.placeholder))
        #expect(verdict("postgres", format: .yaml) == .notCredential(.vendorDefault))
        #expect(verdict("classpath:default/test-hello-server.key", name: "private-key", format: .yaml) == .notCredential(.reference))
        #expect(verdict("ENV[\"RAILS_MASTER_KEY\"]", name: "token", format: .ini) == .notCredential(.reference))
        #expect(verdict("application/vnd.intercon.formnet", name: "xpw", format: .properties) == .notCredential(.reference))
        #expect(verdict("3000:3000", format: .commandLine) == .notCredential(.reference))
        #expect(verdict("^3.3.2|^4.0", name: "web-token/jwt-library", format: .json) == .notCredential(.reference))
        // Under `pw`, a word with a word's punctuation is no password; a digit or a symbol makes one.
        #expect(verdict("i-Palau", name: "PW", format: .sourceCode) == .notCredential(.notSecretLooking))
        #expect(verdict("영어(팔라우)", name: "en_PW", format: .sourceCode) == .notCredential(.prose))
        #expect(verdict("Kessel#Haus", name: "pw").isFinding)
        #expect(verdict("abcdefg12346+FJQCK", name: "secret_access_key", format: .sourceCode) == .notCredential(.placeholder))
        #expect(verdict("OOzkR1+hF+1ABCsIFDJMEUtqmtnZ1234567890", name: "aws_secret_key", format: .yaml) == .notCredential(.placeholder))
    }

    @Test("a user and password that are one stem with a user and a password ending are a documentation pair")
    func templatePairs() {
        func pair(_ user: String, _ password: String) -> ValueVerdict {
            let named = NamedValue(name: "password", namePath: "password", valueSpan: 0..<password.utf8.count, value: Array(password.utf8),
                                   identity: user, format: .url, form: .literal)
            return classifier.classify(named, as: .password, strength: .strong, context: "").verdict
        }
        #expect(pair("proxyuser", "proxypass") == .notCredential(.placeholder))
        #expect(pair("db_user", "db_password") == .notCredential(.placeholder))
        #expect(pair("plcbackup", "M7l8GQlchbkER0Af").isFinding)
        #expect(pair("histuser", "histuser").isFinding)
        #expect(pair("ftpuser", "ftp2pass").isFinding)
        #expect(pair("myDatabaseUser", "D1fficultP@ssw0rd") == .notCredential(.placeholder))
        #expect(pair("your_username", "Xk39fjs2Lq8w") == .notCredential(.placeholder))
        #expect(pair("mysql", "Xk39fjs2Lq8w").isFinding)
    }

    @Test("hashes, each recognised by its format, and Cisco type markers")
    func hashes() {
        #expect(verdict("$6$y5hi8Vc4$jRWF6ELAWzBDBWqBPf1Mnk") == .hash(.sha512Crypt))
        #expect(verdict("$2b$12$Hmx6joMXIS7cSppR7zxJ514CcJeKA7") == .hash(.bcrypt))
        #expect(verdict("$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA") == .hash(.argon2))
        #expect(verdict("{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=") == .hash(.ldapScheme))
        #expect(verdict("pbkdf2_sha256$260000$salt$hash=") == .hash(.django))
        #expect(verdict("*94BDCEBE19083CE2A1F959FD02F964C7AF4CFC29") == .hash(.mysql))
        #expect(verdict("md5a3556571e93b0d20722ba62be61e8c2d") == .hash(.postgresMD5))
        #expect(verdict("5a28d7d3b3b99a0a788f95a9fd97e7436656aa651f0b1341621e50abff272a9f", name: "pwd_hash") == .hash(.hexDigest))
        #expect(verdict("$9$rZMdS7x.eg9LXk$jy01ztjCJSiL5B/6uq.U9N12Qh3Eey50ulUCenzrh9Z") == .hash(.ciscoType9))
        #expect(verdict("$1$mERr$hx5rVt7rPNoS4wqbXKX7m0", marker: .typeNumber(5)) == .hash(.ciscoType5))
        #expect(verdict("Clear4Text!", marker: .typeNumber(0)).isFinding)
        #expect(verdict("8Ry2YjIyt7RRXU24", marker: .declaredHashed) == .hash(.deviceHash))
    }

    @Test("values under keys every copy of the software ships are findings, decrypted")
    func publishedKeys() {
        #expect(verdict("072328424B5A2A1116001F4D", marker: .typeNumber(7)) == .publishedKeyEncryption(.ciscoType7, decrypted: Array("Line3Start!".utf8)))
        #expect(verdict("$9$QzF33CpcSeX7VO1-VwsoaDik.5Fu0IreWzF") == .publishedKeyEncryption(.junos9, decrypted: Array("Ring4Admin#".utf8)))
        #expect(verdict("j1Uyj3Vx8TY9LtLZil2uAuZkFQA/4latT76ZwgdHdhw", name: "cpassword")
            == .publishedKeyEncryption(.groupPolicyPreferences, decrypted: Array("Local*P4ssword!".utf8)))
        #expect(verdict("6bcf2a4b6e5aca0f", name: "passwd", context: "ultravnc.ini [ultravnc] passwd")
            == .publishedKeyEncryption(.vnc, decrypted: Array("sT333ve2".utf8)))
        let teamViewer = PublishedKeyDecryption.hexBytes("2c4bf762b362c82cb1620eeb69d4cdd41e0d00c5bdcfb831786b3d6b0ca6bad7")
        #expect(verdict("x", name: "OptionsPasswordAES", marker: .registryBinary, bytes: teamViewer)
            == .publishedKeyEncryption(.teamViewer, decrypted: Array("Linie3Start!".utf8)))
        #expect(verdict("obLD1DNU9LS3BHvUZbG35nL1NTU=", marker: .fortiOSEncrypted) == .publishedKeyEncryption(.fortiOS, decrypted: Array("Kp7-Rz2!wQ".utf8)))
        #expect(verdict("{xor}CD4sZg8+LCx+") == .publishedKeyEncryption(.websphereXor, decrypted: Array("Was9Pass!".utf8)))
    }

    @Test("Authorization headers: Basic decoded, Bearer tokens judged as tokens, concatenations are code")
    func authorization() {
        let named = NamedValue(name: "Authorization", namePath: "h", valueSpan: 0..<0, value: Array("Basic dXNlcjpTM2NyZXQhMjM=".utf8), format: .json)
        let (found, plaintext) = classifier.classify(named, as: .authorization, strength: .medium, context: "")
        #expect(found == .credential(.high))
        #expect(plaintext == Array("user:S3cret!23".utf8))
        #expect(verdict("Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", name: "Authorization").isFinding)
        #expect(!verdict("Basic ", name: "Authorization").isFinding)
    }

    @Test("DES decrypts the FIPS 81 test vector")
    func desVector() {
        // Key 133457799BBCDFF1, plaintext 0123456789ABCDEF, ciphertext 85E813540F0AB405.
        #expect(PublishedKeyDecryption.desDecryptForTesting(block: 0x85E8_1354_0F0A_B405, key: 0x1334_5779_9BBC_DFF1) == 0x0123_4567_89AB_CDEF)
    }
}
