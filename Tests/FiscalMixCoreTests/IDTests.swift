import FiscalMixCore
import Foundation
import Testing

@Suite struct IDTests {
    @Test func isVersion7WithRFCVariant() {
        let id = ID.make()
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
    }

    @Test func carriesTheCurrentTimeInItsFirst48Bits() {
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let id = ID.make()
        let after = UInt64(Date().timeIntervalSince1970 * 1000)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        let millis = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        // The counter may have pushed the stamp a millisecond or two ahead within a burst.
        #expect(millis >= before && millis <= after + 2)
    }

    @Test func isUniqueWithinOneMillisecond() {
        let now = Date()
        let ids = Set((0..<10_000).map { _ in ID.make(now: now) })
        #expect(ids.count == 10_000)
    }
}

@Suite struct EmailTests {
    @Test func normalisesCaseAndWhitespace() throws {
        #expect(try EmailAddress("  Ana.Silva@Example.COM ").value == "ana.silva@example.com")
    }

    @Test(arguments: ["", "ana", "ana@", "@example.com", "ana@example", "a b@example.com", "ana@@example.com", "ana@.com"])
    func refusesMalformed(_ raw: String) {
        #expect(throws: FiscalMixError.self) { try EmailAddress(raw) }
    }
}

@Suite struct IDOrderingTests {
    @Test func idsMadeInOneBurstAreStrictlyIncreasing() {
        let now = Date()
        let ids = (0..<5_000).map { _ in ID.make(now: now).uuidString }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }
}

@Suite struct EncodingTests {
    @Test(arguments: [0.0, 1_700_000_000.125, 951_782_400.5, 4_102_444_799.75, -1.5, 1_234_567_890.0])
    func rfc3339MatchesFoundation(_ seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let foundation = date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        #expect(RFC3339.string(from: date) == foundation)
    }

    @Test func hexIsLowerCaseTwoDigitsPerByte() {
        #expect(Hex.encode([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
        #expect(Hex.encode([]) == "")
    }
}

@Suite struct RFC3339ParsingTests {
    @Test func parsesValidDateTimes() throws {
        #expect(RFC3339.date(from: "1970-01-01T00:00:00Z") == Date(timeIntervalSince1970: 0))
        #expect(RFC3339.date(from: "2026-11-23T01:49:33.5Z") == Date(timeIntervalSince1970: 1_795_398_573.5))
        #expect(RFC3339.date(from: "2026-11-23T04:49:33+03:00") == Date(timeIntervalSince1970: 1_795_398_573))
        #expect(RFC3339.date(from: "2024-02-29t10:00:00z") != nil)
        let now = Date(timeIntervalSince1970: 1_700_000_000.25)
        #expect(RFC3339.date(from: RFC3339.string(from: now)) == now)
    }

    @Test(arguments: [
        "2024-01-01T12:99:00Z", "2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00", "2024-01-01T00:00:00+0300", "2024-01-01T00:00:00.Z", "2024-01-01T24:00:00Z", "",
    ])
    func refusesInvalid(_ text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }
}
