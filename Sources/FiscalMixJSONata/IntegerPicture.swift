import Foundation

/// `$formatInteger` and `$parseInteger`: XPath `fn:format-integer` pictures — decimal digit
/// patterns in any Unicode digit family with grouping separators, `a`/`A` letters, `i`/`I` roman
/// numerals, `w`/`W`/`Ww` English words, and the `;o` ordinal modifier.
enum IntegerPicture {
    enum Primary {
        case decimal(zero: UInt32, mandatory: Int, groupings: [(position: Int, separator: String)], regular: Int?)
        case letters(upper: Bool)
        case roman(upper: Bool)
        case words(Case)

    }

    enum Case { case lower, upper, title }

    struct Picture {
        var primary: Primary
        var ordinal: Bool
    }

    static func analyse(_ picture: String) throws -> Picture {
        var primaryText = picture
        var ordinal = false
        if let semicolon = picture.lastIndex(of: ";") {
            primaryText = String(picture[..<semicolon])
            let modifier = picture[picture.index(after: semicolon)...]
            ordinal = modifier.hasPrefix("o")
        }
        switch primaryText {
        case "A": return Picture(primary: .letters(upper: true), ordinal: ordinal)
        case "a": return Picture(primary: .letters(upper: false), ordinal: ordinal)
        case "I": return Picture(primary: .roman(upper: true), ordinal: ordinal)
        case "i": return Picture(primary: .roman(upper: false), ordinal: ordinal)
        case "W": return Picture(primary: .words(.upper), ordinal: ordinal)
        case "w": return Picture(primary: .words(.lower), ordinal: ordinal)
        case "Ww": return Picture(primary: .words(.title), ordinal: ordinal)
        default: break
        }
        var zero: UInt32?
        var mandatory = 0
        var digitCount = 0
        var separators: [(afterDigits: Int, separator: String)] = []
        for scalar in primaryText.unicodeScalars {
            if scalar == "#" {
                digitCount += 1
            } else if let value = scalar.properties.numericType == .decimal ? scalar.properties.numericValue : nil {
                let family = scalar.value - UInt32(value)
                if let zero, zero != family { throw JSONataError("D3131") }
                zero = family
                mandatory += 1
                digitCount += 1
            } else if scalar.properties.isAlphabetic {
                throw JSONataError("D3130", value: .string(String(scalar)))
            } else {
                separators.append((digitCount, String(scalar)))
            }
        }
        guard digitCount > 0 else { throw JSONataError("D3130", value: .string(primaryText)) }
        guard let zero else { throw JSONataError("D3130", value: .string(primaryText)) }
        // positions counted from the right
        let groupings = separators.map { (position: digitCount - $0.afterDigits, separator: $0.separator) }
        var regular: Int?
        if let first = groupings.last?.position, first > 0,
            Set(groupings.map(\.separator)).count == 1,
            groupings.allSatisfy({ $0.position % first == 0 }),
            Set(groupings.map(\.position)) == Set((1...groupings.count).map { $0 * first })
        {
            regular = first
        }
        return Picture(primary: .decimal(zero: zero, mandatory: mandatory, groupings: groupings, regular: regular), ordinal: ordinal)
    }

    static func format(_ value: Double, picture: String) throws -> String {
        let analysed = try analyse(picture)
        let integer = value.rounded(.towardZero)
        switch analysed.primary {
        case .letters(let upper):
            return letters(Int(integer), upper: upper)
        case .roman(let upper):
            let text = roman(Int(integer))
            return upper ? text : text.lowercased()
        case .words(let letterCase):
            var text = words(Decimal(string: Functions.jsNumber(abs(integer))) ?? Decimal(abs(integer)))
            if analysed.ordinal { text = ordinalWords(text) }
            if integer < 0 { text = "minus " + text }
            switch letterCase {
            case .lower: return text
            case .upper: return text.uppercased()
            case .title:
                return text.split(separator: " ", omittingEmptySubsequences: false).map { word in
                    word == "and"
                        ? String(word)
                        : word.split(separator: "-", omittingEmptySubsequences: false)
                            .map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: "-")
                }.joined(separator: " ")
            }
        case .decimal(let zero, let mandatory, let groupings, let regular):
            var digits = Array(String(format: "%.0f", abs(integer)))
            if digits.count < mandatory { digits = Array(repeating: "0", count: mandatory - digits.count) + digits }
            var mapped = digits.map { c -> String in
                String(Unicode.Scalar(zero + UInt32(c.wholeNumberValue ?? 0))!)
            }
            // insert separators from the right
            var inserts: [(Int, String)] = []
            if let regular, let separator = groupings.first?.separator {
                var position = regular
                while position < mapped.count {
                    inserts.append((position, separator))
                    position += regular
                }
            } else {
                inserts = groupings.filter { $0.position > 0 && $0.position < mapped.count }.map { ($0.position, $0.separator) }
            }
            for (position, separator) in inserts.sorted(by: { $0.0 > $1.0 }) {
                mapped.insert(separator, at: mapped.count - position)
            }
            var text = mapped.joined()
            if analysed.ordinal { text += ordinalSuffix(Int(abs(integer))) }
            return (integer < 0 ? "-" : "") + text
        }
    }

    static func parse(_ text: String, picture: String) throws -> Double? {
        let analysed = try analyse(picture)
        switch analysed.primary {
        case .letters:
            var value = 0
            for scalar in text.lowercased().unicodeScalars where scalar.value >= 97 && scalar.value <= 122 {
                value = value * 26 + Int(scalar.value - 96)
            }
            return Double(value)
        case .roman:
            return Double(romanValue(text.uppercased()))
        case .words:
            return wordsValue(text.lowercased())
        case .decimal(let zero, _, _, _):
            var value = 0.0
            for scalar in text.unicodeScalars where scalar.value >= zero && scalar.value < zero + 10 {
                value = value * 10 + Double(scalar.value - zero)
            }
            return value
        }
    }

    static func ordinalSuffix(_ value: Int) -> String {
        let lastTwo = value % 100
        if (11...13).contains(lastTwo) { return "th" }
        switch value % 10 {
        case 1: return "st"
        case 2: return "nd"
        case 3: return "rd"
        default: return "th"
        }
    }

    static func letters(_ value: Int, upper: Bool) -> String {
        var n = value
        var out: [Character] = []
        let base: UInt32 = upper ? 65 : 97
        while n > 0 {
            n -= 1
            out.insert(Character(Unicode.Scalar(base + UInt32(n % 26))!), at: 0)
            n /= 26
        }
        return String(out)
    }

    private static let romanTable: [(Int, String)] = [
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"),
        (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ]

    static func roman(_ value: Int) -> String {
        var n = value
        var out = ""
        for (amount, symbol) in romanTable {
            while n >= amount {
                out += symbol
                n -= amount
            }
        }
        return out
    }

    static func romanValue(_ text: String) -> Int {
        let values: [Character: Int] = ["I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000]
        let numbers = text.compactMap { values[$0] }
        var total = 0
        for (index, number) in numbers.enumerated() {
            if index + 1 < numbers.count, numbers[index + 1] > number { total -= number } else { total += number }
        }
        return total
    }

    private static let few = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
    ]
    private static let decades = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    private static let scales: [(exponent: Int, name: String)] = [(12, "trillion"), (9, "billion"), (6, "million"), (3, "thousand")]

    private static func power(_ exponent: Int) -> Decimal {
        var result = Decimal(1)
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    private static func floorDivide(_ a: Decimal, _ b: Decimal) -> Decimal {
        var quotient = a / b
        var rounded = Decimal()
        NSDecimalRound(&rounded, &quotient, 0, .down)
        return rounded
    }

    /// English words, British style ("one hundred and one", commas between groups).
    static func words(_ number: Decimal, prev: Bool = false) -> String {
        if number < 20 {
            let n = NSDecimalNumber(decimal: number).intValue
            return (prev ? " and " : "") + few[n]
        }
        if number < 100 {
            let n = NSDecimalNumber(decimal: number).intValue
            var text = (prev ? " and " : "") + decades[n / 10 - 2]
            if n % 10 > 0 { text += "-" + few[n % 10] }
            return text
        }
        if number < 1000 {
            let n = NSDecimalNumber(decimal: number).intValue
            var text = (prev ? ", " : "") + few[n / 100] + " hundred"
            if n % 100 > 0 { text += words(Decimal(n % 100), prev: true) }
            return text
        }
        let scale = scales.first { number >= power($0.exponent) }!
        let factor = power(scale.exponent)
        let head = floorDivide(number, factor)
        let remainder = number - head * factor
        var text = (prev ? ", " : "") + words(head) + " " + scale.name
        if remainder > 0 { text += words(remainder, prev: true) }
        return text
    }

    static func ordinalWords(_ text: String) -> String {
        let irregular = ["one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth", "nine": "ninth", "twelve": "twelfth"]
        guard let cut = text.lastIndex(where: { $0 == " " || $0 == "-" }).map({ text.index(after: $0) }) ?? Optional(text.startIndex) else {
            return text
        }
        let head = text[..<cut]
        let last = String(text[cut...])
        if let word = irregular[last] { return head + word }
        if last.hasSuffix("y") { return head + last.dropLast() + "ieth" }
        return head + last + "th"
    }

    static func wordsValue(_ text: String) -> Double {
        var cardinals: [String: Double] = [:]
        for (index, word) in few.enumerated() { cardinals[word] = Double(index) }
        for (index, word) in decades.enumerated() { cardinals[word] = Double((index + 2) * 10) }
        cardinals["hundred"] = 100
        for scale in scales { cardinals[scale.name] = pow(10, Double(scale.exponent)) }
        let ordinals = ["first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight", "ninth": "nine", "twelfth": "twelve"]
        let tokens = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init).filter { $0 != "and" }
        var values: [Double] = []
        for token in tokens {
            var word = token
            if let cardinal = ordinals[word] {
                word = cardinal
            } else if word.hasSuffix("ieth") {
                word = word.dropLast(4) + "y"
            } else if cardinals[word] == nil, word.hasSuffix("th") {
                word = String(word.dropLast(2))
            }
            if let value = cardinals[word] { values.append(value) }
        }
        guard let first = values.first else { return 0 }
        var segments = [first]
        for value in values.dropFirst() {
            if value < 100 {
                var top = segments.removeLast()
                if top >= 1000 {
                    segments.append(top)
                    top = 0
                }
                segments.append(top + value)
            } else {
                segments.append(segments.removeLast() * value)
            }
        }
        return segments.reduce(0, +)
    }
}
