/// A set of Unicode code points as sorted, disjoint ranges, with a bitmap for ASCII (what most
/// schema patterns test against). A pattern's `.`, `\d`, `[^a-z]` … compile to one of these.
struct CodePointSet: Sendable, Equatable {
    /// Sorted, disjoint, non-adjacent.
    private(set) var ranges: [ClosedRange<UInt32>]
    private var asciiLow: UInt64 = 0
    private var asciiHigh: UInt64 = 0

    static let maxCodePoint: UInt32 = 0x10FFFF

    init(ranges: [ClosedRange<UInt32>]) {
        self.ranges = Self.normalized(ranges)
        for range in self.ranges where range.lowerBound < 128 {
            for point in range.lowerBound...min(range.upperBound, 127) {
                if point < 64 { asciiLow |= 1 << UInt64(point) } else { asciiHigh |= 1 << UInt64(point - 64) }
            }
        }
    }

    init(_ scalar: Unicode.Scalar) { self.init(ranges: [scalar.value...scalar.value]) }

    func contains(_ point: UInt32) -> Bool {
        if point < 64 { return asciiLow & (1 << UInt64(point)) != 0 }
        if point < 128 { return asciiHigh & (1 << UInt64(point - 64)) != 0 }
        var low = 0, high = ranges.count - 1
        while low <= high {
            let middle = (low + high) / 2
            let range = ranges[middle]
            if point < range.lowerBound { high = middle - 1 } else if point > range.upperBound { low = middle + 1 } else { return true }
        }
        return false
    }

    func union(_ other: CodePointSet) -> CodePointSet { CodePointSet(ranges: ranges + other.ranges) }

    var inverted: CodePointSet {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in ranges {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= Self.maxCodePoint { result.append(next...Self.maxCodePoint) }
        return CodePointSet(ranges: result)
    }

    private static func normalized(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound &+ 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    // ECMA-262 character classes: `\d` and `\w` are ASCII-only; `\s` is WhiteSpace plus
    // LineTerminator; `.` is anything but a line terminator.
    static let digits = CodePointSet(ranges: [48...57])
    static let word = CodePointSet(ranges: [48...57, 65...90, 95...95, 97...122])
    static let space = CodePointSet(ranges: [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A, 0x2028...0x2029, 0x202F...0x202F,
        0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    static let lineTerminators = CodePointSet(ranges: [0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029])
    static let anyButLineTerminator = lineTerminators.inverted
}
