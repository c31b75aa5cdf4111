/// A schema pattern compiled to a Thompson automaton and searched by simulating every thread at
/// once (a Pike VM without captures): time linear in the input times the program size, no
/// backtracking, no allocation per match beyond stack scratch space. Schemas' patterns
/// (`^[0-9]{14}$`, `^[a-z_]+\.[a-z_]+$`) are run here instead of by ICU, which is both slower per
/// call on Linux (a bridged `NSString`, an `NSRange`) and exponential on hostile patterns.
///
/// Semantics are ECMA-262's with the `u` flag: code points, `^`/`$` only at the ends of the input.
struct LinearPattern: Sendable {
    enum Instruction: Sendable {
        /// Consume one code point in the set, continue at the next instruction.
        case consume(CodePointSet)
        case split(Int, Int)
        case jump(Int)
        case assertStart
        case assertEnd
        case match
    }

    let program: [Instruction]
    /// Every match starts at the input's start: threads are seeded there only.
    let anchored: Bool
    /// The same program as a deterministic automaton over ASCII, when it is small enough.
    let dfa: PatternDFA?
    /// The pattern as class runs, when it has that shape (see `PatternRuns`).
    let runs: PatternRuns?

    /// Programs larger than this (counted repetitions of repetitions) are left to ICU.
    static let maxInstructions = 4_096

    init?(_ source: String) {
        guard let syntax = PatternSyntax.parse(source) else { return nil }
        var program: [Instruction] = []
        guard Self.emit(syntax, into: &program) else { return nil }
        program.append(.match)
        self.program = program
        anchored = Self.startsAnchored(syntax)
        dfa = PatternDFA(program, anchored: anchored)
        runs = PatternRuns(syntax)
    }

    private static func startsAnchored(_ syntax: PatternSyntax) -> Bool {
        switch syntax {
        case .lineStart: true
        case .sequence(let items): items.first.map(startsAnchored) ?? false
        case .alternation(let options): options.allSatisfy(startsAnchored)
        default: false
        }
    }

    /// Appends the instructions for `syntax`; false when the program grows past the limit.
    private static func emit(_ syntax: PatternSyntax, into program: inout [Instruction]) -> Bool {
        guard program.count < maxInstructions else { return false }
        switch syntax {
        case .set(let set):
            program.append(.consume(set))
        case .lineStart:
            program.append(.assertStart)
        case .lineEnd:
            program.append(.assertEnd)
        case .sequence(let items):
            for item in items where !emit(item, into: &program) { return false }
        case .alternation(let options):
            var jumpsToEnd: [Int] = []
            for (index, option) in options.enumerated() {
                let split = program.count
                let isLast = index == options.count - 1
                if !isLast { program.append(.split(split + 1, -1)) }
                guard emit(option, into: &program) else { return false }
                if !isLast {
                    jumpsToEnd.append(program.count)
                    program.append(.jump(-1))
                    program[split] = .split(split + 1, program.count)
                }
            }
            for jump in jumpsToEnd { program[jump] = .jump(program.count) }
        case .repetition(let body, let min, let max):
            for _ in 0..<min where !emit(body, into: &program) { return false }
            if let max {
                // Each optional copy may be skipped, and skipping one skips the rest.
                var splits: [Int] = []
                for _ in min..<max {
                    splits.append(program.count)
                    program.append(.split(program.count + 1, -1))
                    guard emit(body, into: &program) else { return false }
                }
                for split in splits { program[split] = .split(split + 1, program.count) }
            } else {
                let loop = program.count
                program.append(.split(loop + 1, -1))
                guard emit(body, into: &program) else { return false }
                program.append(.jump(loop))
                program[loop] = .split(loop + 1, program.count)
            }
        }
        return program.count <= maxInstructions
    }

    /// Whether the pattern matches anywhere in `text`. The work (threads stepped) is charged to
    /// `budget` at 1 step per 256; when it runs out the answer is false and the caller reports it.
    func matches(_ text: String, budget: SchemaEvaluator.Budget) -> Bool {
        // The string's own bytes where it has them (native and small strings), without the copy
        // `withUTF8` needs to be able to make them contiguous.
        if let answer = text.utf8.withContiguousStorageIfAvailable({ matches($0, budget: budget) }) { return answer }
        var text = text
        return text.withUTF8 { matches($0, budget: budget) }
    }

    private func matches(_ bytes: UnsafeBufferPointer<UInt8>, budget: SchemaEvaluator.Budget) -> Bool {
        if let runs {
            budget.remaining -= bytes.count >> 8
            return runs.matches(bytes)
        }
        if let dfa, let answer = dfa.matches(bytes) {
            budget.remaining -= bytes.count >> 8
            return answer
        }
        return search(bytes, budget: budget)
    }

    private func search(_ bytes: UnsafeBufferPointer<UInt8>, budget: SchemaEvaluator.Budget) -> Bool {
        let words = (program.count + 63) / 64
        return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words * 2) { sets in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: program.count * 2 + 2) { stack in
                var current = StateSet(words: UnsafeMutableBufferPointer(rebasing: sets[0..<words]))
                var next = StateSet(words: UnsafeMutableBufferPointer(rebasing: sets[words...]))
                current.clear()
                var position = 0
                var work = 0
                if addThread(0, to: &current, atStart: true, atEnd: bytes.isEmpty, stack: stack) { return true }
                while position < bytes.count {
                    let (point, width) = Self.decode(bytes, at: position)
                    position += width
                    let atEnd = position == bytes.count
                    next.clear()
                    var stepped = 0
                    for pc in current {
                        stepped += 1
                        if case .consume(let set) = program[pc], set.contains(point),
                            addThread(pc + 1, to: &next, atStart: false, atEnd: atEnd, stack: stack)
                        {
                            return true
                        }
                    }
                    if !anchored, addThread(0, to: &next, atStart: false, atEnd: atEnd, stack: stack) { return true }
                    swap(&current, &next)
                    if anchored, current.isEmpty { return false }
                    work += stepped
                    if work >= 65_536 {
                        budget.remaining -= work >> 8
                        work = 0
                        if budget.remaining < 0 { return false }
                    }
                }
                budget.remaining -= work >> 8
                return false
            }
        }
    }

    /// Adds `pc` and everything reachable from it without consuming input; true when that
    /// reaches `match`.
    private func addThread(_ pc: Int, to set: inout StateSet, atStart: Bool, atEnd: Bool, stack: UnsafeMutableBufferPointer<Int>) -> Bool {
        var top = 0
        stack[top] = pc
        top += 1
        while top > 0 {
            top -= 1
            let pc = stack[top]
            guard set.insert(pc) else { continue }
            switch program[pc] {
            case .consume:
                break
            case .match:
                return true
            case .jump(let target):
                stack[top] = target
                top += 1
            case .split(let first, let second):
                stack[top] = second
                stack[top + 1] = first
                top += 2
            case .assertStart:
                if atStart { stack[top] = pc + 1; top += 1 }
            case .assertEnd:
                if atEnd { stack[top] = pc + 1; top += 1 }
            }
        }
        return false
    }

    /// One code point from valid UTF-8 (Swift strings always are) and its width in bytes.
    @inline(__always)
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> (UInt32, Int) {
        let lead = UInt32(bytes[index])
        if lead < 0x80 { return (lead, 1) }
        if lead < 0xE0 { return ((lead & 0x1F) << 6 | UInt32(bytes[index + 1] & 0x3F), 2) }
        if lead < 0xF0 {
            return ((lead & 0x0F) << 12 | UInt32(bytes[index + 1] & 0x3F) << 6 | UInt32(bytes[index + 2] & 0x3F), 3)
        }
        return (
            (lead & 0x07) << 18 | UInt32(bytes[index + 1] & 0x3F) << 12 | UInt32(bytes[index + 2] & 0x3F) << 6
                | UInt32(bytes[index + 3] & 0x3F), 4
        )
    }
}

/// A set of program counters as a bitmap over caller-provided words; iterates in ascending order.
private struct StateSet: Sequence {
    let words: UnsafeMutableBufferPointer<UInt64>

    func clear() { words.update(repeating: 0) }

    var isEmpty: Bool { !words.contains { $0 != 0 } }

    /// Inserts `pc`; false when it was already there.
    func insert(_ pc: Int) -> Bool {
        let bit: UInt64 = 1 << UInt64(pc & 63)
        let word = words[pc >> 6]
        if word & bit != 0 { return false }
        words[pc >> 6] = word | bit
        return true
    }

    func makeIterator() -> Iterator { Iterator(words: words) }

    struct Iterator: IteratorProtocol {
        let words: UnsafeMutableBufferPointer<UInt64>
        var index = 0
        var remaining: UInt64 = 0

        init(words: UnsafeMutableBufferPointer<UInt64>) {
            self.words = words
            remaining = words.isEmpty ? 0 : words[0]
        }

        mutating func next() -> Int? {
            while remaining == 0 {
                index += 1
                guard index < words.count else { return nil }
                remaining = words[index]
            }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return index << 6 | bit
        }
    }
}
