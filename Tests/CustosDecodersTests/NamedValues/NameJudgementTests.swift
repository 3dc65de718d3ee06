import CustosCore
import Testing

@Suite("Credential names")
struct NameJudgementTests {
    let vocabulary = NamedValues.vocabulary

    @Test("names split at case changes, separators, acronyms, digits and known compounds")
    func splitting() {
        #expect(vocabulary.words(of: "FTPKennwort") == ["ftp", "kennwort"])
        #expect(vocabulary.words(of: "pwdAdmin") == ["pwd", "admin"])
        #expect(vocabulary.words(of: "SMTP_PW") == ["smtp", "pw"])
        #expect(vocabulary.words(of: "opcuaclient.CHANNEL_AUTHENTICATION_PASSWORD") == ["opcuaclient", "channel", "authentication", "password"])
        #expect(vocabulary.words(of: "ftppass") == ["ftp", "pass"])
        #expect(vocabulary.words(of: "bypass") == ["bypass"])
        #expect(vocabulary.words(of: "mot_de_passe") == ["mot", "de", "passe"])
        #expect(vocabulary.words(of: "Lösenord") == ["lösenord"])
    }

    @Test("the rightmost credential word is the head; words around it can make a setting, a reference or a hash")
    func heads() {
        #expect(vocabulary.judge("PasswordLength") == .setting)
        #expect(vocabulary.judge("RequirePassword") == .setting)
        #expect(vocabulary.judge("password_file") == .reference)
        #expect(vocabulary.judge("keystore_password").credentialClass == .password)
        #expect(vocabulary.judge("PasswordHash").credentialClass == .passwordHash)
        #expect(vocabulary.judge("PublicKey") == .publicMaterial)
        #expect(vocabulary.judge("UserName") == .identity)
        #expect(vocabulary.judge("UserPassword").credentialClass == .password)
        #expect(vocabulary.judge("KeyboardLayout") == .unrelated)
        #expect(vocabulary.judge("TokenType").credentialClass == nil)
    }

    @Test("a bare key or pin is weak; a qualifier before it makes it a credential name")
    func qualifiers() {
        #expect(vocabulary.judge("key") == .credential(.cryptoKey, .weak, encrypted: false))
        #expect(vocabulary.judge("HmacKey") == .credential(.cryptoKey, .medium, encrypted: false))
        #expect(vocabulary.judge("T2MKey") == .credential(.cryptoKey, .medium, encrypted: false))
        #expect(vocabulary.judge("primaryKey") == .unrelated)
        #expect(vocabulary.judge("SimPin") == .credential(.pin, .medium, encrypted: false))
        #expect(vocabulary.judge("PinNumber") == .unrelated)
    }

    @Test("the sieve lets credential names through and allocates nothing for other bytes")
    func sieve() {
        let sieve = NameSieve(vocabulary: vocabulary)
        #expect(sieve.mayBeCredential("HMI_Kennwort"))
        #expect(sieve.mayBeCredential("HASŁO"))
        #expect(!sieve.mayBeCredential("Line_Speed"))
        #expect(sieve.mayBeIdentity("Benutzername"))
    }
}
