/// A Brazilian company registration number, stored as its 14 characters without punctuation.
///
/// Since July 2026 the first 12 positions may hold letters (IN RFB 2.229/2024); each character is
/// valued as its ASCII code minus 48, so digits keep their value and 'A' is 17. The two check
/// digits stay numeric and are computed modulo 11 with the classic weights.
public struct CNPJ: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(FiscalMixError) {
        let cleaned = raw.uppercased().filter { !".-/ ".contains($0) }
        guard cleaned.count == 14 else {
            throw .init(.unprocessable, .invalidCnpj, "CNPJ must have 14 characters.", details: ["field": "cnpj"])
        }
        let chars = Array(cleaned.utf8)
        let body = chars[0..<12]
        guard body.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }),
            chars[12...].allSatisfy({ $0 >= 48 && $0 <= 57 })
        else {
            throw .init(
                .unprocessable, .invalidCnpj, "CNPJ has characters outside 0-9 and A-Z, or letters in its check digits.",
                details: ["field": "cnpj"])
        }
        guard Set(chars).count > 1 else {
            throw .init(.unprocessable, .invalidCnpj, "CNPJ cannot repeat one character.", details: ["field": "cnpj"])
        }
        let first = Self.checkDigit(Array(body))
        let second = Self.checkDigit(Array(body) + [first + 48])
        guard chars[12] == first + 48, chars[13] == second + 48 else {
            throw .init(.unprocessable, .invalidCnpj, "CNPJ check digits do not match.", details: ["field": "cnpj"])
        }
        value = cleaned
    }

    /// The first 8 characters: the company's root, shared by all its branches.
    public var root: Substring { value.prefix(8) }

    public var description: String { value }

    static func checkDigit(_ chars: [UInt8]) -> UInt8 {
        // Weights run 2...9 from the right, repeating.
        var sum = 0
        for (offset, char) in chars.reversed().enumerated() {
            sum += Int(char - 48) * (offset % 8 + 2)
        }
        let remainder = sum % 11
        return remainder < 2 ? 0 : UInt8(11 - remainder)
    }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        try self.init(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
