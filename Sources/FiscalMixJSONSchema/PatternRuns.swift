/// A pattern that is a fixed sequence of character-class runs anchored at both ends —
/// `^[0-9]{44}$`, `^[a-z_]+\.[a-z_]+$`, `^ord_[0-9]{6}$`, the shapes most schema patterns
/// take — matched run by run: count the bytes in the run's class, check the count. Each byte
/// costs a bit test with no load depending on the byte before, where the automaton's next state
/// depends on the last one's (its loop is latency-bound).
///
/// Only when greedy counting is exact: every run takes at least one character, and no class
/// shares a character with the next run's, so a run can only end where the next begins. The
/// classes are ASCII: a byte outside ASCII ends the run it is in and the match fails, as it
/// must (no class can consume it).
struct PatternRuns: Sendable {
    struct Run: Sendable {
        let set: CodePointSet
        let min: Int
        let max: Int
    }

    let runs: [Run]

    init?(_ syntax: PatternSyntax) {
        guard case .sequence(let items) = syntax, items.count >= 3, items.first == .lineStart, items.last == .lineEnd else { return nil }
        var runs: [Run] = []
        for item in items.dropFirst().dropLast() {
            let run: Run
            switch item {
            case .set(let set): run = Run(set: set, min: 1, max: 1)
            case .repetition(.set(let set), let min, let max) where min >= 1: run = Run(set: set, min: min, max: max ?? .max)
            default: return nil
            }
            guard run.set.ranges.allSatisfy({ $0.upperBound < 0x80 }) else { return nil }
            if let last = runs.last, Self.overlap(last.set, run.set) { return nil }
            runs.append(run)
        }
        self.runs = runs
    }

    private static func overlap(_ a: CodePointSet, _ b: CodePointSet) -> Bool {
        (0..<UInt32(0x80)).contains { a.contains($0) && b.contains($0) }
    }

    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var at = 0
        for run in runs {
            let start = at
            let end = bytes.count - at > run.max ? at + run.max : bytes.count
            while at < end, run.set.contains(UInt32(bytes[at])) { at += 1 }
            if at - start < run.min { return false }
        }
        return at == bytes.count
    }
}
