public import Foundation

/// Reads the date-times of fiscal XML (`TDateTimeUTC`: `2017-03-17T14:52:25-03:00`), tolerating the
/// older layouts: a fraction, `Z`, no offset (taken as Brasília, UTC−3, as pre-2012 layouts meant),
/// or a bare date (`dEmi` of NF-e 2.00).
public enum FiscalDateTime {
    /// TDateTimeUTC as SEFAZ wants it in events: Brasília time (UTC−3, no daylight saving since
    /// 2019), no fraction, explicit offset.
    public static func brasilia(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) - 3 * 3600
        let days = Int((Double(seconds) / 86_400).rounded(.down))
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        func pad(_ value: Int, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month))-\(pad(day))T\(pad(secondOfDay / 3600)):\(pad(secondOfDay % 3600 / 60)):\(pad(secondOfDay % 60))-03:00"
    }

    /// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Hinnant's algorithm).
    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= 48 && byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(0, 4), bytes.count >= 10, bytes[4] == 45, let month = number(5, 2), bytes[7] == 45,
            let day = number(8, 2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0
        var index = 10
        if bytes.count > 10 {
            guard bytes[10] == UInt8(ascii: "T"), let h = number(11, 2), bytes.count > 13, bytes[13] == 58, let m = number(14, 2) else { return nil }
            hour = h
            minute = m
            index = 16
            if index < bytes.count, bytes[index] == 58 {
                guard let s = number(17, 2) else { return nil }
                second = s
                index = 19
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 { index += 1 }
            }
        }
        guard hour < 24, minute < 60, second < 61 else { return nil }
        var offsetSeconds = -3 * 3600
        if bytes.count > 10, index < bytes.count {
            if bytes[index] == UInt8(ascii: "Z"), index + 1 == bytes.count {
                offsetSeconds = 0
            } else if bytes[index] == 43 || bytes[index] == 45, let oh = number(index + 1, 2), bytes.count == index + 6,
                bytes[index + 3] == 58, let om = number(index + 4, 2)
            {
                offsetSeconds = (oh * 3600 + om * 60) * (bytes[index] == 45 ? -1 : 1)
            } else {
                return nil
            }
        }
        let days = daysFromCivil(year, month, day)
        let local = Double(days * 86_400 + hour * 3600 + minute * 60 + second)
        return Date(timeIntervalSince1970: local - Double(offsetSeconds))
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
