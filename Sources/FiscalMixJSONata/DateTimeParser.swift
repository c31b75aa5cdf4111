import Foundation

/// `$toMillis` with a picture string: the picture becomes a regular expression with one group
/// per component; each group is read back with the component's presentation (digits, ordinals,
/// roman numerals, letters, words, month names, am/pm, time-zone offsets).
enum DateTimeParser {
    private static let months = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    ]

    static func parse(_ text: String, picture: String) throws -> Double? {
        let parts = try DateTimePicture.parsePicture(picture)
        var pattern = "^"
        var markers: [DateTimePicture.Marker] = []
        for part in parts {
            switch part {
            case .literal(let literal): pattern += NSRegularExpression.escapedPattern(for: literal)
            case .marker(let marker):
                markers.append(marker)
                pattern += "(" + regex(for: marker) + ")"
            }
        }
        pattern += "$"
        try validate(Set(markers.map(\.component)))
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
            let match = regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count))
        else { return nil }
        guard !markers.isEmpty else { return nil }

        var fields: [Character: Int] = [:]
        var offsetMinutes = 0
        var pm: Bool?
        for (index, marker) in markers.enumerated() {
            let range = match.range(at: index + 1)
            guard range.location != NSNotFound else { continue }
            let value = (text as NSString).substring(with: range)
            switch marker.component {
            case "P": pm = value.lowercased() == "pm"
            case "Z", "z": offsetMinutes = zoneOffset(value)
            case "F", "C", "E": continue
            case "M" where marker.presentation.hasPrefix("N") || marker.presentation.hasPrefix("n"):
                let lower = value.lowercased()
                guard let month = months.firstIndex(where: { $0.hasPrefix(lower) }) else { return nil }
                fields["M"] = month + 1
            case "f":
                let digits = value.prefix(3)
                fields["f"] = (Int(digits) ?? 0) * Int(pow(10, Double(3 - digits.count)))
            default:
                var presentation = marker.presentation
                if presentation.count > 1, presentation.hasSuffix("o") { presentation.removeLast() }
                if "wW".contains(presentation.first ?? " ") { presentation = "w" }
                guard let number = try IntegerPicture.parse(value, picture: presentation) else { return nil }
                fields[marker.component] = Int(number)
            }
        }

        let now = CivilTime(millis: (Date().timeIntervalSince1970 * 1000).rounded(.down))
        let hasDate = fields["Y"] != nil || fields["M"] != nil || fields["D"] != nil || fields["d"] != nil
        let year = fields["Y"] ?? now.year
        var days: Int
        if let dayOfYear = fields["d"] {
            days = CivilTime.days(fromCivil: year, 1, 1) + dayOfYear - 1
        } else if hasDate {
            days = CivilTime.days(fromCivil: year, fields["M"] ?? 1, fields["D"] ?? 1)
        } else {
            days = now.daysSinceEpoch
        }
        var hour = fields["H"] ?? 0
        if let h = fields["h"] {
            hour = h % 12 + (pm == true ? 12 : 0)
        } else if let pm, fields["H"] == nil {
            hour = pm ? 12 : 0
        }
        if days < -100_000_000 { days = -100_000_000 }
        let minutes = Double(days) * 1440 + Double(hour * 60 + (fields["m"] ?? 0) - offsetMinutes)
        return minutes * 60_000 + Double((fields["s"] ?? 0) * 1000 + (fields["f"] ?? 0))
    }

    /// The components must leave no gaps: year-month-day (or year and day of year), and hours
    /// before minutes before seconds. Week-based dates cannot be parsed.
    private static func validate(_ components: Set<Character>) throws {
        let has = { components.contains($0) }
        if has("X") || has("W") || has("w") || has("x") { throw JSONataError("D3136") }
        if has("Y"), has("D"), !has("M") { throw JSONataError("D3136") }
        let hour = has("H") || has("h")
        if (has("m") && !hour) || (has("s") && !has("m")) || (has("f") && !has("s")) { throw JSONataError("D3136") }
    }

    private static func regex(for marker: DateTimePicture.Marker) -> String {
        let presentation = marker.presentation
        switch marker.component {
        case "P": return "[ap]m"
        case "Z": return "Z|[+-]\\d{1,2}(?::?\\d{2})?"
        case "z": return "GMT[+-]\\d{1,2}(?::?\\d{2})?"
        default: break
        }
        if presentation.hasPrefix("N") || presentation.hasPrefix("n") {
            if let max = marker.maxWidth { return "[a-z]{1,\(max)}" }
            return "[a-z]+"
        }
        var core = presentation
        let ordinal = core.count > 1 && core.hasSuffix("o")
        if ordinal { core.removeLast() }
        let suffix = ordinal ? "(?:st|nd|rd|th)" : ""
        switch core.first {
        case "I", "i": return "[mdclxvi]+"
        case "A", "a": return "[a-z]+"
        case "W", "w": return "[a-z]+(?:[ ,-]+[a-z]+)*?"
        default: break
        }
        let mandatory = core.filter { $0.isNumber }.count
        if marker.component == "f" { return "\\d+" }
        if let max = marker.maxWidth { return "\\d{\(marker.minWidth ?? 1),\(max)}" + suffix }
        if mandatory > 1, !core.contains("#") { return "\\d{\(mandatory)}" + suffix }
        return "\\d+" + suffix
    }

    private static func zoneOffset(_ text: String) -> Int {
        var value = text.uppercased()
        if value == "Z" { return 0 }
        if value.hasPrefix("GMT") { value.removeFirst(3) }
        let sign = value.hasPrefix("-") ? -1 : 1
        let body = value.dropFirst()
        let pieces = body.split(separator: ":")
        var hours = 0, minutes = 0
        if pieces.count == 2 {
            hours = Int(pieces[0]) ?? 0
            minutes = Int(pieces[1]) ?? 0
        } else if body.count > 2 {
            hours = Int(body.prefix(body.count - 2)) ?? 0
            minutes = Int(body.suffix(2)) ?? 0
        } else {
            hours = Int(body) ?? 0
        }
        return sign * (hours * 60 + minutes)
    }
}
