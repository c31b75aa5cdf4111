/// RFC 3986 (and, with non-ASCII allowed, RFC 3987) syntax checks for the `uri`,
/// `uri-reference`, `iri` and `iri-reference` formats.
enum URIFormat {
    static func isValid(_ s: String, requireScheme: Bool, allowNonASCII: Bool) -> Bool {
        for scalar in s.unicodeScalars {
            if scalar.value <= 0x20 || scalar.value == 0x7F { return false }
            if scalar.value >= 0x80 && (!allowNonASCII || scalar.value < 0xA0) { return false }
            if "\"<>\\^`{|}".unicodeScalars.contains(scalar) { return false }
        }
        var rest = Substring(s)
        if let hash = rest.firstIndex(of: "#") {
            guard isComponent(rest[rest.index(after: hash)...], extra: "/?") else { return false }
            rest = rest[..<hash]
        }
        if let mark = rest.firstIndex(of: "?") {
            guard isComponent(rest[rest.index(after: mark)...], extra: "/?") else { return false }
            rest = rest[..<mark]
        }
        let firstSegmentEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var hasScheme = false
        if let colon = rest[..<firstSegmentEnd].firstIndex(of: ":") {
            // A colon in the first segment is a scheme delimiter, or the reference is invalid.
            guard isScheme(rest[..<colon]) else { return false }
            hasScheme = true
            rest = rest[rest.index(after: colon)...]
        }
        if requireScheme && !hasScheme { return false }
        if rest.hasPrefix("//") {
            rest = rest.dropFirst(2)
            let end = rest.firstIndex(of: "/") ?? rest.endIndex
            guard isAuthority(rest[..<end]) else { return false }
            rest = rest[end...]
        }
        return isComponent(rest, extra: "/")
    }

    /// Consumes `%XX` at the start of `chars`; false when the two hex digits are missing.
    static func dropPercentEncoding(_ chars: inout Substring) -> Bool {
        let hex = chars.dropFirst().prefix(2)
        guard hex.count == 2, hex.allSatisfy(\.isHexDigit) else { return false }
        chars = chars.dropFirst(3)
        return true
    }

    static func isScheme(_ s: Substring) -> Bool {
        guard let first = s.first, first.isASCII, first.isLetter else { return false }
        return s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "-" || $0 == ".") }
    }

    static let unreservedPunctuation: Set<Character> = ["-", ".", "_", "~"]
    static let subDelims: Set<Character> = ["!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "="]

    /// pchar* plus `extra` characters, with well-formed percent-encodings.
    static func isComponent(_ s: Substring, extra: String, allowColonAndAt: Bool = true) -> Bool {
        var chars = s[...]
        while let c = chars.first {
            if c == "%" {
                guard URIFormat.dropPercentEncoding(&chars) else { return false }
                continue
            }
            let ok =
                (c.isASCII && (c.isLetter || c.isNumber)) || !c.isASCII || unreservedPunctuation.contains(c) || subDelims.contains(c)
                || (allowColonAndAt && (c == ":" || c == "@")) || extra.contains(c)
            guard ok else { return false }
            chars = chars.dropFirst()
        }
        return true
    }

    static func isAuthority(_ s: Substring) -> Bool {
        var hostPort = s
        if let at = s.firstIndex(of: "@") {
            guard isComponent(s[..<at], extra: ":", allowColonAndAt: false) else { return false }
            hostPort = s[s.index(after: at)...]
        }
        var host = hostPort
        if hostPort.hasPrefix("[") {
            guard let close = hostPort.firstIndex(of: "]") else { return false }
            let literal = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
            if literal.first == "v" || literal.first == "V" {
                let parts = literal.dropFirst().split(separator: ".", maxSplits: 1)
                guard parts.count == 2, parts[0].allSatisfy(\.isHexDigit), isComponent(parts[1], extra: ":", allowColonAndAt: false) else {
                    return false
                }
            } else if !FormatChecker.isIPv6(String(literal)) {
                return false
            }
            let after = hostPort[hostPort.index(after: close)...]
            guard after.isEmpty || (after.first == ":" && after.dropFirst().allSatisfy { $0.isASCII && $0.isNumber }) else { return false }
            return true
        }
        if let colon = hostPort.lastIndex(of: ":") {
            guard hostPort[hostPort.index(after: colon)...].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
            host = hostPort[..<colon]
        }
        return isComponent(host, extra: "", allowColonAndAt: false)
    }
}
