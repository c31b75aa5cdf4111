import Foundation

/// `$formatNumber`: XPath 3.1 `fn:format-number` picture strings (F&O 4.7), with the decimal
/// format properties overridable per call.
enum NumberPicture {
    private struct Properties {
        var decimal = ".", grouping = ",", exponent = "e", minus = "-", percent = "%", perMille = "\u{2030}"
        var zero = "0", digit = "#", patternSeparator = ";"
    }

    private struct Parts {
        var prefix = "", suffix = "", active = "", mantissa = "", exponent: String?, integer = "", fractional = ""
        var picture = ""
    }

    private struct Analysis {
        var integerGroupingPositions: [Int] = []
        var regularGrouping = 0
        var minimumIntegerSize = 0
        var scalingFactor = 0
        var prefix = "", suffix = ""
        var fractionalGroupingPositions: [Int] = []
        var minimumFractionalSize = 0
        var maximumFractionalSize = 0
        var minimumExponentSize = 0
        var picture = ""
    }

    static func format(_ value: Double, picture: String, options: JObject?) throws -> String {
        var p = Properties()
        if let options {
            for (key, value) in options.entries {
                guard case .string(let s) = value else { continue }
                switch key {
                case "decimal-separator": p.decimal = s
                case "grouping-separator": p.grouping = s
                case "exponent-separator": p.exponent = s
                case "minus-sign": p.minus = s
                case "percent": p.percent = s
                case "per-mille": p.perMille = s
                case "zero-digit": p.zero = s
                case "digit": p.digit = s
                case "pattern-separator": p.patternSeparator = s
                default: break
                }
            }
        }
        let zeroScalar = p.zero.unicodeScalars.first!.value
        let digits: [Character] = (0..<10).map { Character(Unicode.Scalar(zeroScalar + $0)!) }
        let active: Set<Character> = Set(digits + [p.decimal, p.exponent, p.grouping, p.digit, p.patternSeparator].compactMap(\.first))
        let exponentChar = p.exponent.first!
        func isDigitFamily(_ c: Character) -> Bool { digits.contains(c) }

        let subPictures = picture.components(separatedBy: p.patternSeparator)
        if subPictures.count > 2 { throw JSONataError("D3080") }

        func split(_ sub: String) -> Parts {
            let chars = Array(sub)
            var parts = Parts()
            parts.picture = sub
            let prefixEnd = chars.firstIndex { active.contains($0) && $0 != exponentChar } ?? chars.count
            parts.prefix = String(chars[..<prefixEnd])
            let suffixStart = (chars.lastIndex { active.contains($0) && $0 != exponentChar }).map { $0 + 1 } ?? chars.count
            parts.suffix = suffixStart >= prefixEnd ? String(chars[suffixStart...]) : ""
            let activeChars = prefixEnd <= suffixStart ? Array(chars[prefixEnd..<suffixStart]) : []
            parts.active = String(activeChars)
            // the exponent separator counts only when it sits between active characters
            if let e = activeChars.firstIndex(of: exponentChar) {
                parts.mantissa = String(activeChars[..<e])
                parts.exponent = String(activeChars[(e + 1)...])
            } else {
                parts.mantissa = parts.active
            }
            if let d = parts.mantissa.range(of: p.decimal) {
                parts.integer = String(parts.mantissa[..<d.lowerBound])
                parts.fractional = String(parts.mantissa[d.upperBound...])
            } else {
                parts.integer = parts.mantissa
                parts.fractional = parts.suffix
            }
            return parts
        }

        for sub in subPictures where !sub.contains(where: { active.contains($0) && $0 != exponentChar }) {
            throw JSONataError("D3086")
        }

        func count(_ s: String, _ c: String) -> Int { s.components(separatedBy: c).count - 1 }

        func validate(_ parts: Parts) throws {
            let sub = parts.picture
            var error: String?
            if count(sub, p.decimal) > 1 { error = "D3081" }
            if count(sub, p.percent) > 1 { error = "D3082" }
            if count(sub, p.perMille) > 1 { error = "D3083" }
            if sub.contains(p.percent), sub.contains(p.perMille) { error = "D3084" }
            if !parts.mantissa.contains(where: { isDigitFamily($0) || String($0) == p.digit }) { error = "D3085" }
            if parts.active.contains(where: { !active.contains($0) }) { error = "D3086" }
            let subChars = Array(sub)
            if let d = subChars.firstIndex(of: p.decimal.first!) {
                if (d > 0 && String(subChars[d - 1]) == p.grouping) || (d + 1 < subChars.count && String(subChars[d + 1]) == p.grouping) {
                    error = "D3087"
                }
            } else if parts.integer.hasSuffix(p.grouping) {
                error = "D3088"
            }
            if sub.contains(p.grouping + p.grouping) { error = "D3089" }
            if let optional = parts.integer.firstIndex(of: p.digit.first!),
                parts.integer[..<optional].contains(where: isDigitFamily)
            {
                error = "D3090"
            }
            if let optional = parts.fractional.lastIndex(of: p.digit.first!),
                parts.fractional[optional...].contains(where: isDigitFamily)
            {
                error = "D3091"
            }
            if let exponent = parts.exponent {
                if !exponent.isEmpty, sub.contains(p.percent) || sub.contains(p.perMille) { error = "D3092" }
                if exponent.isEmpty || exponent.contains(where: { !isDigitFamily($0) }) { error = "D3093" }
            }
            if let error { throw JSONataError(error) }
        }

        func analyse(_ parts: Parts) -> Analysis {
            var a = Analysis()
            func groupingPositions(_ part: String, toLeft: Bool) -> [Int] {
                let chars = Array(part)
                var positions: [Int] = []
                for (index, c) in chars.enumerated() where String(c) == p.grouping {
                    let slice = toLeft ? chars[..<index] : chars[index...]
                    positions.append(slice.filter { isDigitFamily($0) || String($0) == p.digit }.count)
                }
                return positions
            }
            a.integerGroupingPositions = groupingPositions(parts.integer, toLeft: false)
            if !a.integerGroupingPositions.isEmpty {
                func gcd(_ x: Int, _ y: Int) -> Int { y == 0 ? x : gcd(y, x % y) }
                let factor = a.integerGroupingPositions.reduce(0, gcd)
                a.regularGrouping =
                    (1...a.integerGroupingPositions.count).allSatisfy { a.integerGroupingPositions.contains($0 * factor) }
                    ? factor : 0
            }
            a.fractionalGroupingPositions = groupingPositions(parts.fractional, toLeft: true)
            a.minimumIntegerSize = parts.integer.filter(isDigitFamily).count
            a.scalingFactor = a.minimumIntegerSize
            a.minimumFractionalSize = parts.fractional.filter(isDigitFamily).count
            a.maximumFractionalSize = parts.fractional.filter { isDigitFamily($0) || String($0) == p.digit }.count
            let exponentPresent = parts.exponent != nil
            if a.minimumIntegerSize == 0, a.maximumFractionalSize == 0 {
                if exponentPresent {
                    a.minimumFractionalSize = 1
                    a.maximumFractionalSize = 1
                } else {
                    a.minimumIntegerSize = 1
                }
            }
            if exponentPresent, a.minimumIntegerSize == 0, parts.integer.contains(p.digit) { a.minimumIntegerSize = 1 }
            if a.minimumIntegerSize == 0, a.minimumFractionalSize == 0 { a.minimumFractionalSize = 1 }
            a.minimumExponentSize = parts.exponent.map { $0.filter(isDigitFamily).count } ?? 0
            a.prefix = parts.prefix
            a.suffix = parts.suffix
            a.picture = parts.picture
            return a
        }

        let parts = subPictures.map(split)
        for part in parts { try validate(part) }
        var variables = parts.map(analyse)
        if variables.count == 1 {
            var negative = variables[0]
            negative.prefix = p.minus + negative.prefix
            variables.append(negative)
        }
        let pic = value >= 0 ? variables[0] : variables[1]
        var adjusted = value
        if pic.picture.contains(p.percent) {
            adjusted = value * 100
        } else if pic.picture.contains(p.perMille) {
            adjusted = value * 1000
        }
        var mantissa = adjusted
        var exponent: Int?
        if pic.minimumExponentSize != 0 {
            let maxMantissa = pow(10, Double(pic.scalingFactor))
            let minMantissa = pow(10, Double(pic.scalingFactor - 1))
            var e = 0
            while mantissa != 0, abs(mantissa) < minMantissa {
                mantissa *= 10
                e -= 1
            }
            while abs(mantissa) > maxMantissa {
                mantissa /= 10
                e += 1
            }
            exponent = e
        }
        let rounded = Builtins.round(mantissa, Double(pic.maximumFractionalSize))
        func makeString(_ value: Double, _ places: Int) -> String {
            var text = toFixed(abs(value), places)
            if p.zero != "0" {
                text = String(
                    text.map { c in
                        if let d = c.wholeNumberValue, c.isASCII { return digits[d] }
                        return c
                    })
            }
            return text
        }
        var text = makeString(rounded, pic.maximumFractionalSize)
        if text.contains(".") {
            text = text.replacingOccurrences(of: ".", with: p.decimal)
        } else {
            text += p.decimal
        }
        let zeroChar = p.zero.first!
        while text.first == zeroChar { text.removeFirst() }
        while text.last == zeroChar { text.removeLast() }
        var chars = Array(text)
        let decimalChar = p.decimal.first!
        var decimalPos = chars.firstIndex(of: decimalChar)!
        let padLeft = pic.minimumIntegerSize - decimalPos
        let padRight = pic.minimumFractionalSize - (chars.count - decimalPos - 1)
        if padLeft > 0 { chars.insert(contentsOf: Array(repeating: zeroChar, count: padLeft), at: 0) }
        if padRight > 0 { chars.append(contentsOf: Array(repeating: zeroChar, count: padRight)) }
        decimalPos = chars.firstIndex(of: decimalChar)!
        let groupingChars = Array(p.grouping)
        if pic.regularGrouping > 0 {
            let groups = (decimalPos - 1) / pic.regularGrouping
            if groups >= 1 {
                for group in 1...groups {
                    chars.insert(contentsOf: groupingChars, at: decimalPos - group * pic.regularGrouping)
                }
            }
        } else {
            for position in pic.integerGroupingPositions {
                chars.insert(contentsOf: groupingChars, at: decimalPos - position)
                decimalPos += 1
            }
        }
        decimalPos = chars.firstIndex(of: decimalChar)!
        for position in pic.fractionalGroupingPositions {
            chars.insert(contentsOf: groupingChars, at: position + decimalPos + 1)
        }
        decimalPos = chars.firstIndex(of: decimalChar)!
        if !pic.picture.contains(p.decimal) || decimalPos == chars.count - 1 { chars.removeLast() }
        var result = String(chars)
        if let exponent {
            var exponentText = makeString(Double(exponent), 0)
            let pad = pic.minimumExponentSize - exponentText.count
            if pad > 0 { exponentText = String(repeating: zeroChar, count: pad) + exponentText }
            result += p.exponent + (exponent < 0 ? p.minus : "") + exponentText
        }
        return pic.prefix + result + pic.suffix
    }

    /// JavaScript's `toFixed` for the magnitudes formatting deals with.
    static func toFixed(_ value: Double, _ places: Int) -> String {
        if value >= 1e21 { return Functions.jsNumber(value) }
        let decimal = Decimal(string: Functions.jsNumber(value), locale: Locale(identifier: "en_US_POSIX")) ?? Decimal(value)
        var rounded = Decimal()
        var source = decimal
        NSDecimalRound(&rounded, &source, places, .plain)
        let formatter = NumberFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.numberStyle = .decimal
        formatter.usesGroupingSeparator = false
        formatter.minimumFractionDigits = places
        formatter.maximumFractionDigits = places
        formatter.minimumIntegerDigits = 1
        return formatter.string(from: rounded as NSDecimalNumber) ?? String(format: "%.\(places)f", value)
    }
}
