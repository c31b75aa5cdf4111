import SwiftASN1
public import X509

/// Reading ICP-Brasil e-CNPJ fields (DOC-ICP-04).
public enum ICPBrasil {
    static let cnpjOID: ASN1ObjectIdentifier = [2, 16, 76, 1, 3, 3]

    /// The CNPJ from subjectAltName otherName 2.16.76.1.3.3 — encoded as OCTET STRING,
    /// PrintableString or UTF8String depending on the CA — or, failing that, the `:CNPJ` suffix of
    /// the CN that RFB-profile certificates carry.
    public static func cnpj(of certificate: Certificate) -> String? {
        if let names = try? certificate.extensions.subjectAlternativeNames {
            for name in names {
                guard case .otherName(let other) = name, other.typeID == cnpjOID, let value = other.value,
                    let text = stringValue(value)
                else { continue }
                let digits = text.filter { $0.isLetter || $0.isNumber }.uppercased()
                if digits.count == 14 { return digits }
            }
        }
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                let cn = attribute.value.description
                if let suffix = cn.split(separator: ":").last, suffix.count == 14, suffix.allSatisfy({ $0.isNumber || $0.isUppercase }) {
                    return String(suffix)
                }
            }
        }
        return nil
    }

    /// The text of a string-like ASN.1 value, unwrapping an explicit `[0]` if the encoder left one.
    static func stringValue(_ value: ASN1Any) -> String? {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(value)) != nil else { return nil }
        var bytes = ArraySlice(serializer.serializedBytes)
        for _ in 0..<2 {
            guard let (tag, content) = readTLV(bytes) else { return nil }
            switch tag {
            case 0xA0: bytes = content
            case 0x04, 0x13, 0x0C, 0x16: return String(decoding: content, as: UTF8.self)
            default: return nil
            }
        }
        return nil
    }

    private static func readTLV(_ bytes: ArraySlice<UInt8>) -> (UInt8, ArraySlice<UInt8>)? {
        guard bytes.count >= 2 else { return nil }
        var index = bytes.startIndex
        let tag = bytes[index]
        index += 1
        var length = Int(bytes[index])
        index += 1
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count <= 3, bytes.endIndex - index >= count else { return nil }
            length = 0
            for _ in 0..<count {
                length = length << 8 | Int(bytes[index])
                index += 1
            }
        }
        guard bytes.endIndex - index >= length else { return nil }
        return (tag, bytes[index..<(index + length)])
    }
}
