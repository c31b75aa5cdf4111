import Foundation

struct KeyedTreeContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    private func set(_ key: Key, _ value: EncodedNode.Value) { set(key, EncodedNode(value)) }

    private func set(_ key: Key, _ child: EncodedNode) {
        guard case .object(var members) = node.value else { return }
        node.value = .null  // drop the reference so the dictionary is not copied on write
        members[key.stringValue] = child
        node.value = .object(members)
    }

    func encodeNil(forKey key: Key) throws { set(key, .null) }
    func encode(_ value: Bool, forKey key: Key) throws { set(key, .bool(value)) }
    func encode(_ value: String, forKey key: Key) throws { set(key, .string(value)) }
    func encode(_ value: Double, forKey key: Key) throws { set(key, try .number(value, at: codingPath + [key])) }
    func encode(_ value: Float, forKey key: Key) throws { set(key, try .number(Double(value), at: codingPath + [key])) }
    func encode(_ value: Int, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: Int8, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: Int16, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: Int32, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: Int64, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: UInt, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: UInt8, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: UInt16, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: UInt32, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: UInt64, forKey key: Key) throws { set(key, .number(String(value))) }
    func encode(_ value: some Encodable, forKey key: Key) throws { set(key, try TreeEncoder.encode(value, at: codingPath + [key])) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodedNode(.object([:]))
        set(key, child)
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(node: child, codingPath: codingPath + [key]))
    }

    func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = EncodedNode(.array([]))
        set(key, child)
        return UnkeyedTreeContainer(node: child, codingPath: codingPath + [key])
    }

    func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    func superEncoder(forKey key: Key) -> any Encoder {
        let child = EncodedNode(.null)
        set(key, child)
        return TreeEncoder(path: codingPath + [key], node: child)
    }
}

struct UnkeyedTreeContainer: UnkeyedEncodingContainer {
    let node: EncodedNode
    let codingPath: [any CodingKey]

    var count: Int {
        guard case .array(let items) = node.value else { return 0 }
        return items.count
    }

    private var nextPath: [any CodingKey] { codingPath + [IndexKey(intValue: count)] }

    private func append(_ value: EncodedNode.Value) { append(EncodedNode(value)) }

    private func append(_ child: EncodedNode) {
        guard case .array(var items) = node.value else { return }
        node.value = .null  // drop the reference so the array is not copied on write
        items.append(child)
        node.value = .array(items)
    }

    func encodeNil() throws { append(.null) }
    func encode(_ value: Bool) throws { append(.bool(value)) }
    func encode(_ value: String) throws { append(.string(value)) }
    func encode(_ value: Double) throws { append(try .number(value, at: nextPath)) }
    func encode(_ value: Float) throws { append(try .number(Double(value), at: nextPath)) }
    func encode(_ value: Int) throws { append(.number(String(value))) }
    func encode(_ value: Int8) throws { append(.number(String(value))) }
    func encode(_ value: Int16) throws { append(.number(String(value))) }
    func encode(_ value: Int32) throws { append(.number(String(value))) }
    func encode(_ value: Int64) throws { append(.number(String(value))) }
    func encode(_ value: UInt) throws { append(.number(String(value))) }
    func encode(_ value: UInt8) throws { append(.number(String(value))) }
    func encode(_ value: UInt16) throws { append(.number(String(value))) }
    func encode(_ value: UInt32) throws { append(.number(String(value))) }
    func encode(_ value: UInt64) throws { append(.number(String(value))) }
    func encode(_ value: some Encodable) throws { append(try TreeEncoder.encode(value, at: nextPath)) }

    func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = EncodedNode(.object([:]))
        let path = nextPath
        append(child)
        return KeyedEncodingContainer(KeyedTreeContainer<NestedKey>(node: child, codingPath: path))
    }

    func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = EncodedNode(.array([]))
        let path = nextPath
        append(child)
        return UnkeyedTreeContainer(node: child, codingPath: path)
    }

    func superEncoder() -> any Encoder {
        let child = EncodedNode(.null)
        let path = nextPath
        append(child)
        return TreeEncoder(path: path, node: child)
    }
}

struct SingleTreeContainer: SingleValueEncodingContainer {
    let encoder: TreeEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    func encodeNil() throws { encoder.node.value = .null }
    func encode(_ value: Bool) throws { encoder.node.value = .bool(value) }
    func encode(_ value: String) throws { encoder.node.value = .string(value) }
    func encode(_ value: Double) throws { encoder.node.value = try .number(value, at: codingPath) }
    func encode(_ value: Float) throws { encoder.node.value = try .number(Double(value), at: codingPath) }
    func encode(_ value: Int) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: Int8) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: Int16) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: Int32) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: Int64) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: UInt) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: UInt8) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: UInt16) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: UInt32) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: UInt64) throws { encoder.node.value = .number(String(value)) }
    func encode(_ value: some Encodable) throws { try APIJSONEncoder.encodeValue(value, into: encoder) }
}

/// The coding key of an array position.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}
