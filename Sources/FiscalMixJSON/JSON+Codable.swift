import Foundation

/// Lets a `JSON` value travel inside Codable types (API responses embed stored JSON as JSON,
/// not as a string). Exact decimals are encoded through `Decimal`.
extension JSON: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null; return }
        if let b = try? container.decode(Bool.self) { self = .bool(b); return }
        if let i = try? container.decode(Int64.self) { self = .number(JSONNumber(i)); return }
        if let d = try? container.decode(Decimal.self) { self = .number(JSONNumber(decimal: d)); return }
        if let s = try? container.decode(String.self) { self = .string(s); return }
        if let a = try? container.decode([JSON].self) { self = .array(a); return }
        if let o = try? container.decode([String: JSON].self) { self = .object(JSONObject(o.sorted { $0.key < $1.key })); return }
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let b): try container.encode(b)
        case .number(let n):
            switch n.storage {
            case .integer(let i): try container.encode(i)
            case .decimal: if let d = n.decimalValue { try container.encode(d) } else { try container.encode(n.doubleValue) }
            case .double(let d): try container.encode(d.isFinite ? d : 0)
            }
        case .string(let s): try container.encode(s)
        case .array(let a): try container.encode(a)
        case .object(let o): try container.encode(Dictionary(uniqueKeysWithValues: o.map { ($0.key, $0.value) }))
        }
    }
}
