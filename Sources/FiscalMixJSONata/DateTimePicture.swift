import Foundation

/// `$fromMillis`/`$now` and `$toMillis` with XPath `fn:format-dateTime` picture strings
/// (`[Y0001]-[M01]-[D01]`, `[FNn], [D1o] [MNn]`, `[h]:[m01] [P]`, `[Z01:01t]` …).
enum DateTimePicture {
    static let isoPicture = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]"

    enum Part {
        case literal(String)
        case marker(Marker)
    }

    struct Marker {
        var component: Character
        var presentation: String
        var defaulted: Bool
        var minWidth: Int?
        var maxWidth: Int?
    }

    static func parsePicture(_ picture: String) throws -> [Part] {
        var parts: [Part] = []
        let chars = Array(picture)
        var literal = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "[", i + 1 < chars.count, chars[i + 1] == "[" {
                literal.append("[")
                i += 2
                continue
            }
            if c == "]", i + 1 < chars.count, chars[i + 1] == "]" {
                literal.append("]")
                i += 2
                continue
            }
            if c == "[" {
                guard let close = chars[i...].firstIndex(of: "]") else { throw JSONataError("D3135") }
                if !literal.isEmpty {
                    parts.append(.literal(literal))
                    literal = ""
                }
                let body = String(chars[(i + 1)..<close]).filter { !$0.isWhitespace }
                parts.append(.literal("\u{0}" + body))  // a marker, analysed once every bracket is known to close
                i = close + 1
                continue
            }
            literal.append(c)
            i += 1
        }
        if !literal.isEmpty { parts.append(.literal(literal)) }
        return try parts.map { part in
            if case .literal(let text) = part, text.hasPrefix("\u{0}") { return .marker(try marker(String(text.dropFirst()))) }
            return part
        }
    }

    private static func marker(_ body: String) throws -> Marker {
        guard let component = body.first else { throw JSONataError("D3132", value: .string(body)) }
        guard "YMDdFWwXxHhPmsfZzCE".contains(component) else { throw JSONataError("D3132", value: .string(String(component))) }
        var rest = String(body.dropFirst())
        var minWidth: Int?
        var maxWidth: Int?
        if let comma = rest.lastIndex(of: ","), isWidth(String(rest[rest.index(after: comma)...])) {
            let width = String(rest[rest.index(after: comma)...])
            rest = String(rest[..<comma])
            let bounds = width.split(separator: "-", omittingEmptySubsequences: false)
            minWidth = Int(bounds[0])
            if bounds.count > 1 { maxWidth = Int(bounds[1]) }
        }
        var defaulted = false
        if rest.isEmpty {
            defaulted = true
            switch component {
            case "F", "P", "C", "E", "x": rest = "n"
            case "m", "s": rest = "01"
            case "Z", "z": rest = "01:01"
            default: rest = "1"
            }
        }
        if rest.first == "N" || rest.first == "n", !"MFPCEx".contains(component) {
            throw JSONataError("D3133", value: .string(String(component)))
        }
        return Marker(component: component, presentation: rest, defaulted: defaulted, minWidth: minWidth, maxWidth: maxWidth)
    }

    private static func isWidth(_ text: String) -> Bool {
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...2).contains(bounds.count) else { return false }
        return bounds.allSatisfy { $0 == "*" || (!$0.isEmpty && $0.allSatisfy(\.isNumber)) }
    }

    /// Offset in minutes from a `±HHMM` timezone argument.
    static func offsetMinutes(_ timezone: String?) -> Int {
        guard let timezone, timezone.count >= 4 else { return 0 }
        let sign = timezone.hasPrefix("-") ? -1 : 1
        let digits = timezone.filter(\.isNumber)
        let hours = Int(digits.prefix(2)) ?? 0
        let minutes = Int(digits.dropFirst(2).prefix(2)) ?? 0
        return sign * (hours * 60 + minutes)
    }

    static func format(millis: Double, picture: String?, timezone: String?) throws -> String {
        if picture == nil, timezone == nil { return ISODate.format(millis) }
        let offset = offsetMinutes(timezone)
        let parts = try parsePicture(picture ?? isoPicture)
        let local = millis + Double(offset) * 60_000
        let fields = CivilTime(millis: local)
        var out = ""
        for part in parts {
            switch part {
            case .literal(let text): out += text
            case .marker(let marker): out += try render(marker, fields, offset: offset)
            }
        }
        return out
    }

    private static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]
    private static let days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    private static func render(_ marker: Marker, _ t: CivilTime, offset: Int) throws -> String {
        let value: Int
        switch marker.component {
        case "Y": value = t.year
        case "M": value = t.month
        case "D": value = t.day
        case "d": value = t.dayOfYear
        case "F": value = t.weekday
        case "W": value = t.isoWeek.week
        case "X": value = t.isoWeek.year
        case "w": value = t.weekOfMonth.week
        case "x": value = t.weekOfMonth.month
        case "H": value = t.hour
        case "h": value = t.hour % 12 == 0 ? 12 : t.hour % 12
        case "m": value = t.minute
        case "s": value = t.second
        case "f": value = t.millisecond
        case "P": return name(t.hour < 12 ? "am" : "pm", marker)
        case "C", "E": return "ISO"
        case "Z", "z": return try zone(offset, marker)
        default: throw JSONataError("D3132", value: .string(String(marker.component)))
        }
        let presentation = marker.presentation
        if presentation.hasPrefix("N") || presentation.hasPrefix("n") {
            switch marker.component {
            case "M", "x": return name(months[value - 1], marker)
            case "F": return name(days[value - 1], marker)
            default: throw JSONataError("D3133", value: .string(String(marker.component)))
            }
        }
        if marker.component == "f" {
            // fractional seconds: as many digits as the picture has
            let width = max(presentation.filter { $0.isNumber || $0 == "#" }.count, marker.minWidth ?? 1)
            let digits = String(format: "%03d", value)
            return width <= 3 ? String(digits.prefix(width)) : digits + String(repeating: "0", count: width - 3)
        }
        var number = value
        var integerPicture = presentation
        var ordinal = false
        if integerPicture.count > 1, integerPicture.hasSuffix("o"), integerPicture != "o" {
            integerPicture.removeLast()
            ordinal = true
        }
        if marker.component == "Y" {
            let truncateTo = marker.maxWidth ?? (marker.defaulted || integerPicture == "1" ? marker.minWidth : nil)
            if let truncateTo, truncateTo > 0 {
                var modulus = 1
                for _ in 0..<truncateTo { modulus *= 10 }
                number = number % modulus
            }
        }
        var text = try IntegerPicture.format(Double(number), picture: integerPicture + (ordinal ? ";o" : ""))
        let isNumeric = !"wWaAiI".contains(integerPicture.first ?? " ")
        if let minWidth = marker.minWidth, text.count < minWidth, isNumeric {
            text = String(repeating: "0", count: minWidth - text.count) + text
        }
        if let maxWidth = marker.maxWidth, text.count > maxWidth, isNumeric { text = String(text.suffix(maxWidth)) }
        return text
    }

    private static func name(_ full: String, _ marker: Marker) -> String {
        var text = full
        if let maxWidth = marker.maxWidth, text.count > maxWidth { text = String(text.prefix(maxWidth)) }
        switch marker.presentation {
        case "N": return text.uppercased()
        case "Nn": return text
        default: return text.lowercased()
        }
    }

    private static func zone(_ offset: Int, _ marker: Marker) throws -> String {
        var presentation = marker.presentation
        var useZ = false
        if presentation.hasSuffix("t") {
            useZ = true
            presentation.removeLast()
        }
        if offset == 0, useZ { return "Z" }
        let digits = presentation.filter(\.isNumber)
        if digits.count > 4 { throw JSONataError("D3134") }
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 60
        let minutes = abs(offset) % 60
        var text: String
        if presentation.contains(":") || presentation == "01:01" {
            text = String(format: "%02d:%02d", hours, minutes)
        } else if digits.count <= 2 {
            let hourText = digits.count == 2 ? String(format: "%02d", hours) : String(hours)
            text = minutes == 0 ? hourText : hourText + String(format: ":%02d", minutes)
        } else {
            text = String(format: "%02d%02d", hours, minutes)
        }
        text = sign + text
        return marker.component == "z" ? "GMT" + text : text
    }

    static func parse(_ text: String, picture: String) throws -> Double? {
        try DateTimeParser.parse(text, picture: picture)
    }
}
