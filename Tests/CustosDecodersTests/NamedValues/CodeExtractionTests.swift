import CustosDecoders
import Testing

@Suite("Named values: IEC 61131-3 and source code")
struct CodeExtractionTests {
    @Test("IEC declarations, attributed SCL declarations, `#` assignments and `$` escapes")
    func iecDeclarations() {
        let source = """
            DATA_BLOCK "DB_Remote"
               VAR
                  ftpUser : String[32] := 'plc_upload';
                  ftpPassword : String[32] := '3kJW$$kjG$'eqU';
                  webPassword { S7_SetPoint := 'True'} : String[24] := 'A1SWDi1hhYb2QdCJ';
                  retryCount : Int := 3;
               END_VAR
            BEGIN
               #login.password := WSTRING#'4oCy8zUKvCkI';
               #login.password := sDefault;
            END_DATA_BLOCK
            """
        let all = NamedValues.read(source, as: "DB_Remote.db")
        let found = all.filter(\.isCredential)
        #expect(found.map(\.value) == ["3kJW$kjG'eqU", "A1SWDi1hhYb2QdCJ", "4oCy8zUKvCkI"])
        #expect(found.first?.written == "3kJW$$kjG$'eqU")
        #expect(found.first?.identity == "plc_upload")
        #expect(all.contains { $0.value == "sDefault" && $0.verdict == .notCredential(.codeExpression) })
    }

    @Test("byte arrays: `ARRAY OF BYTE := [16#..]` and L5K key arrays")
    func byteArrays() {
        let source = "VAR aAesKey : ARRAY[0..15] OF BYTE := [16#2B,16#7E,16#15,16#16,16#28,16#AE,16#D2,16#A6,16#AB,16#F7,16#15,16#88,16#09,16#CF,16#4F,16#3C]; END_VAR"
        let found = NamedValues.credentials(source, as: "GVL.st")
        #expect(found.count == 1)
        #expect(found.first?.written.hasPrefix("16#2B") == true)
    }

    @Test("L5K: string tags and structures named by their data type's members")
    func l5k() {
        let source = """
            DATATYPE UDT_Zugang (FamilyType := NoFamily)
                STRING Benutzer;
                STRING Kennwort;
            END_DATATYPE
            TAG
                SFTP_Password : STRING := [12,'AKhkJ9v7CX09$00$00'];
                Wartung : UDT_Zugang (Description := "Wartung") := [[7,'wartung$00$00'],[11,'Spring2020.$00']];
            END_TAG
            """
        let found = NamedValues.credentials(source, as: "Mixer.L5K")
        #expect(found.map(\.value) == ["AKhkJ9v7CX09", "Spring2020."])
        #expect(found.last?.identity == "wartung")
    }

    @Test("Python: assignments, keyword arguments, auth tuples, login calls, positional signatures")
    func python() {
        let source = """
            MES_PASSWORD = "Hx8qT2vL9m"
            r = requests.post(url, auth=("svc_oee", "valveTank67?"), timeout=10)
            ftp.login("backup", "Bk7!zQ2wp")
            conn = pymssql.connect("SQL01", "oee_writer", "7EsfNk6+sYpbyf.q", "OEE")
            pyads.add_route_to_plc(AMS, "hmi", ip, "svc_ads", "lxnJRuho9geT0Zgn", route_name="HMI")
            password = os.environ["DB_PASSWORD"]
            token = get_token(user)
            # mqtt_password = "Cm5!rT8qz"
            """
        let found = NamedValues.credentials(source, as: "collector.py")
        #expect(Set(found.map(\.value)) == ["Hx8qT2vL9m", "valveTank67?", "Bk7!zQ2wp", "7EsfNk6+sYpbyf.q", "lxnJRuho9geT0Zgn", "Cm5!rT8qz"])
        #expect(found.first { $0.value == "valveTank67?" }?.identity == "svc_oee")
        #expect(found.first { $0.value == "lxnJRuho9geT0Zgn" }?.identity == "svc_ads")
    }

    @Test("C, Java, C#, JavaScript, PHP, VB: declarations, setters, define(), byte arrays, headers in strings")
    func otherLanguages() {
        #expect(NamedValues.credentials("static const uint8_t aes_key[16] = {0x2b,0x7e,0x15,0x16,0x28,0xae,0xd2,0xa6,0xab,0xf7,0x15,0x88,0x09,0xcf,0x4f,0x3c};", as: "crypto.c").count == 1)
        #expect(NamedValues.credentials("client.setPassword(\"Jv8!kQ2mx\");\nString apiKey = \"ak_9f8e7d6c5b4a3928\";", as: "Bridge.java").count == 2)
        #expect(NamedValues.credentials("var cred = new NetworkCredential(\"svc\", \"Cs7#pL2wq\");", as: "Job.cs").map(\.identity) == ["svc"])
        #expect(NamedValues.credentials("define('DB_PASSWORD', 'Ph9!tQ4zx');", as: "wp-config.php").map(\.value) == ["Ph9!tQ4zx"])
        #expect(NamedValues.credentials("SETSYS COM, \"VPNPassword\", \"F2eg8Dr4gBctfY0Z\"", as: "program.bas").map(\.value) == ["F2eg8Dr4gBctfY0Z"])
        let header = NamedValues.credentials("const h = { headers: { Authorization: \"Basic bWVzX2xpbmUzOnZLUTd1dUYz\" } };", as: "client.js")
        #expect(header.first?.plaintext == "mes_line3:vKQ7uuF3")
        #expect(NamedValues.credentials("msg.headers = { Authorization: 'Basic ' + token };", as: "client.js").isEmpty)
    }

    @Test("an HTTP header written into a string is read as a header; a URL's user information as a password")
    func headersAndURLs() {
        let source = """
            req.add_header("Authorization: Basic c3ZjX21lczpTM2NyZXQhMjM=")
            HISTORIAN = "postgresql://svc_hist:iLHgFvF3aqk4mw3@hist02.plant.internal:5432/history"
            """
        let found = NamedValues.credentials(source, as: "client.py")
        #expect(found.first { $0.name == "Authorization" }?.plaintext == "svc_mes:S3cret!23")
        let url = found.first { $0.value == "iLHgFvF3aqk4mw3" }
        #expect(url?.identity == "svc_hist")
        #expect(url?.written == "iLHgFvF3aqk4mw3")
    }

    @Test("ordinary library code names no credential: word lists, verbs about passwords, docstrings, type stubs, regexes")
    func libraryCodeIsQuiet() {
        // Neighbours in a list of words are no name and value.
        #expect(NamedValues.credentials("BUILTINS = (\n    \"alterations-in-key\", \"ambitus-interval-8x\",\n    \"bassoon-lh-key-stencil\", \"q8Xz2LmP4vRt7WsN9\",\n)", as: "_builtins.py").isEmpty)
        // A call that does something with a password does not name its argument.
        #expect(NamedValues.credentials("self.assertEqual(splitpasswd('user:a+b9x'), ('user', 'a+b9x'))\nshould_pass(\"windows2019x\")\nC = cookies.SimpleCookie('Customer=\"WILE_E_COYOTE7\"')", as: "test_urlparse.py").isEmpty)
        // A pair is a login only under a credential's name.
        #expect(NamedValues.credentials("__author__ = ('Ka-Ping Yee <ping@lfw.org>', 'Yury Selivanov <ys@sprymix.com>')\n"
                                        + "TOPICS = {'STRINGMETHODS': ('string-methods', 'STRINGS FORMATTING')}", as: "inspect.py").isEmpty)
        #expect(NamedValues.credentials("r = requests.get(url, auth=('svc_oee', 'valveTank67?'))", as: "client.py").map(\.value) == ["valveTank67?"])
        // A docstring is read for connection strings and URLs, not as code.
        let docstring = "def sign(params):\n    \"\"\"Sign the request.\n\n    >>> sign(oauth_consumer_key=\"0685bd9184jfhq22\", oauth_token=\"ad180jjd733klru7\")\n    \"\"\"\n"
        #expect(NamedValues.credentials(docstring, as: "parameters.py").isEmpty)
        // Type stubs are code: an annotation is a type, not a value.
        #expect(NamedValues.credentials("class Connection:\n    password: str | None\n    ES_PASSWORD: Final[int]\n", as: "connection.pyi").isEmpty)
        // C++ headers without an extension say so in their first line.
        #expect(NamedValues.credentials("// <regex> -*- C++ -*-\n_M_token = _S_token_bracket_dash9;\n", as: "/usr/include/c++/12/regex").isEmpty)
        // A regular expression or a version is what code matches or pins.
        #expect(NamedValues.credentials("TOKEN = r'(?=\\s|[;&|])'\nSECRET = '[^/]+\\d{4}\\s*'\ntoken = '1.302138'", as: "shell.py").isEmpty)
        // An indented example under a sentence in a comment block is documentation (RDoc,
        // YARD, `///`); commented-out code is still read.
        let rdoc = "  # Adds methods to set and authenticate against a BCrypt password.\n  #\n"
            + "  #   user = User.new(name: 'david', password: 'mUc3m00RsqyRe')\n  def has_secure_password\n  end\n"
        #expect(NamedValues.credentials(rdoc, as: "secure_password.rb").isEmpty)
        #expect(NamedValues.credentials("# old login, before the vault:\n#   password = 'Hv7!qm2Lx9'\n", as: "deploy.rb").map(\.value)
            == ["Hv7!qm2Lx9"])
        #expect(NamedValues.credentials("x = 1\n# password = 'Hv7!qm2Lx9'\n", as: "deploy.py").map(\.value) == ["Hv7!qm2Lx9"])
        // What stays: setters, define(), credential words called as functions.
        #expect(NamedValues.credentials("client.password(\"Jv8!kQ2mx\")\nwith_token(\"ak_9f8e7d6c5b4a3928\")", as: "x.js").count == 2)
    }
}
