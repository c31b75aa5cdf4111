import Foundation

/// Formats instants as RFC 3339 UTC with milliseconds (`2026-11-23T01:49:33.642Z`), the form every
/// API response uses. Hand-rolled because Foundation's format styles cost microseconds per call.
public enum RFC3339 {
    public static func string(from date: Date) -> String {
        let millisTotal = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = millisTotal >= 0 ? millisTotal / 1000 : (millisTotal - 999) / 1000
        let millis = Int(millisTotal - seconds * 1000)
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= days * 86_400
        let hour = Int(seconds / 3600), minute = Int(seconds % 3600 / 60), second = Int(seconds % 60)
        // Civil-from-days (Howard Hinnant's algorithm).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))

        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ value: Int, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var v = value
            for i in stride(from: width - 1, through: 0, by: -1) {
                digits[i] = UInt8(48 + v % 10)
                v /= 10
            }
            out.append(contentsOf: digits)
        }
        put(year, 4); out.append(45); put(month, 2); out.append(45); put(day, 2); out.append(84)
        put(hour, 2); out.append(58); put(minute, 2); out.append(58); put(second, 2); out.append(46)
        put(millis, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }
}
