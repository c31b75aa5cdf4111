/// Keys in insertion order with their values, in two parallel arrays: small objects (most JSON
/// objects: API records, fiscal document groups) are searched linearly, which beats hashing the
/// key; past `indexThreshold` keys a hash index is kept too. The storage of `JSONObject` and of
/// the JSONata evaluator's objects.
///
/// Inlinable so that other modules specialize it for their value type: called generically, every
/// lookup went through value witness tables (a tenth of a JSONata evaluation).
public struct OrderedKeyStore<Value> {
    @usableFromInline var storedKeys: [String] = []
    @usableFromInline var storedValues: [Value] = []

    @inlinable public var keys: [String] { storedKeys }
    @inlinable public var values: [Value] { storedValues }
    @usableFromInline var index: [String: Int]?

    @usableFromInline static var indexThreshold: Int { 16 }

    @inlinable public init() {}

    @inlinable public init(capacity: Int) {
        storedKeys.reserveCapacity(capacity)
        storedValues.reserveCapacity(capacity)
    }

    /// Keys the caller knows are distinct, with their values in the same order. The keys array is
    /// shared, not copied: an evaluator building many objects with the same literal keys (a
    /// JMESPath multi-select hash over a projection) allocates only their values.
    @inlinable public init(uniqueKeys keys: [String], values: [Value]) {
        precondition(keys.count == values.count, "as many values as keys")
        storedKeys = keys
        storedValues = values
        if keys.count > Self.indexThreshold { reindex() }
    }

    @inlinable public func position(of key: String) -> Int? {
        if let index { return index[key] }
        return storedKeys.firstIndex(of: key)
    }

    @inlinable public subscript(key: String) -> Value? {
        get {
            guard let at = position(of: key) else { return nil }
            return storedValues[at]
        }
        set {
            if let newValue {
                if let at = position(of: key) {
                    storedValues[at] = newValue
                } else {
                    appendNew(key, newValue)
                }
            } else if let at = position(of: key) {
                storedKeys.remove(at: at)
                storedValues.remove(at: at)
                if index != nil { reindex() }
            }
        }
    }

    /// Adds a key the caller knows is absent (an object built from distinct literal keys).
    @inlinable public mutating func appendNew(_ key: String, _ value: Value) {
        assert(position(of: key) == nil, "appendNew with a key that is present")
        storedKeys.append(key)
        storedValues.append(value)
        if index != nil {
            index![key] = storedKeys.count - 1
        } else if storedKeys.count > Self.indexThreshold {
            reindex()
        }
    }

    @usableFromInline mutating func reindex() {
        index = storedKeys.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: storedKeys.enumerated().map { ($1, $0) }) : nil
    }

    @inlinable public var count: Int { storedKeys.count }
    @inlinable public var isEmpty: Bool { storedKeys.isEmpty }
}

extension OrderedKeyStore: Sendable where Value: Sendable {}
