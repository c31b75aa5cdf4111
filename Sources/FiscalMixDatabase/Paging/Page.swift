public import Foundation
public import SQLKit

/// One page of a list and the opaque cursor for the next. Lists run newest first by id; ids
/// are time-ordered UUIDs, so "ids below the cursor" is a stable keyset page.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let nextCursor: String?

    public init(items: [Item], nextCursor: String?) {
        self.items = items
        self.nextCursor = nextCursor
    }
}

public struct PageRequest: Sendable {
    public static let maxLimit = 200
    public let limit: Int
    /// The id the next page starts below.
    public let after: UUID?

    public init(limit: Int = 50, after: UUID? = nil) {
        self.limit = max(1, min(limit, PageRequest.maxLimit))
        self.after = after
    }

    /// Splits `limit + 1` fetched rows into a page and its cursor.
    package func page<Item>(_ rows: [Item], id: (Item) -> UUID) -> Page<Item> {
        guard rows.count > limit else { return Page(items: rows, nextCursor: nil) }
        let items = Array(rows.prefix(limit))
        return Page(items: items, nextCursor: items.last.map { Cursor.encode(id($0)) })
    }
}

/// Opaque cursors: base64url of the boundary (an id, or a composite key as text), so clients
/// cannot build or depend on them.
public enum Cursor {
    public static func encode(_ id: UUID) -> String { encode(text: id.uuidString.lowercased()) }

    public static func decode(_ cursor: String) -> UUID? { decodeText(cursor).flatMap(UUID.init(uuidString:)) }

    public static func encode(text: String) -> String {
        Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    public static func decodeText(_ cursor: String) -> String? {
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map { String(decoding: $0, as: UTF8.self) }
    }
}

extension Database {
    /// Runs `filtered` (a SELECT with a WHERE clause) as one keyset page, newest first by `column`.
    package func page<Item: Sendable>(
        _ filtered: SQLQueryString, by column: String = "id", _ page: PageRequest,
        decode: (any SQLRow) throws -> Item, id: (Item) -> UUID
    ) async throws -> Page<Item> {
        let name = column.split(separator: ".").map(String.init)  // "c.id" → "c"."id"
        var sql = filtered
        if let after = page.after { sql += " AND \(idents: name, joinedBy: ".") < \(bind: after)" }
        sql += " ORDER BY \(idents: name, joinedBy: ".") DESC LIMIT \(bind: page.limit + 1)"
        return page.page(try await query(sql).map(decode), id: id)
    }
}
