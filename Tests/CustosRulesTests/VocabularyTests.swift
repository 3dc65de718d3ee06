import CustosBuiltinRules
import CustosCore
import CustosRules
import Testing

@Suite("Credential vocabulary")
struct VocabularyTests {
    @Test("every example of the shipped vocabulary judges as its list says")
    func shippedExamples() throws {
        let file = try VocabularyLoader.builtin()
        #expect(file.examples.count > 200)
        let failures = VocabularyCheck.run(file)
        for failure in failures { Issue.record("\(failure)") }
    }

    @Test("a word the name splitter would split is refused, with its line")
    func refusesSplittableWords() {
        let yaml = """
            version: 1
            terms:
              - class: password
                words: [passWord]
            """
        #expect(throws: RuleError.self) { try VocabularyLoader.parse(yaml: yaml, source: "site.yaml") }
        do {
            _ = try VocabularyLoader.parse(yaml: yaml, source: "site.yaml")
        } catch {
            #expect("\(error)".contains("site.yaml:3"))
            #expect("\(error)".contains("separated by spaces"))
        }
    }

    @Test("an unknown class names the known ones")
    func unknownClass() {
        let yaml = "version: 1\nterms:\n  - class: passcode\n    words: [x]\n"
        do {
            _ = try VocabularyLoader.parse(yaml: yaml, source: "site.yaml")
            Issue.record("accepted an unknown class")
        } catch {
            #expect("\(error)".contains("unknown class 'passcode'"))
            #expect("\(error)".contains("password"))
        }
    }

    @Test("a failing example is reported with its file and line")
    func failingExample() throws {
        let yaml = """
            version: 1
            terms:
              - class: password
                words: [password]
                examples: [Password, PasswordLength]
            modifiers:
              setting_after: [length]
            """
        let file = try VocabularyLoader.parse(yaml: yaml, source: "site.yaml")
        let failures = VocabularyCheck.run(file)
        #expect(failures.count == 1)
        #expect(failures.first?.description.hasPrefix("site.yaml:5") == true)
    }
}
