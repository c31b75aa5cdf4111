import FiscalMixCore
import FiscalMixOutbound

/// Sequential reads of one version of a remote blob, one ranged GET at a time: at most one range
/// in memory. `fetch` returns exactly the bytes asked for, or fails when the blob changed.
actor RangedBlobReader: BlobReader {
    typealias Fetch = @Sendable (_ offset: Int, _ count: Int) async throws -> [UInt8]

    let length: Int
    let rangeSize: Int
    let fetch: Fetch
    private var offset = 0
    private var buffer: ArraySlice<UInt8> = []

    init(length: Int, rangeSize: Int, fetch: @escaping Fetch) {
        self.length = length
        self.rangeSize = rangeSize
        self.fetch = fetch
    }

    func read(upTo count: Int) async throws -> [UInt8] {
        if buffer.isEmpty, offset < length {
            let size = min(rangeSize, length - offset)
            buffer = try await fetch(offset, size)[...]
            offset += size
        }
        let taken = buffer.prefix(count)
        buffer = buffer.dropFirst(taken.count)
        return Array(taken)
    }

    func close() async { buffer = [] }
}

extension ObjectStoreCalls {
    /// Ranged reads stay within what the outbound client accepts in one answer (8 MiB at most).
    static func rangeSize(_ maxResponseBytes: Int) -> Int { min(8 << 20, maxResponseBytes) }

    /// The bytes of one range answer, checked: 412 (or the blob gone) means it changed since the
    /// reader started, anything but a 206 of exactly `count` bytes is a failure.
    static func checkedRange(_ response: OutboundResponse, service: String, count: Int, code: () -> String?) throws -> [UInt8] {
        guard response.status != 412, response.status != 404 else {
            throw ObjectStoreFailure(service: service, operation: "get_range", status: response.status, code: "BlobChangedWhileReading")
        }
        guard response.status == 206 else {
            throw ObjectStoreFailure(service: service, operation: "get_range", status: response.status, code: code())
        }
        guard response.body.count == count else {
            throw ObjectStoreFailure(service: service, operation: "get_range", status: response.status, code: "ShortRange")
        }
        return response.body
    }
}
