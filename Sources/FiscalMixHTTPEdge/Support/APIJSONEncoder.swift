import FiscalMixCore
import FiscalMixJSON
public import Foundation
public import Hummingbird
import NIOCore
import NIOFoundationCompat

/// Encodes every API answer: keys sorted, dates in RFC 3339, and UUIDs in their canonical lower
/// case (RFC 9562), which Foundation's `JSONEncoder` cannot do — `UUID` encodes its upper-case
/// `uuidString` whatever the strategy. Data is base64, URLs their absolute string, as there.
public struct APIJSONEncoder: ResponseEncoder, Sendable {
    public init() {}

    public func encode(_ value: some Encodable) throws -> Data {
        let root = TreeEncoder(path: [])
        try Self.encodeValue(value, into: root)
        var output = ""
        output.reserveCapacity(256)
        try root.node.write(to: &output, path: [])
        return Data(output.utf8)
    }

    public func encode(_ value: some Encodable, from request: Request, context: some RequestContext) throws -> Response {
        let data = try encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// Values the encoder writes itself rather than asking them to encode.
    static func encodeValue(_ value: some Encodable, into encoder: TreeEncoder) throws {
        switch value {
        case let uuid as UUID: encoder.node.value = .string(uuid.uuidString.lowercased())
        case let date as Date: encoder.node.value = .string(RFC3339.string(from: date))
        case let data as Data: encoder.node.value = .string(data.base64EncodedString())
        case let url as URL: encoder.node.value = .string(url.absoluteString)
        case let decimal as Decimal: encoder.node.value = .number(decimal.description)
        default: try value.encode(to: encoder)
        }
    }
}

/// The value tree one encoding builds; containers hold references so nested containers can
/// keep writing after they are handed out.
final class EncodedNode {
    enum Value {
        case null, bool(Bool), string(String), number(String)
        case array([EncodedNode]), object([String: EncodedNode])
    }

    var value: Value
    init(_ value: Value) { self.value = value }

    func write(to output: inout String, path: [any CodingKey]) throws {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .number(let text): output += text
        case .string(let text): JSON.writeString(text, to: &output)
        case .array(let items):
            output += "["
            for (index, item) in items.enumerated() {
                if index > 0 { output += "," }
                try item.write(to: &output, path: path)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { output += "," }
                JSON.writeString(key, to: &output)
                output += ":"
                try members[key]!.write(to: &output, path: path)
            }
            output += "}"
        }
    }
}

extension EncodedNode.Value {
    static func number(_ double: Double, at path: [any CodingKey]) throws -> Self {
        guard double.isFinite else {
            throw EncodingError.invalidValue(double, .init(codingPath: path, debugDescription: "JSON has no \(double)."))
        }
        if double == double.rounded(.towardZero), abs(double) < 1e15 { return .number(String(Int64(double))) }
        return .number("\(double)")
    }
}

/// One position in the tree: the `Encoder` a value encodes itself into.
final class TreeEncoder: Encoder {
    let node: EncodedNode
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(path: [any CodingKey], node: EncodedNode = EncodedNode(.null)) {
        codingPath = path
        self.node = node
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.value {} else { node.value = .object([:]) }
        return KeyedEncodingContainer(KeyedTreeContainer<Key>(node: node, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.value {} else { node.value = .array([]) }
        return UnkeyedTreeContainer(node: node, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleTreeContainer(encoder: self) }

    /// The node a nested value encodes into, at `key` of an object or appended to an array.
    static func encode(_ value: some Encodable, at path: [any CodingKey]) throws -> EncodedNode {
        let nested = TreeEncoder(path: path)
        try APIJSONEncoder.encodeValue(value, into: nested)
        return nested.node
    }
}
