import CustosCore
import Testing

@Suite("Word hit cursor")
struct WordHitCursorTests {
    let words = WordSet(["password", "pass", "pwd", "token", "user", "kennwort"])

    func occurs(_ text: [UInt8], _ range: Range<Int>) -> Bool {
        text.withUnsafeBytes { words.occurs(in: UnsafeRawBufferPointer(rebasing: $0[range])) }
    }

    @Test("answers every range as a pass of the set over that range would, in any order of asking")
    func agreesWithOccurs() {
        let text = Array("""
        db.user = admin   # the PASSWORD is below
        cfg["Password"] = get()
        api_token: x; pwd=1; Kennwort := 'k'; passenger = 3; to ken
        """.utf8)
        var generator = SystemRandomNumberGenerator()
        var ranges: [Range<Int>] = []
        // Every line as a reader of lines asks, then overlapping windows in order, then at random.
        var start = 0
        for (index, byte) in text.enumerated() where byte == UInt8(ascii: "\n") {
            ranges.append(start..<index)
            start = index + 1
        }
        ranges.append(start..<text.count)
        for lower in stride(from: 0, to: text.count, by: 3) { ranges.append(lower..<min(text.count, lower + 17)) }
        for _ in 0..<2_000 {
            let lower = Int.random(in: 0..<text.count, using: &generator)
            ranges.append(lower..<Int.random(in: lower...text.count, using: &generator))
        }
        text.withUnsafeBytes { bytes in
            var cursor = WordHitCursor(words, text: bytes)
            for range in ranges {
                let found = cursor.any(in: range)
                #expect(found == occurs(text, range), "\(range)")
            }
        }
    }

    @Test("a word cut by the range's end is not in the range; one that fits is")
    func edges() {
        let text = Array("x password y".utf8)
        text.withUnsafeBytes { bytes in
            var cursor = WordHitCursor(words, text: bytes)
            let answers = [0..<5, 0..<6, 2..<10, 10..<12].map { cursor.any(in: $0) }
            // "x pas", "x pass", "password", " y"
            #expect(answers == [false, true, true, false])
        }
    }
}
