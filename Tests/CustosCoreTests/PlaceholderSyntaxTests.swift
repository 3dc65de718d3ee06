import CustosCore
import Testing

@Suite("Placeholder syntax")
struct PlaceholderSyntaxTests {
    func typed(_ value: String) -> Bool {
        Array(value.utf8).withUnsafeBufferPointer(PlaceholderSyntax.hasTypedRun)
    }

    func pair(_ user: String, _ password: String) -> Bool {
        Array(user.utf8).withUnsafeBufferPointer { user in
            Array(password.utf8).withUnsafeBufferPointer { PlaceholderSyntax.isTemplatePair(identity: user, secret: $0) }
        }
    }

    @Test("runs typed by hand: six letters, nine digits, or ten letters in order with anything between")
    func typedRuns() {
        for value in ["abcdefg12346+FJQCK", "00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx", "OOzkR1+hF+1ABCsIFDJMEUtqmtnZ1234567890",
                      "px-api-a1b2c3d4-e5f6-g7h8-i8j0-k0l3m3n4o0p5"] {
            #expect(typed(value), "\(value)")
        }
        // Generated values, and the short runs people do type into real passwords.
        for value in ["ghp_R7kW2mQ9xT4vL8pZ3nB6yH1cJ5dF0gA2sE4u", "Passwort123456", "Siemens1234!", "abcde12345678",
                      "d7f3a9c1e5b24f68a0c9e7d1b3f5a2c4"] {
            #expect(!typed(value), "\(value)")
        }
    }

    @Test("a user and a password of one stem, with a user and a password ending, are a template pair")
    func templatePairs() {
        #expect(pair("proxyuser", "proxypass"))
        #expect(pair("db_user", "db_password"))
        #expect(pair("smtpUsername", "smtpPassword"))
        #expect(!pair("plcbackup", "M7l8GQlchbkER0Af"))
        #expect(!pair("histuser", "histuser"))
        #expect(!pair("ftpuser", "ftp2pass"))
        #expect(!pair("user", "pass"))
    }
}
