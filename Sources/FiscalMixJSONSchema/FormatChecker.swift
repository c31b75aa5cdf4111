import Foundation

/// The `format` assertions FiscalMix supports (opt-in; by default `format` is an annotation).
/// Returns nil for a format it does not know, which then never fails.
enum FormatChecker {
    static func check(_ format: String, _ s: String) -> Bool? {
        switch format {
        case "date-time": return isDateTime(s)
        case "date": return isDate(s)
        case "time": return isTime(s)
        case "duration": return isDuration(s)
        case "email", "idn-email": return isEmail(s)
        case "uuid": return isUUID(s)
        case "ipv4": return isIPv4(s)
        case "ipv6": return isIPv6(s)
        case "hostname": return isHostname(s, allowNonASCII: false)
        case "idn-hostname": return isHostname(s, allowNonASCII: true)
        case "uri": return URIFormat.isValid(s, requireScheme: true, allowNonASCII: false)
        case "uri-reference": return URIFormat.isValid(s, requireScheme: false, allowNonASCII: false)
        case "iri": return URIFormat.isValid(s, requireScheme: true, allowNonASCII: true)
        case "iri-reference": return URIFormat.isValid(s, requireScheme: false, allowNonASCII: true)
        case "regex": return SchemaRegex(s) != nil
        case "json-pointer": return JSONPointer.tokens(s) != nil && isPointerText(s)
        case "relative-json-pointer": return isRelativePointer(s)
        case "uri-template": return isURITemplate(s)
        default: return nil
        }
    }

    static func digits(_ s: Substring, _ n: Int) -> Int? {
        guard s.count == n, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(s)
    }

    /// RFC 3339 full-date, with the real number of days in the month (leap years included).
    static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = digits(parts[0], 4), let m = digits(parts[1], 2), let d = digits(parts[2], 2),
            (1...12).contains(m), d >= 1
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
        return d <= days
    }

    /// RFC 3339 full-time: hh:mm:ss[.frac](Z|±hh:mm); a leap second only at 23:59:60 UTC.
    static func isTime(_ s: String) -> Bool {
        let text = Substring(s)
        guard text.count >= 9 else { return false }
        let hms = text.prefix(8)
        let p = hms.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 3, let h = digits(p[0], 2), let m = digits(p[1], 2), let sec = digits(p[2], 2),
            h <= 23, m <= 59, sec <= 60
        else { return false }
        var rest = text.dropFirst(8)
        if rest.first == "." {
            rest = rest.dropFirst()
            let frac = rest.prefix { $0.isASCII && $0.isNumber }
            guard !frac.isEmpty else { return false }
            rest = rest.dropFirst(frac.count)
        }
        var offsetMinutes = 0
        if rest == "Z" || rest == "z" {
            offsetMinutes = 0
        } else {
            guard let sign = rest.first, sign == "+" || sign == "-" else { return false }
            let o = rest.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard o.count == 2, let oh = digits(o[0], 2), let om = digits(o[1], 2), oh <= 23, om <= 59 else { return false }
            offsetMinutes = (oh * 60 + om) * (sign == "+" ? 1 : -1)
        }
        if sec == 60 {
            // The leap second happens at 23:59:60 UTC, whatever the local offset.
            let utc = ((h * 60 + m - offsetMinutes) % 1440 + 1440) % 1440
            return utc == 23 * 60 + 59
        }
        return true
    }

    static func isDateTime(_ s: String) -> Bool {
        guard let t = s.firstIndex(where: { $0 == "T" || $0 == "t" }) else { return false }
        return isDate(String(s[..<t])) && isTime(String(s[s.index(after: t)...]))
    }

    /// ISO 8601 duration as RFC 3339 Appendix A restricts it.
    static func isDuration(_ s: String) -> Bool {
        var rest = Substring(s)
        guard rest.first == "P" else { return false }
        rest = rest.dropFirst()
        guard !rest.isEmpty else { return false }
        /// Units in order and contiguous: Y[M[D]], M[D] or D (likewise H[M[S]]), per RFC 3339 Appendix A.
        func units(_ text: Substring, _ allowed: String) -> Bool {
            var seen = ""
            var t = text
            while !t.isEmpty {
                let number = t.prefix { $0.isASCII && $0.isNumber }
                guard !number.isEmpty else { return false }
                t = t.dropFirst(number.count)
                guard let unit = t.first else { return false }
                seen.append(unit)
                t = t.dropFirst()
            }
            return !seen.isEmpty && allowed.contains(seen)
        }
        if rest.hasSuffix("W") || rest.contains("W") {
            return units(rest, "W")
        }
        let pieces = rest.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let datePart = pieces[0]
        if !datePart.isEmpty, !units(datePart, "YMD") { return false }
        if pieces.count == 2 { return units(pieces[1], "HMS") }
        return !datePart.isEmpty
    }

    static func isEmail(_ s: String) -> Bool {
        guard let at = s.lastIndex(of: "@") else { return false }
        let local = s[..<at], domain = s[s.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { return false }
        if local.hasPrefix("\"") && local.hasSuffix("\"") && local.count >= 2 {
            // quoted local part
        } else {
            guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains(".."),
                local.allSatisfy({
                    !$0.isWhitespace && $0 != "@" && $0 != "\"" && $0 != "(" && $0 != ")" && $0 != "," && $0 != ":" && $0 != ";" && $0 != "<"
                        && $0 != ">" && $0 != "[" && $0 != "]" && $0 != "\\"
                })
            else { return false }
        }
        if domain.hasPrefix("[") && domain.hasSuffix("]") {
            let literal = domain.dropFirst().dropLast()
            if literal.hasPrefix("IPv6:") { return isIPv6(String(literal.dropFirst(5))) }
            return isIPv4(String(literal))
        }
        return isHostname(String(domain), allowNonASCII: true)
    }

    static func isUUID(_ s: String) -> Bool {
        let groups = s.split(separator: "-", omittingEmptySubsequences: false)
        guard groups.map(\.count) == [8, 4, 4, 4, 12] else { return false }
        return groups.allSatisfy { $0.allSatisfy(\.isHexDigit) }
    }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { p in
            guard (1...3).contains(p.count), p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int(p), v <= 255 else { return false }
            return p.count == 1 || p.first != "0"
        }
    }

    static func isIPv6(_ s: String) -> Bool {
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII }) else { return false }
        var text = Substring(s)
        var groupsNeeded = 8
        // An embedded IPv4 address takes the last two groups.
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard isIPv4(String(text[text.index(after: lastColon)...])) else { return false }
            text = text[...lastColon]
            if !text.hasSuffix("::") { text = text.dropLast() }
            groupsNeeded = 6
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return false }
        func groups(_ part: String) -> [Substring]? {
            if part.isEmpty { return [] }
            let g = part.split(separator: ":", omittingEmptySubsequences: false)
            guard g.allSatisfy({ (1...4).contains($0.count) && $0.allSatisfy(\.isHexDigit) }) else { return nil }
            return g
        }
        if halves.count == 2 {
            guard let a = groups(halves[0]), let b = groups(halves[1]) else { return false }
            return a.count + b.count < groupsNeeded
        }
        guard let g = groups(halves[0]) else { return false }
        return g.count == groupsNeeded
    }

    static func isHostname(_ s: String, allowNonASCII: Bool = false) -> Bool {
        let name = s
        guard !name.isEmpty, name.utf8.count <= 253, allowNonASCII || name.allSatisfy(\.isASCII) else { return false }
        return name.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard (1...63).contains(label.utf8.count), !label.hasPrefix("-"), !label.hasSuffix("-") else { return false }
            if label.count >= 4, label.dropFirst(2).hasPrefix("--"), !label.lowercased().hasPrefix("xn--") { return false }
            return label.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
        }
    }

    static func isPointerText(_ s: String) -> Bool {
        var chars = Substring(s)
        while let i = chars.firstIndex(of: "~") {
            let next = chars.index(after: i)
            guard next < chars.endIndex, chars[next] == "0" || chars[next] == "1" else { return false }
            chars = chars[chars.index(after: next)...]
        }
        return true
    }

    static func isRelativePointer(_ s: String) -> Bool {
        let number = s.prefix { $0.isASCII && $0.isNumber }
        guard !number.isEmpty, number == "0" || number.first != "0" else { return false }
        let rest = String(s.dropFirst(number.count))
        if rest == "#" { return true }
        return rest.isEmpty || (rest.hasPrefix("/") && isPointerText(rest))
    }

    /// RFC 6570 level-4 syntax: literals, and expressions of an optional operator and
    /// comma-separated varspecs (name with dots between parts, then `:length` or `*`).
    static func isURITemplate(_ s: String) -> Bool {
        var chars = Substring(s)
        while let c = chars.first {
            if c == "{" {
                guard let close = chars.firstIndex(of: "}") else { return false }
                guard isTemplateExpression(chars[chars.index(after: chars.startIndex)..<close]) else { return false }
                chars = chars[chars.index(after: close)...]
            } else {
                if c == "}" || c == " " || c.unicodeScalars.first!.value < 0x20 || c.unicodeScalars.first!.value == 0x7F || "\"<>\\^`|".contains(c) {
                    return false
                }
                if c == "%" {
                    guard URIFormat.dropPercentEncoding(&chars) else { return false }
                    continue
                }
                chars = chars.dropFirst()
            }
        }
        return true
    }

    static func isTemplateExpression(_ expression: Substring) -> Bool {
        var body = expression
        if let first = body.first, "+#./;?&".contains(first) { body = body.dropFirst() }
        guard !body.isEmpty else { return false }
        for varspec in body.split(separator: ",", omittingEmptySubsequences: false) {
            var name = varspec
            if name.hasSuffix("*") {
                name = name.dropLast()
            } else if let colon = name.firstIndex(of: ":") {
                let length = name[name.index(after: colon)...]
                guard (1...4).contains(length.count), length.allSatisfy({ $0.isASCII && $0.isNumber }), length.first != "0" else { return false }
                name = name[..<colon]
            }
            guard !name.isEmpty, !name.hasPrefix("."), !name.hasSuffix("."), !name.contains("..") else { return false }
            var rest = name
            while let c = rest.first {
                if c == "%" {
                    guard URIFormat.dropPercentEncoding(&rest) else { return false }
                    continue
                }
                guard c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == ".") else { return false }
                rest = rest.dropFirst()
            }
        }
        return true
    }
}
