import Foundation

/// ISO 8601 timestamps as `$toMillis` reads them without a picture.
enum ISODate {
    static func parse(_ text: String) -> Double? {
        // YYYY[-MM[-DD]][THH:mm[:ss[.sss]]][Z|±HH:mm|±HHmm]
        let pattern = #"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count))
        else { return nil }
        func group(_ i: Int) -> String? {
            let range = match.range(at: i)
            return range.location == NSNotFound ? nil : (text as NSString).substring(with: range)
        }
        var components = DateComponents()
        components.year = Int(group(1)!)
        components.month = group(2).flatMap(Int.init) ?? 1
        components.day = group(3).flatMap(Int.init) ?? 1
        components.hour = group(4).flatMap(Int.init) ?? 0
        components.minute = group(5).flatMap(Int.init) ?? 0
        components.second = group(6).flatMap(Int.init) ?? 0
        guard (1...12).contains(components.month!), (1...31).contains(components.day!), components.hour! < 25,
            components.minute! < 60, components.second! < 61
        else { return nil }
        var offsetSeconds = 0
        if let zone = group(8), zone != "Z" {
            let sign = zone.hasPrefix("-") ? -1 : 1
            let digits = zone.dropFirst().replacingOccurrences(of: ":", with: "")
            let hours = Int(digits.prefix(2)) ?? 0
            let minutes = digits.count > 2 ? Int(digits.suffix(2)) ?? 0 : 0
            offsetSeconds = sign * (hours * 3600 + minutes * 60)
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: components) else { return nil }
        var millis = (date.timeIntervalSince1970 * 1000).rounded()
        if let fraction = group(7) {
            millis += (Double("0." + fraction) ?? 0) * 1000
            millis = millis.rounded(.down)
        }
        return millis - Double(offsetSeconds * 1000)
    }

    /// JavaScript's `Date.prototype.toISOString()`.
    static func format(_ millis: Double) -> String {
        let seconds = (millis / 1000).rounded(.down)
        let ms = Int(millis - seconds * 1000)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: seconds))
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!, ms)
    }
}
