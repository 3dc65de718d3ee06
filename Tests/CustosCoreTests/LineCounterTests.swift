import CustosCore
import Testing

@Suite("Line counter")
struct LineCounterTests {
    func advanced(_ text: String, from counter: LineCounter = LineCounter()) -> (LineCounter, Int?) {
        var counter = counter
        let lastLineStart = Array(text.utf8).withUnsafeBytes { counter.advance(over: $0) }
        return (counter, lastLineStart)
    }

    @Test("counts lines, and code points on the last line only")
    func linesAndColumns() {
        let (counter, lastLineStart) = advanced("first\nsecond line\nπ = 3")
        #expect(counter.line == 3)
        #expect(counter.column == 5)  // "π = 3": five code points, six bytes
        #expect(lastLineStart == 18)  // "first\n" and "second line\n"
    }

    @Test("continues a line across buffers and says when a buffer has no line break")
    func acrossBuffers() {
        let (first, _) = advanced("abc\nde")
        let (second, lastLineStart) = advanced("fgh", from: first)
        #expect(second == LineCounter(line: 2, column: 5))
        #expect(lastLineStart == nil)
        #expect(advanced("").0 == LineCounter())
    }
}

@Suite("Ownership expiry")
struct OwnershipExpiryTests {
    let block = Ownership(attributedBy: .selector, owner: "OT Platform Team", expires: IsoDay("2027-01-01"), rotateBy: IsoDay("2026-06-01"))

    @Test("judged again on another day: valid, then rotation overdue, then expired")
    func judgedByDay() {
        #expect(block.judgingExpiry(today: IsoDay("2026-05-01")!).expiry == .valid)
        let overdue = block.judgingExpiry(today: IsoDay("2026-07-01")!)
        #expect(overdue.expiry == .rotationOverdue)
        #expect(overdue.expiryDate == IsoDay("2026-06-01"))
        let expired = block.judgingExpiry(today: IsoDay("2027-02-01")!)
        #expect(expired.expiry == .expired)
        #expect(expired.expiryDate == IsoDay("2027-01-01"))
        #expect(Ownership(attributedBy: .codeowners).judgingExpiry(today: IsoDay("2027-02-01")!).expiry == .unknown)
    }
}
