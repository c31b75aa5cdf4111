public import Foundation
import Synchronization

/// Time-ordered UUIDs (RFC 9562 version 7): 48 bits of Unix milliseconds, a 12-bit counter,
/// then random bits. Ordered ids keep B-tree inserts at the right edge of the index and make
/// keyset cursors cheap.
///
/// Within one process ids are strictly increasing (RFC 9562 §6.2 method 1): ids made in the same
/// millisecond take the next counter value, so "newest first" is exact even for bursts.
public enum ID {
    private static let live = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))
    private static let backfill = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))
    private static let backfillThreshold: UInt64 = 60_000

    public static func make(now: Date = Date()) -> UUID {
        let wall = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        // An instant over a minute behind the real clock (a backfill, a test's clock in the
        // past) is honoured as given — its id must fall in that instant's month — in a sequence
        // of its own, so it neither drags live ids back nor is pushed forward by them.
        let actual = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        let isBackfill = wall + backfillThreshold < actual
        let (millis, counter) =
            isBackfill
            ? backfill.withLock { advance(&$0, to: wall, isBackfill: true) }
            : live.withLock { advance(&$0, to: wall, isBackfill: false) }
        var generator = SystemRandomNumberGenerator()
        return make(millis: millis, counter: counter, using: &generator)
    }

    private static func advance(_ last: inout (millis: UInt64, counter: UInt16), to wall: UInt64, isBackfill: Bool) -> (UInt64, UInt16) {
        // A backfill far from the previous one starts afresh too (interleaved backfills of
        // different instants stay in their instants, ordered within each burst).
        if wall > last.millis || (isBackfill && wall + backfillThreshold < last.millis) {
            // A fresh millisecond starts the counter at a random point in its lower half.
            last = (wall, UInt16.random(in: 0..<0x800))
        } else if last.counter < 0xFFF {
            last.counter += 1
        } else {
            last = (last.millis + 1, 0)
        }
        return (last.millis, last.counter)
    }

    /// The smallest version-7 id of an instant: every id made at or after `date` sorts at or
    /// above it, every id made before sorts below. Time ranges over id columns (monthly
    /// partitions, retention) are bounded with it.
    public static func lowerBound(of date: Date) -> UUID {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// When a version-7 id was made (its first 48 bits); nil for other versions.
    public static func instant(of id: UUID) -> Date? {
        let u = id.uuid
        guard u.6 >> 4 == 7 else { return nil }
        let millis = [u.0, u.1, u.2, u.3, u.4, u.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return Date(timeIntervalSince1970: Double(millis) / 1000)
    }

    static func make(millis: UInt64, counter: UInt16, using generator: inout some RandomNumberGenerator) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (8 * (5 - UInt64(i)))) }
        bytes[6] = 0x70 | UInt8((counter >> 8) & 0x0F)  // version 7 + counter high bits
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        let random = UInt64.random(in: .min ... .max, using: &generator)
        for i in 8..<16 { bytes[i] = UInt8(truncatingIfNeeded: random >> (8 * UInt64(i - 8))) }
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }
}

extension UUID {
    /// Canonical lower-case text form, the form stored in text columns and compared everywhere.
    public var lowercased: String { uuidString.lowercased() }
}
