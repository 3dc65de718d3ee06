import CustosDecoders
import Testing

@Suite("Named values: tables, documents and password files")
struct TableExtractionTests {
    @Test("CSV: a header naming a credential column in any language makes each cell below a value, the login column its identity")
    func csv() {
        let csv = """
            Anlage;Benutzer;Kennwort;Bemerkung
            Presse 4;wartung;"Fr""uh2022$";siehe Plan
            Linie 3;hmi;;leer
            """
        let found = NamedValues.credentials(csv, as: "Zugangsdaten.csv")
        #expect(found.map(\.value) == ["Fr\"uh2022$"])
        #expect(found.first?.written == "Fr\"\"uh2022$")
        #expect(found.first?.identity == "wartung")
    }

    @Test("eWON config.txt: Key:Value lines and the :UserList table")
    func ewon() {
        let text = """
            :System
            SmtpUserName:flexy@plant.internal
            SmtpPassword:9lnrLXcGiJ7L3aO
            :UserList
            "Id";"FirstName";"LastName";"Login";"Password"
            1;"";"";"adm";"adm"
            2;"Maint";"Vendor";"maint_vendor";"Wf7KuEkT2keJjf"
            """
        let all = NamedValues.read(text, as: "config.txt")
        #expect(Set(all.filter(\.isCredential).map(\.value)) == ["9lnrLXcGiJ7L3aO", "Wf7KuEkT2keJjf"])
        #expect(all.first { $0.value == "Wf7KuEkT2keJjf" }?.identity == "maint_vendor")
        #expect(all.first { $0.value == "adm" }?.verdict == .notCredential(.vendorDefault))
    }

    @Test("tag lists: the row's name cell names its value cell; comments may carry a password")
    func tagLists() {
        let labels = "Label Name\tData Type\tInitial Value\tComment\n\"FTP_Pass\"\t\"String(32)\"\t\"Sued=41x\"\t\"\"\n\"PW_HMI\"\t\"Word\"\t\"\"\t\"HMI password (Fruehling2026#)\"\n"
        let found = NamedValues.credentials(labels, as: "GlobalLabel.csv")
        #expect(Set(found.map(\.value)) == ["Sued=41x", "Fruehling2026#"])
    }

    @Test("XLSX: sheet cells resolved through shared strings, spans in the part that holds them")
    func workbook() {
        let shared = #"<sst><si><t>Anlage</t></si><si><t>Benutzer</t></si><si><t>Passwort</t></si><si><t>Presse</t></si><si><t>svc</t></si><si><r><t>Mo7</t></r><r><t>!Pz2x</t></r></si></sst>"#
        let sheet = #"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2" t="s"><v>5</v></c></row></sheetData></worksheet>"#
        let values = Array(shared.utf8).withUnsafeBytes { strings in
            Array(sheet.utf8).withUnsafeBytes { sheetBytes in
                NamedValues.scanner.classify(sheet: sheetBytes, sharedStrings: strings, sheetName: "Zugaenge")
            }
        }
        #expect(values.count == 1)
        #expect(values.first?.value.named.text == "Mo7!Pz2x")
        #expect(values.first?.value.named.identity == "svc")
        #expect(values.first?.part == .sharedStrings)
    }

    @Test("Word: a two-column table and a sentence")
    func word() {
        let document = """
            <w:document><w:body>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Benutzer</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>service</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>Kennwort</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Fabb_</w:t></w:r><w:r><w:t>6246V</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            <w:p><w:r><w:t>Zugang: Benutzer ftp_p4, Kennwort Ung9_wx - nicht aendern</w:t></w:r></w:p>
            <w:p><w:r><w:t>Kennwort wird separat übermittelt</w:t></w:r></w:p>
            </w:body></w:document>
            """
        let found = NamedValues.credentials(document, as: "x.docx!/word/document.xml")
        #expect(Set(found.map(\.value)) == ["Fabb_6246V", "Ung9_wx"])
        #expect(found.first { $0.value == "Fabb_6246V" }?.identity == "service")
    }

    @Test("password files: htpasswd hashes, .pgpass clear passwords with their user")
    func passwordFiles() {
        let htpasswd = NamedValues.read("admin:$apr1$x8d$Kq0nF7m1rTQ0y9XhQk1\nviewer:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n", as: ".htpasswd")
        #expect(htpasswd.map(\.verdict) == [.hash(.apacheMD5), .hash(.ldapScheme)])
        let pgpass = NamedValues.credentials("db01:5432:mes:mes_app:Pg7\\:xQ2wz\n", as: ".pgpass")
        #expect(pgpass.map(\.value) == ["Pg7:xQ2wz"])
        #expect(pgpass.first?.identity == "mes_app")
    }
}
