import Crypto
public import FiscalMixCore
public import FiscalMixDatabase
public import Foundation
import SQLKit

/// Recomputes the SHA-256 of every stored document's and event's file and compares it with the
/// hash its row recorded (`fiscalmix verify`). Files are read in chunks, rows a page at a time,
/// so a store of any size is checked in bounded memory.
public struct StoredFileVerifier: Sendable {
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        public enum Problem: String, Sendable { case missing, hashMismatch = "hash_mismatch" }
        /// `fiscal_documents` or `fiscal_events`.
        public var table: String
        public var id: UUID
        public var path: String
        public var problem: Problem
        public var recorded: String
        /// The hash of the file as it is (nil when it is missing).
        public var actual: String?

        public var description: String {
            "\(table) \(id.lowercased) \(problem.rawValue): \(path) recorded \(recorded)" + (actual.map { ", file \($0)" } ?? "")
        }
    }

    public struct Report: Sendable {
        public var documentsChecked = 0
        public var eventsChecked = 0
        public var findings: [Finding] = []
    }

    let database: Database
    let blobs: any BlobStore
    static let pageSize = 500

    public init(database: Database, blobs: any BlobStore) {
        self.database = database
        self.blobs = blobs
    }

    public func verify() async throws -> Report {
        var report = Report()
        report.documentsChecked = try await check(table: "fiscal_documents", into: &report.findings)
        report.eventsChecked = try await check(table: "fiscal_events", into: &report.findings)
        return report
    }

    private func check(table: String, into findings: inout [Finding]) async throws -> Int {
        var checked = 0
        var after: UUID?
        while true {
            var sql: SQLQueryString = "SELECT id, storage_xml_path, hash_sha256 FROM \(unsafeRaw: table) WHERE storage_xml_path IS NOT NULL"
            if let after { sql += " AND id > \(bind: after)" }
            sql += " ORDER BY id LIMIT \(unsafeRaw: String(Self.pageSize))"
            let rows = try await database.query(sql)
            for row in rows {
                let id: UUID = try row.get("id")
                let path: String = try row.get("storage_xml_path")
                let recorded: String = try row.get("hash_sha256")
                checked += 1
                after = id
                guard let actual = try await hash(of: path) else {
                    findings.append(Finding(table: table, id: id, path: path, problem: .missing, recorded: recorded, actual: nil))
                    continue
                }
                if actual != recorded {
                    findings.append(Finding(table: table, id: id, path: path, problem: .hashMismatch, recorded: recorded, actual: actual))
                }
            }
            if rows.count < Self.pageSize { return checked }
        }
    }

    private func hash(of path: String) async throws -> String? {
        guard let reader = try await blobs.reader(path) else { return nil }
        var hasher = SHA256()
        do {
            while true {
                let chunk = try await reader.read(upTo: 256 << 10)
                if chunk.isEmpty { break }
                hasher.update(data: chunk)
            }
        } catch {
            await reader.close()
            throw error
        }
        await reader.close()
        return Hex.encode(hasher.finalize())
    }
}
