/// How the bytes of a decoded text map back to the bytes it was decoded from, so a finding
/// in decoded text is reported at the exact bytes of the file a person opens.
///
/// A map is a sorted list of pieces. Each piece is a run of equal units: `units` units of
/// `derivedUnit` bytes, each made from `sourceUnit` source bytes — a copied run is units of
/// 1 from 1, ASCII transcoded from UTF-16 is units of 1 from 2, an XML entity is one unit of
/// 1 from 5, a decoded base64 value is one unit of its decoded length from its encoded length.
/// A range that starts inside a unit maps to the whole unit: a secret inside a decoded base64
/// value is located at the value. Derived bytes outside every piece are context (names and
/// separators a decoder added) and map to nothing.
public struct OffsetMap: Sendable, Hashable {
    public struct Piece: Sendable, Hashable {
        public var derivedStart: Int
        public var sourceStart: Int
        public var units: Int
        public var derivedUnit: Int
        public var sourceUnit: Int

        public var derivedEnd: Int { derivedStart + units * derivedUnit }
        public var sourceEnd: Int { sourceStart + units * sourceUnit }
    }

    public private(set) var pieces: [Piece] = []

    public init() {}

    public var isEmpty: Bool { pieces.isEmpty }

    /// Records that derived bytes from `derivedStart` are `units` units of `derivedUnit` bytes,
    /// each made from `sourceUnit` bytes of the source from `sourceStart`. Runs that continue
    /// the previous piece with the same unit sizes are merged, so a long copied or transcoded
    /// stretch costs one piece.
    public mutating func append(derivedStart: Int, sourceStart: Int, units: Int, derivedUnit: Int, sourceUnit: Int) {
        guard units > 0, derivedUnit > 0, sourceUnit >= 0 else { return }
        if var last = pieces.last, last.derivedUnit == derivedUnit, last.sourceUnit == sourceUnit,
           last.derivedEnd == derivedStart, last.sourceEnd == sourceStart {
            last.units += units
            pieces[pieces.count - 1] = last
            return
        }
        pieces.append(Piece(derivedStart: derivedStart, sourceStart: sourceStart, units: units,
                            derivedUnit: derivedUnit, sourceUnit: sourceUnit))
    }

    /// Records `count` derived bytes copied unchanged from the source.
    public mutating func copy(derivedStart: Int, sourceStart: Int, count: Int) {
        append(derivedStart: derivedStart, sourceStart: sourceStart, units: count, derivedUnit: 1, sourceUnit: 1)
    }

    /// Records that the derived bytes `derived` were decoded out of the source bytes `source`
    /// as one unit.
    public mutating func replace(derived: Range<Int>, source: Range<Int>) {
        append(derivedStart: derived.lowerBound, sourceStart: source.lowerBound, units: 1,
               derivedUnit: derived.count, sourceUnit: source.count)
    }

    /// The index of the last piece starting at or before `offset`.
    private func pieceIndex(atOrBefore offset: Int) -> Int? {
        var low = 0
        var high = pieces.count
        while low < high {
            let mid = (low + high) / 2
            if pieces[mid].derivedStart <= offset { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    /// The piece holding derived byte `offset`, if any.
    public func piece(holding offset: Int) -> Piece? {
        guard let index = pieceIndex(atOrBefore: offset), offset < pieces[index].derivedEnd else { return nil }
        return pieces[index]
    }

    /// The source bytes a derived range was made from; nil when it starts in context.
    public func sourceRange(of derived: Range<Int>) -> Range<Int>? {
        guard let first = piece(holding: derived.lowerBound) else { return nil }
        let startUnit = (derived.lowerBound - first.derivedStart) / first.derivedUnit
        let start = first.sourceStart + startUnit * first.sourceUnit
        guard derived.upperBound > derived.lowerBound else { return start..<start }
        let last = derived.upperBound - 1
        guard let index = pieceIndex(atOrBefore: last) else { return start..<start }
        let piece = pieces[index]
        let end: Int
        if last < piece.derivedEnd {
            let unit = (last - piece.derivedStart) / piece.derivedUnit
            end = piece.sourceStart + (unit + 1) * piece.sourceUnit
        } else {
            end = piece.sourceEnd
        }
        return start..<max(start, end)
    }
}
