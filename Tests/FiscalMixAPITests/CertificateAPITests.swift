import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixFiscal
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixFiscal

@Suite struct CertificateAPITests {
    static let password = "teste123"

    static func upload(_ server: TestServer, companyId: String, file: [UInt8], password: String, auth: TestServer.Auth) async throws -> TestResponse {
        let boundary = "fm-\(UUID().uuidString)"
        var body = Data()
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a1.pfx\"\r\nContent-Type: application/x-pkcs12\r\n\r\n"
                    .utf8))
        body.append(Data(file))
        body.append(Data("\r\n--\(boundary)\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n\(password)\r\n--\(boundary)--\r\n".utf8))
        return try await server.request(
            .post, "/v1/companies/\(companyId)/certificates/a1", auth: auth,
            headers: ["Content-Type": "multipart/form-data; boundary=\(boundary)"], rawBytes: body)
    }

    static func company(_ server: TestServer, cnpj: String, auth: TestServer.Auth) async throws -> String {
        let created = try await server.request(
            .post, "/v1/companies", json: ["cnpj": cnpj, "razaoSocial": "Empresa Teste", "uf": "SP"],
            auth: auth)
        return try #require(created.json["id"] as? String)
    }

    /// Both encodings CA-issued files come in open; the metadata is read from the certificate and
    /// the file and password are sealed — never in a response, a log line or the audit trail.
    @Test(.enabled(if: TestCertificates.openssl != nil, "writing the legacy PKCS#12 encoding needs openssl"))
    func uploadsModernAndLegacyFilesAndKeepsThemSealed() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            // An API key outlives clock jumps (a session does not), so one bcrypt sign-in suffices.
            let auth = TestServer.Auth.bearer(try await server.createApiKey(session: session, scopes: ["admin"]).key)
            // The test certificate's CNPJ is 11222333000181; a branch (same root) may hold it.
            let companyId = try await Self.company(server, cnpj: "11222333000262", auth: auth)
            let modern = try await Self.upload(
                server, companyId: companyId, file: try TestCertificates.modernPKCS12(),
                password: Self.password, auth: auth)
            #expect(modern.status == 201, "\(modern.text)")
            #expect(modern.json["cnpj"] as? String == "11222333000181")
            #expect(modern.json["status"] as? String == "active" && modern.json["type"] as? String == "A1")
            #expect((modern.json["subject"] as? String)?.contains("EMPRESA TESTE LTDA:11222333000181") == true)
            #expect((modern.json["fingerprint"] as? String)?.count == 64)
            #expect(modern.json["validTo"] as? String == "2036-11-20T00:32:46.000Z")
            // The serial as openssl prints it: full bytes, upper-case hex.
            let pemFile = FileManager.default.temporaryDirectory.appendingPathComponent("serial-\(UUID().uuidString).pem")
            try Data(try TestCertificates.certificatePEM()).write(to: pemFile)
            defer { try? FileManager.default.removeItem(at: pemFile) }
            let printed = try TestCertificates.openssl(["x509", "-in", pemFile.path, "-noout", "-serial"]).output
            #expect("serial=\(modern.json["serial"] as? String ?? "-")" == printed.trimmingCharacters(in: .whitespacesAndNewlines), "\(printed)")
            // The same certificate again is a conflict; the legacy file holds the same one.
            let legacy = try await Self.upload(
                server, companyId: companyId, file: try TestCertificates.legacyPKCS12(),
                password: Self.password, auth: auth)
            #expect(legacy.status == 409 && legacy.code == "certificate_exists")
            let list = try await server.request(.get, "/v1/companies/\(companyId)/certificates", auth: auth)
            #expect(list.items.count == 1)

            // Another company of the account opens the legacy encoding.
            let second = try await Self.company(server, cnpj: "11222333000181", auth: auth)
            let legacyElsewhere = try await Self.upload(
                server, companyId: second, file: try TestCertificates.legacyPKCS12(),
                password: Self.password, auth: auth)
            #expect(legacyElsewhere.status == 201)
            #expect(legacyElsewhere.json["fingerprint"] as? String == modern.json["fingerprint"] as? String)

            // Sealed: the database holds envelopes, the service opens them for TLS.
            let certificateIdText = try #require(modern.json["id"] as? String)
            let certificateId = try #require(UUID(uuidString: certificateIdText))
            let rows = try await server.runtime.database.query(
                "SELECT encrypted_blob, encrypted_password FROM certificates WHERE id = \(bind: certificateId)")
            #expect(try rows[0].decode(column: "encrypted_blob", as: String.self).hasPrefix("sealed:"))
            let companyUUID = try #require(UUID(uuidString: companyId))
            let opened = try await server.runtime.services.certificates.identity(companyId: companyUUID, accountId: owner.accountId)
            #expect(opened.metadata.cnpj == "11222333000181")

            let audit = try await server.request(.get, "/v1/audit-logs", auth: auth)
            #expect(audit.text.contains("certificate.uploaded"))
            for text in [audit.text, modern.text, list.text, server.logs.text] {
                #expect(!text.contains(Self.password))
            }
        }
    }

    @Test func refusesWhatIsNotAUsableCertificateWithAPreciseCode() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            // An API key outlives clock jumps (a session does not), so one bcrypt sign-in suffices.
            let auth = TestServer.Auth.bearer(try await server.createApiKey(session: session, scopes: ["admin"]).key)
            let companyId = try await Self.company(server, cnpj: "11222333000181", auth: auth)
            let pfx = try TestCertificates.modernPKCS12()

            let wrong = try await Self.upload(server, companyId: companyId, file: pfx, password: "wrong-password", auth: auth)
            #expect(wrong.status == 422 && wrong.code == "certificate_wrong_password")
            let garbage = try await Self.upload(server, companyId: companyId, file: Array(repeating: 0x41, count: 2000), password: "x", auth: auth)
            #expect(garbage.status == 422 && garbage.code == "certificate_not_pkcs12")
            let pem = try TestCertificates.certificatePEM()
            #expect(try await Self.upload(server, companyId: companyId, file: pem, password: "x", auth: auth).code == "certificate_not_pkcs12")
            // The same file with its key bag's type defaced: no private key is visible.
            var keyless = pfx
            let marker: [UInt8] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02]
            for start in 0..<(keyless.count - marker.count) where Array(keyless[start..<(start + marker.count)]) == marker {
                keyless[start + marker.count - 1] = 0x09
            }
            let noKey = try await Self.upload(server, companyId: companyId, file: keyless, password: Self.password, auth: auth)
            #expect(noKey.status == 422 && noKey.code == "certificate_no_private_key")

            let otherRoot = try await Self.company(server, cnpj: "07934034000100", auth: auth)
            let mismatch = try await Self.upload(server, companyId: otherRoot, file: pfx, password: Self.password, auth: auth)
            #expect(mismatch.status == 422 && mismatch.code == "certificate_cnpj_mismatch")

            // Validity is checked against the server's clock.
            let validFrom = try #require(ISO8601DateFormatter().date(from: "2026-11-23T00:32:46Z"))
            server.clock.set(validFrom.addingTimeInterval(-3600))
            let early = try await Self.upload(server, companyId: companyId, file: pfx, password: Self.password, auth: auth)
            #expect(early.status == 422 && early.code == "certificate_not_yet_valid")
            server.clock.set(validFrom.addingTimeInterval(11 * 365 * 86_400))
            let late = try await Self.upload(server, companyId: companyId, file: pfx, password: Self.password, auth: auth)
            #expect(late.status == 422 && late.code == "certificate_expired")

            let unsupported = try await server.request(.post, "/v1/companies/\(companyId)/certificates/a1", json: ["file": "x"], auth: auth)
            #expect(unsupported.status == 400 && unsupported.code == "unsupported_media_type")
            #expect(try await server.request(.get, "/v1/companies/\(companyId)/certificates", auth: auth).items.isEmpty)
            #expect(!server.logs.text.contains(Self.password))
        }
    }

    /// What needs renewal, the daily expiry, and tenancy: another account sees none of it.
    @Test func listsWhatExpiresAndMarksExpiredOnes() async throws {
        try await TestServer.run { server in
            let validFrom = try #require(ISO8601DateFormatter().date(from: "2026-11-23T00:32:46Z"))
            server.clock.set(validFrom.addingTimeInterval(86_400))
            let owner = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            // An API key outlives clock jumps (a session does not), so one bcrypt sign-in suffices.
            let auth = TestServer.Auth.bearer(try await server.createApiKey(session: session, scopes: ["admin"]).key)
            let companyId = try await Self.company(server, cnpj: "11222333000181", auth: auth)
            let uploaded = try await Self.upload(
                server, companyId: companyId, file: try TestCertificates.modernPKCS12(),
                password: Self.password, auth: auth)
            let id = try #require(uploaded.json["id"] as? String)
            #expect(try await server.request(.get, "/v1/certificates?expiringWithin=30d", auth: auth).items.isEmpty)
            #expect(try await server.request(.get, "/v1/certificates?expiringWithin=3650d", auth: auth).items.count == 1)
            #expect(try await server.request(.get, "/v1/certificates?expiringWithin=soon", auth: auth).status == 422)

            let stranger = try await server.createAccount()
            let strangerSession = try await server.login(stranger.email, stranger.password)
            #expect(try await server.request(.get, "/v1/certificates?expiringWithin=3650d", auth: .cookie(strangerSession)).items.isEmpty)
            #expect(try await server.request(.get, "/v1/companies/\(companyId)/certificates", auth: .cookie(strangerSession)).status == 404)
            #expect(try await server.request(.post, "/v1/certificates/\(id)/revoke", auth: .cookie(strangerSession)).status == 404)

            server.clock.set(validFrom.addingTimeInterval(10 * 366 * 86_400))
            #expect(try await server.runtime.services.certificates.expireOverdue() == 1)
            let after = try await server.request(.get, "/v1/companies/\(companyId)/certificates", auth: auth)
            #expect((after.items.first)?["status"] as? String == "expired")
            await #expect {
                try await server.runtime.services.certificates.identity(companyId: UUID(uuidString: companyId)!, accountId: owner.accountId)
            } throws: { ($0 as? FiscalError)?.code == .noActiveCertificate }
        }
    }
}
