import Synchronization

final class LockedArray: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ value: String) { storage.withLock { $0.append(value) } }
    var all: [String] { storage.withLock { $0 } }
}
