/// A deterministic automaton for a small `LinearPattern` program over ASCII input, built once
/// when the schema is compiled (subset construction): matching is then one table lookup per
/// byte, where simulating the threads costs a closure per byte and thread. Typical schema
/// patterns (`^[0-9]{44}$`, `^ord_[0-9]{6}$`) have a few dozen instructions and as many states.
///
/// Input with a byte outside ASCII answers nil and the caller simulates the program instead (the
/// automaton's alphabet is ASCII; the program's is every code point).
struct PatternDFA: Sendable {
    /// Programs up to this size keep a state as one 64-bit set of instructions.
    static let maxInstructions = 64
    /// Past this many states (a pattern whose automaton blows up) the program is simulated.
    static let maxStates = 256

    /// The class of each ASCII byte: bytes that every `consume` of the program treats alike.
    private let byteClass: [UInt8]
    private let classCount: Int
    /// `transitions[row + class]`, for the row of the current state, is the next state's row
    /// (`state * classCount`), with `matchedFlag` set when the program reaches `match` there
    /// without reading more and `failedFlag` when no thread is left there (an anchored pattern
    /// that cannot match any more). Rows and verdicts in one entry keep the loop at one
    /// dependent load per byte: it is latency-bound, and a separate verdict table and a multiply
    /// per byte took twice as long.
    private let transitions: [UInt32]
    /// The program reaches `match` in this state when the input ends here (`$` holds).
    private let acceptsAtEnd: [Bool]
    /// What the start state decides before any byte is read (flags as in `transitions`).
    private let startFlags: UInt32

    static let matchedFlag: UInt32 = 1 << 31
    static let failedFlag: UInt32 = 1 << 30

    init?(_ program: [LinearPattern.Instruction], anchored: Bool) {
        guard program.count <= Self.maxInstructions else { return nil }
        // Byte classes: the set of consuming instructions that accept the byte, as a signature.
        var signatures: [UInt64: UInt8] = [:]
        var byteClass = [UInt8](repeating: 0, count: 128)
        for byte in 0..<128 {
            var signature: UInt64 = 0
            for (pc, instruction) in program.enumerated() {
                if case .consume(let set) = instruction, set.contains(UInt32(byte)) { signature |= 1 << UInt64(pc) }
            }
            if signatures[signature] == nil { signatures[signature] = UInt8(signatures.count) }
            byteClass[byte] = signatures[signature]!
        }
        let classCount = signatures.count
        let representative = (0..<classCount).map { klass in UInt32(byteClass.firstIndex(of: UInt8(klass))!) }

        func closure(_ seeds: UInt64, atStart: Bool, atEnd: Bool) -> UInt64 {
            var set: UInt64 = 0
            var stack = seeds
            while stack != 0 {
                let pc = stack.trailingZeroBitCount
                stack &= stack - 1
                guard set & (1 << UInt64(pc)) == 0 else { continue }
                set |= 1 << UInt64(pc)
                switch program[pc] {
                case .consume, .match: break
                case .jump(let target): stack |= 1 << UInt64(target)
                case .split(let first, let second): stack |= 1 << UInt64(first) | 1 << UInt64(second)
                case .assertStart: if atStart { stack |= 1 << UInt64(pc + 1) }
                case .assertEnd: if atEnd { stack |= 1 << UInt64(pc + 1) }
                }
            }
            return set
        }
        let matchBit: UInt64 = program.enumerated().reduce(0) { bits, entry in
            if case .match = entry.element { return bits | 1 << UInt64(entry.offset) }
            return bits
        }
        let seed = anchored ? 0 : closure(1, atStart: false, atEnd: false)

        // State 0 is the start (the only one where `^` holds); the others are keyed by their set.
        var states: [UInt64] = [closure(1, atStart: true, atEnd: false)]
        var ids: [UInt64: Int] = [:]
        var transitions: [UInt16] = []
        var next = 0
        while next < states.count {
            let state = states[next]
            for klass in 0..<classCount {
                var advanced: UInt64 = 0
                var pending = state
                while pending != 0 {
                    let pc = pending.trailingZeroBitCount
                    pending &= pending - 1
                    if case .consume(let set) = program[pc], set.contains(representative[klass]) { advanced |= 1 << UInt64(pc + 1) }
                }
                let target = closure(advanced, atStart: false, atEnd: false) | seed
                if ids[target] == nil {
                    guard states.count < Self.maxStates else { return nil }
                    ids[target] = states.count
                    states.append(target)
                }
                transitions.append(UInt16(ids[target]!))
            }
            next += 1
        }
        let flags = states.map { state in state & matchBit != 0 ? Self.matchedFlag : (state == 0 ? Self.failedFlag : 0) }
        self.byteClass = byteClass
        self.classCount = classCount
        self.transitions = transitions.map { target in UInt32(Int(target) * classCount) | flags[Int(target)] }
        startFlags = flags[0]
        acceptsAtEnd = states.enumerated().map { id, state in closure(state, atStart: id == 0, atEnd: true) & matchBit != 0 }
    }

    /// Whether the pattern matches the ASCII input; nil at the first byte outside ASCII.
    func matches(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        if startFlags != 0 { return startFlags == Self.matchedFlag }
        // Read through buffer pointers: every entry the loop reads is in range by construction
        // (a class per ASCII byte, a row per state), and the arrays' bounds checks were a third
        // of the loop.
        return byteClass.withUnsafeBufferPointer { byteClass in
            transitions.withUnsafeBufferPointer { transitions in
                var row: UInt32 = 0
                for byte in bytes {
                    guard byte < 0x80 else { return nil }
                    let next = transitions[Int(row) &+ Int(byteClass[Int(byte)])]
                    if next >= Self.failedFlag { return next >= Self.matchedFlag }
                    row = next
                }
                return acceptsAtEnd[Int(row) / classCount]
            }
        }
    }
}
