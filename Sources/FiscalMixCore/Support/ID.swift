import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits.
/// Ordered ids keep B-tree inserts at the right edge of the index and make cursors cheap.
public enum ID {
    public static func make(now: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return make(millis: UInt64(max(0, now.timeIntervalSince1970 * 1000)), using: &generator)
    }

    public static func make(millis: UInt64, using generator: inout some RandomNumberGenerator) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        let random = (UInt64.random(in: .min ... .max, using: &generator), UInt64.random(in: .min ... .max, using: &generator))
        for i in 6..<16 {
            let word = i < 11 ? random.0 : random.1
            bytes[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i % 8)))
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension UUID {
    /// Canonical lower-case text form, the form stored on SQLite and compared everywhere.
    public var lowercased: String { uuidString.lowercased() }
}
