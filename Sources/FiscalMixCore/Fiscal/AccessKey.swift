/// The 44-character access key (chave de acesso) of an NF-e, NFC-e, CT-e or MDF-e.
///
/// Layout: cUF(2) AAMM(4) CNPJ/CPF of the issuer(14) mod(2) serie(3) number(9) tpEmis(1) cNF(8) DV(1).
/// Positions 7–18 may hold letters since the alphanumeric CNPJ (NT 2025.001); every character is
/// valued ASCII − 48 and the check digit is modulo 11 with weights 2…9 from the right.
public struct AccessKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(FiscalMixError) {
        let bytes = Array(raw.utf8)
        guard bytes.count == 44 else {
            throw .init(.unprocessable, .invalidAccessKey, "An access key has 44 characters.", details: ["field": "access_key"])
        }
        for (index, byte) in bytes.enumerated() {
            let isDigit = byte >= 48 && byte <= 57
            let isLetter = byte >= 65 && byte <= 90
            guard isDigit || (isLetter && (6..<18).contains(index)) else {
                throw .init(
                    .unprocessable, .invalidAccessKey,
                    "An access key holds digits, and letters only in the issuer's CNPJ.", details: ["field": "access_key"])
            }
        }
        guard Self.checkDigit(bytes[0..<43]) == bytes[43] - 48 else {
            throw .init(.unprocessable, .invalidAccessKey, "The access key's check digit does not match.", details: ["field": "access_key"])
        }
        value = raw
    }

    public static func checkDigit(_ chars: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (offset, char) in chars.reversed().enumerated() { sum += Int(char - 48) * (offset % 8 + 2) }
        let remainder = sum % 11
        return remainder < 2 ? 0 : UInt8(11 - remainder)
    }

    /// Builds a key from its fields and computes the check digit (the SEFAZ peer mints keys this way).
    public static func make(
        uf: Int, year: Int, month: Int, issuer: String, model: Int, series: Int, number: Int,
        emissionType: Int = 1, randomCode: Int
    ) -> AccessKey {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        let issuerPadded = String(repeating: "0", count: max(0, 14 - issuer.count)) + issuer
        let body =
            pad(uf, 2) + pad(year % 100, 2) + pad(month, 2) + issuerPadded + pad(model, 2) + pad(series, 3)
            + pad(number, 9) + pad(emissionType, 1) + pad(randomCode, 8)
        let digit = checkDigit(ArraySlice(Array(body.utf8)))
        // The digit was computed here, so the key is valid by construction.
        return try! AccessKey(body + String(digit))
    }

    public var uf: Int { Int(value.prefix(2))! }
    /// The issuer's CNPJ, or `000` + CPF when the issuer is a person.
    public var issuer: String { String(value.dropFirst(6).prefix(14)) }
    public var model: Int { Int(value.dropFirst(20).prefix(2))! }
    public var series: Int { Int(value.dropFirst(22).prefix(3))! }
    public var number: Int { Int(value.dropFirst(25).prefix(9))! }

    public var description: String { value }

    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
