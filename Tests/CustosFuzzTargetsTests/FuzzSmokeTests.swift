import CustosFuzzTargets
import Testing

/// The fuzz targets on their seeds and deterministic mutations of them, without a sanitizer:
/// what `make fuzz` explores for hours, checked in seconds on every test run. A trap here
/// fails the whole test process, which is the point.
@Suite("Fuzz targets (smoke run)")
struct FuzzSmokeTests {
    /// Mutated inputs per target.
    static let mutations = 300

    @Test("every target survives its seeds and their mutations", arguments: FuzzTarget.allCases)
    func smoke(_ target: FuzzTarget) {
        let seeds = FuzzSeeds.seeds(for: target)
        #expect(!seeds.isEmpty)
        for seed in seeds { target.run(seed) }
        var mutator = FuzzMutator(seed: UInt64(target.rawValue.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        for index in 0..<Self.mutations {
            let input = seeds[index % seeds.count]
            target.run(mutator.mutate(input, other: seeds[(index * 7 + 3) % seeds.count]))
        }
    }
}
