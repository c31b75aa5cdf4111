public import FiscalMixCore
import FiscalMixOutbound
import FiscalMixXML
import Foundation

/// Blobs larger than one request: blocks in (Put Block, then Put Block List), ranged GETs out —
/// neither holds more than one block in memory.
extension AzureBlobStore {
    static let blockSize = 8 << 20
    /// Azure's limit of committed blocks per blob.
    static let maxBlocks = 50_000

    /// A source that fits in one block is one Put Blob; a larger one is staged block by block and
    /// committed with one Put Block List. Until that commit the blob is unchanged; blocks of an
    /// upload that failed stay uncommitted, invisible, and Azure discards them after a week.
    public func put(_ key: String, from source: any BlobReader) async throws {
        let path = try blobPath(key)
        var block = try await source.read(filling: Self.blockSize)
        if block.count < Self.blockSize { return try await put(key, block) }

        // Azure wants every block id of a blob the same length; the upload's own prefix keeps two
        // concurrent uploads of one blob from committing each other's blocks.
        let upload = UUID().uuidString.prefix(8)
        var ids: [String] = []
        while !block.isEmpty {
            guard ids.count < Self.maxBlocks else {
                throw ObjectStoreFailure(service: "Azure Blob", operation: "put_block", status: 400, code: "BlockCountExceedsLimit")
            }
            let id = Data("\(upload)-\(String(format: "%06d", ids.count))".utf8).base64EncodedString()
            let response = try await send("PUT", path: path, query: [("comp", "block"), ("blockid", id)], body: block, operation: "put_block")
            try expect(response, [201], "put_block")
            ids.append(id)
            block = try await source.read(filling: Self.blockSize)
        }
        let list = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>" + ids.map { "<Latest>\($0)</Latest>" }.joined() + "</BlockList>"
        let response = try await send(
            "PUT", path: path, query: [("comp", "blocklist")],
            headers: [("x-ms-blob-content-type", "application/octet-stream"), ("Content-Type", "application/xml")],
            body: Array(list.utf8), operation: "put_block_list")
        try expect(response, [201], "put_block_list")
    }

    /// A reader that fetches the blob range by range (`x-ms-range`), each GET conditional on the
    /// ETag Get Blob Properties named: a blob replaced half-way fails the read.
    public func reader(_ key: String) async throws -> (any BlobReader)? {
        let path = try blobPath(key)
        let properties = try await send("HEAD", path: path, operation: "properties")
        if properties.status == 404 { return nil }
        try expect(properties, [200], "properties")
        guard let length = properties.header("Content-Length").flatMap(Int.init), let etag = properties.header("ETag") else {
            throw ObjectStoreFailure(service: "Azure Blob", operation: "properties", status: properties.status, code: "MissingLengthOrETag")
        }
        return RangedBlobReader(length: length, rangeSize: ObjectStoreCalls.rangeSize(client.configuration.maxResponseBytes)) { offset, count in
            let response = try await send(
                "GET", path: path, headers: [("x-ms-range", "bytes=\(offset)-\(offset + count - 1)"), ("If-Match", etag)],
                operation: "get_range")
            return try ObjectStoreCalls.checkedRange(response, service: "Azure Blob", count: count) { Self.errorCode(response) }
        }
    }
}
