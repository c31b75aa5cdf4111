/// Keys in insertion order with their values, in two parallel arrays: small objects (most JSON
/// objects: API records, fiscal document groups) are searched linearly, which beats hashing the
/// key; past `indexThreshold` keys a hash index is kept too. The storage of `JSONObject` and of
/// the JSONata evaluator's objects.
public struct OrderedKeyStore<Value> {
    public private(set) var keys: [String] = []
    public private(set) var values: [Value] = []
    private var index: [String: Int]?

    private static var indexThreshold: Int { 12 }

    public init() {}

    public init(capacity: Int) {
        keys.reserveCapacity(capacity)
        values.reserveCapacity(capacity)
    }

    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        return keys.firstIndex(of: key)
    }

    public subscript(key: String) -> Value? {
        get { position(of: key).map { values[$0] } }
        set {
            if let newValue {
                if let at = position(of: key) {
                    values[at] = newValue
                } else {
                    keys.append(key)
                    values.append(newValue)
                    if index != nil {
                        index![key] = keys.count - 1
                    } else if keys.count > Self.indexThreshold {
                        reindex()
                    }
                }
            } else if let at = position(of: key) {
                keys.remove(at: at)
                values.remove(at: at)
                if index != nil { reindex() }
            }
        }
    }

    private mutating func reindex() {
        index = keys.count > Self.indexThreshold ? Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) }) : nil
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
}

extension OrderedKeyStore: Sendable where Value: Sendable {}
