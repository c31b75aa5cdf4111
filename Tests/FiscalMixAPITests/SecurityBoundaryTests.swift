import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import Testing

@testable import FiscalMixConnectors
@testable import FiscalMixDatabase
@testable import FiscalMixWebhooks

#if canImport(Glibc)
import Glibc
#endif

/// What a tenant, even an account administrator, must not reach: the server's files and
/// environment, internal networks beyond what the deployment grants, a crash of the process
/// (docs/security.md). Each test here was written against the defect it guards and failed
/// before its fix.
@Suite struct SecurityBoundaryTests {
    static func bearerConnector(
        _ server: TestServer, _ auth: TestServer.Auth, baseUrl: String, secretRef: [String: String]
    ) async throws -> TestResponse {
        try await server.request(
            .post, "/v1/connectors",
            json: [
                "name": "ref-\(UUID().uuidString.prefix(6))", "baseUrl": baseUrl, "auth": ["type": "bearer", "secretRef": secretRef],
            ], auth: auth)
    }

    @Test func fileAndEnvironmentReferencesAreRefusedUnlessTheDeploymentAllowsThem() async throws {
        try await ChaosServer.run { chaos in
            try await TestServer.run(configure: ConnectorCallTests.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                let configuration = server.runtime.configuration
                var targets = ["/etc/hostname", "/etc/passwd", configuration.dataDirectory + "/master.key", configuration.blobDirectory]
                if let database = configuration.sqlitePath { targets.append(database) }
                for path in targets {
                    let refused = try await Self.bearerConnector(server, auth, baseUrl: chaos.baseURL, secretRef: ["provider": "file", "ref": path])
                    #expect(refused.status == 422 && refused.code == "secret_ref_not_allowed", "\(path): \(refused.text)")
                }
                for name in ["HOME", "PATH", "FISCALMIX_MASTER_KEY"] {
                    let refused = try await Self.bearerConnector(server, auth, baseUrl: chaos.baseURL, secretRef: ["provider": "env", "ref": name])
                    #expect(refused.status == 422 && refused.code == "secret_ref_not_allowed", "\(name): \(refused.text)")
                }
                #expect(try await server.request(.get, "/v1/connectors", auth: auth).items.isEmpty)

                // A reference stored before this check (or allowed by an earlier configuration)
                // is refused when used: nothing is read, nothing is sent.
                let created = try await server.request(
                    .post, "/v1/connectors",
                    json: [
                        "name": "legacy", "baseUrl": chaos.baseURL, "auth": ["type": "bearer", "token": "placeholder"],
                    ], auth: auth)
                let id = try #require(created.json["id"] as? String)
                try await server.runtime.database.execute("UPDATE secret_refs SET provider = 'file', ref = '/etc/hostname'")
                let used = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/leak"], auth: auth)
                #expect(used.status == 422 && used.code == "secret_ref_not_allowed", "\(used.text)")
                try await server.runtime.database.execute("UPDATE secret_refs SET provider = 'env', ref = 'HOME'")
                let usedEnv = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/leak"], auth: auth)
                #expect(usedEnv.status == 422 && usedEnv.code == "secret_ref_not_allowed", "\(usedEnv.text)")
                #expect(chaos.stats("leak").calls == 0)
            }
        }
    }

    @Test func allowedReferencesStayInsideTheOperatorsDirectoryAndList() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fm-secrets-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let token = "file-token-\(UUID().uuidString)"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/erp.token"))
        try FileManager.default.createSymbolicLink(atPath: directory + "/escape", withDestinationPath: "/etc/hostname")
        let variable = "FMTEST_SECRET_\(UUID().uuidString.prefix(8))".replacingOccurrences(of: "-", with: "_")
        let envToken = "env-token-\(UUID().uuidString)"
        setenv(variable, envToken, 1)
        defer { unsetenv(variable) }
        try await ChaosServer.run { chaos in
            try await TestServer.run(configure: { configuration in
                ConnectorCallTests.allowLoopback(&configuration)
                configuration.secretRefDirectory = directory
                configuration.secretRefEnvironmentNames = [variable]
            }) { server in
                let (_, auth) = try await server.ownerApiKey()
                let fromFile = try await Self.bearerConnector(
                    server, auth, baseUrl: chaos.baseURL,
                    secretRef: ["provider": "file", "ref": directory + "/erp.token"])
                #expect(fromFile.status == 201, "\(fromFile.text)")
                let fileId = try #require(fromFile.json["id"] as? String)
                #expect(
                    try await server.request(.post, "/v1/connectors/\(fileId)/test", json: ["path": "/call/file"], auth: auth).json["ok"] as? Bool
                        == true)
                #expect(chaos.stats("file").lastAuthorization == "Bearer \(token)")

                let fromEnv = try await Self.bearerConnector(server, auth, baseUrl: chaos.baseURL, secretRef: ["provider": "env", "ref": variable])
                let envId = try #require(fromEnv.json["id"] as? String)
                #expect(
                    try await server.request(.post, "/v1/connectors/\(envId)/test", json: ["path": "/call/env"], auth: auth).json["ok"] as? Bool
                        == true)
                #expect(chaos.stats("env").lastAuthorization == "Bearer \(envToken)")

                // Out of the directory by `..`, by a symlink, or to FiscalMix's own files: refused.
                var escapes = [
                    directory + "/../" + URL(fileURLWithPath: directory).lastPathComponent + "/../../etc/hostname",
                    directory + "/escape", directory + "/missing", directory,
                ]
                if let database = server.runtime.configuration.sqlitePath {
                    // A hard link to the live database would let the check's open and close drop
                    // SQLite's locks: refused by inode as well as by path.
                    let hardLink = directory + "/db-link"
                    if link(database, hardLink) == 0 { escapes.append(hardLink) }
                    try FileManager.default.createSymbolicLink(atPath: directory + "/db-symlink", withDestinationPath: database)
                    escapes.append(directory + "/db-symlink")
                }
                for path in escapes {
                    let refused = try await Self.bearerConnector(server, auth, baseUrl: chaos.baseURL, secretRef: ["provider": "file", "ref": path])
                    #expect(refused.status == 422 && refused.code == "secret_ref_not_allowed", "\(path): \(refused.text)")
                }
                let otherVariable = try await Self.bearerConnector(
                    server, auth, baseUrl: chaos.baseURL, secretRef: ["provider": "env", "ref": "HOME"])
                #expect(otherVariable.code == "secret_ref_not_allowed")
                for text in [server.transcript.text, server.logs.text] {
                    #expect(!text.contains(token) && !text.contains(envToken))
                }
            }
        }
    }

    @Test func theDeploymentRefusesSecretReferencesToItsOwnConfigurationAndFiles() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("fm-data-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: data + "/blobs", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: data) }
        func sources(_ values: [String: String]) throws -> ExternalSecretSourcesProbe {
            let configuration = try AppConfiguration(values: values.merging(["FISCALMIX_DATA_DIR": data]) { a, _ in a })
            return ExternalSecretSourcesProbe(try configuration.externalSecretSources())
        }
        for refused in [
            ["FISCALMIX_SECRET_REF_ENV": "FISCALMIX_MASTER_KEY"], ["FISCALMIX_SECRET_REF_ENV": "fiscalmix_previous_master_keys"],
            ["FISCALMIX_SECRET_REF_DIR": data], ["FISCALMIX_SECRET_REF_DIR": data + "/blobs"], ["FISCALMIX_SECRET_REF_DIR": "/"],
            ["FISCALMIX_SECRET_REF_DIR": (data as NSString).deletingLastPathComponent],
            ["FISCALMIX_SECRET_REF_DIR": data + "/does-not-exist"], ["FISCALMIX_SECRET_REF_ENV": "NOT-A-NAME"],
        ] {
            #expect(throws: AppConfiguration.Invalid.self, "\(refused)") { _ = try sources(refused) }
        }
        #expect(throws: AppConfiguration.Invalid.self) { _ = try AppConfiguration(values: ["FISCALMIX_OUTBOUND_ACCOUNT_ALLOW": "intranet.local"]) }
        // The blob store never shares a folder with the database (a key could name its file).
        #expect(throws: AppConfiguration.Invalid.self) { _ = try AppConfiguration(values: ["FISCALMIX_DATA_DIR": data, "FISCALMIX_BLOB_DIR": data]) }
        #expect(throws: AppConfiguration.Invalid.self) {
            _ = try AppConfiguration(values: ["FISCALMIX_DATABASE_URL": "sqlite:\(data)/blobs/db.sqlite", "FISCALMIX_BLOB_DIR": data + "/blobs/"])
        }
        #expect(try sources([:]).isEmpty)
    }

    @Test func anAccountCannotOpenInternalAddressesTheDeploymentDidNotGrant() async throws {
        try await ChaosServer.run { chaos in
            try await TestServer.run { server in
                let (owner, auth) = try await server.ownerApiKey()
                for rule in ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "::ffff:127.0.0.0/104", "192.168.1.10"] {
                    let refused = try await server.request(.put, "/v1/outbound-settings", json: ["allowedAddresses": [rule]], auth: auth)
                    #expect(refused.status == 422 && refused.code == "address_not_grantable", "\(rule): \(refused.text)")
                }
                // A rule saved before the deployment narrowed its grant is ignored, not obeyed.
                try await server.runtime.database.execute(
                    """
                    UPDATE accounts SET outbound_allow = \(json: #"["127.0.0.0/8"]"#) WHERE id = \(bind: owner.accountId)
                    """)
                let created = try await server.request(.post, "/v1/connectors", json: ["name": "Local", "baseUrl": chaos.baseURL], auth: auth)
                let id = try #require(created.json["id"] as? String)
                let call = try await server.request(.post, "/v1/connectors/\(id)/test", json: ["path": "/call/internal"], auth: auth)
                #expect((call.json["error"] as? [String: Any])?["code"] as? String == "address_refused", "\(call.text)")
                #expect(chaos.stats("internal").calls == 0)
            }
        }
    }

    @Test func deeplyNestedExpressionsAreRefusedAndTheServerLivesOn() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            let hostile = [
                String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000),
                String(repeating: "[", count: 5_000) + "1" + String(repeating: "]", count: 5_000),
                String(repeating: "-", count: 20_000) + "1",
                Array(repeating: "1", count: 30_000).joined(separator: "+"),
                Array(repeating: "a", count: 20_000).joined(separator: "."),
            ]
            for expression in hostile {
                let refused = try await server.request(
                    .post, "/v1/event-mappings",
                    json: [
                        "eventType": "nfe.stored", "targetSystem": "erp", "profile": "jsonata", "expression": expression,
                    ], auth: auth)
                #expect(refused.status == 422 && refused.code == "invalid_mapping" && refused.text.contains("U1002"), "\(refused.text.prefix(300))")
            }
            // An empty JMESPath expression once crashed the parser (found by the fuzzer).
            let empty = try await server.request(
                .post, "/v1/event-mappings",
                json: [
                    "eventType": "nfe.stored", "targetSystem": "erp", "profile": "jmespath", "expression": "",
                ], auth: auth)
            #expect(empty.status == 422, "\(empty.text)")
            #expect(try await server.request(.get, "/v1/me", auth: auth).status == 200)
        }
    }

    @Test func customHeaderValuesAreSealedAtRestAndStillSent() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: WebhookDeliveryTests.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "order.created")
                let token = "hdr-token-\(UUID().uuidString)"
                let endpoint = try await server.createEndpoint(
                    auth, url: receiver.url("sealed"), eventTypes: ["order.created"],
                    extra: ["headers": ["X-Api-Token": token, "X-Tenant": "acme-tenant"]])
                let shown = try #require(endpoint.body["headers"] as? [String: String])
                #expect(shown == ["X-Api-Token": "[redacted]", "X-Tenant": "acme-tenant"])
                let rows = try await server.runtime.database.query("SELECT headers, headers_secret_ref_id FROM webhook_endpoints")
                let stored = try rows[0].decode(column: "headers", as: String.self)
                #expect(!stored.contains(token) && !stored.contains("acme-tenant") && stored.contains("X-Api-Token"))
                #expect(try rows[0].decode(column: "headers_secret_ref_id", as: UUID?.self) != nil)
                let read = try await server.request(.get, "/v1/webhook-endpoints/\(endpoint.id)", auth: auth)
                #expect(read.json["headers"] as? [String: String] == shown)

                try await server.postEvent(auth, type: "order.created", payload: ["n": 1])
                let delivered = try await receiver.waitFor("sealed", count: 1)
                #expect(delivered[0].header("X-Api-Token") == token && delivered[0].header("X-Tenant") == "acme-tenant")

                // Changing the headers seals the new values and drops the old sealed copy.
                let sealedBefore = try await server.runtime.database.query("SELECT id FROM sealed_secrets").count
                let changed = try await server.request(
                    .patch, "/v1/webhook-endpoints/\(endpoint.id)", json: ["headers": ["X-Tenant": "beta"]], auth: auth)
                #expect(changed.status == 200 && changed.json["headers"] as? [String: String] == ["X-Tenant": "beta"])
                #expect(try await server.runtime.database.query("SELECT id FROM sealed_secrets").count == sealedBefore)

                // A row written before values were sealed is sealed at start, and still delivers.
                try await server.runtime.database.execute(
                    """
                    UPDATE webhook_endpoints SET headers = \(json: #"{"X-Legacy":"plain-\#(token)"}"#), headers_secret_ref_id = NULL
                    """)
                #expect(try await server.runtime.services.webhookEndpoints.sealPlaintextHeaders() == 1)
                let resealed = try await server.runtime.database.query("SELECT headers FROM webhook_endpoints")
                #expect(!(try resealed[0].decode(column: "headers", as: String.self)).contains(token))
                #expect(try await server.runtime.services.webhookEndpoints.sealPlaintextHeaders() == 0)
                try await server.postEvent(auth, type: "order.created", payload: ["n": 2])
                let again = try await receiver.waitFor("sealed", count: 2)
                #expect(again[1].header("X-Legacy") == "plain-\(token)")
                #expect(!server.logs.text.contains(token))
            }
        }
    }

    @Test func anOversizedBodyIsAnsweredAndTheConnectionClosed() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            guard case .bearer(let key) = auth else { return }
            let port = try #require(server.client.port)
            let head =
                "POST /v1/connectors HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\n"
                + "Content-Length: 50000000\r\n\r\n"
            let answer = try await RawHTTP.exchange(port: port, send: Array(head.utf8) + [UInt8](repeating: 0x20, count: 2 << 20), waitSeconds: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 413"), "\(answer.text.prefix(200))")
            #expect(answer.text.lowercased().contains("connection: close") && answer.text.contains("body_too_large"))
            #expect(answer.closedByServer, "the server kept the connection open after its 413")
        }
    }

    @Test func anOversizedHeaderGetsAProblemDocument() async throws {
        try await TestServer.run { server in
            let port = try #require(server.client.port)
            let request = "GET /v1/me HTTP/1.1\r\nHost: localhost\r\nX-Big: \(String(repeating: "a", count: 900_000))\r\n\r\n"
            let answer = try await RawHTTP.exchange(port: port, send: Array(request.utf8), waitSeconds: 10)
            #expect(answer.text.hasPrefix("HTTP/1.1 431"), "\(answer.text.prefix(200))")
            #expect(
                answer.text.lowercased().contains("content-type: application/problem+json") && answer.text.contains("\"code\":\"headers_too_large\""))
            #expect(answer.closedByServer)
            #expect(try await server.request(.get, "/healthz").status == 200)
        }
    }

    @Test func anInboxMessageWithoutATimestampNamesTheMissingHeader() async throws {
        try await TestServer.run { server in
            let (_, auth) = try await server.ownerApiKey()
            let secret = WebhookSignature.newSecret()
            let created = try await server.request(
                .post, "/v1/inbox-providers", json: ["name": "partner", "verifier": "standard_webhooks", "secret": secret],
                auth: auth)
            let path = try #require(created.json["inboxPath"] as? String)
            let body = #"{"hello":"world"}"#
            let signature = try WebhookSignature.header(
                id: "msg_1", timestamp: Int64(server.clock.now().timeIntervalSince1970), body: Array(body.utf8),
                keys: [try WebhookSignature.key(secret)])
            let answer = try await server.request(
                .post, path,
                headers: [
                    "Content-Type": "application/json", "webhook-id": "msg_1",
                    "webhook-signature": signature,
                ], rawBytes: Data(body.utf8))
            #expect(answer.status == 401 && answer.text.contains("webhook-timestamp header is missing"), "\(answer.text)")
        }
    }
}

/// Whether a deployment's sources allow anything at all.
struct ExternalSecretSourcesProbe {
    let isEmpty: Bool
    init(_ sources: ExternalSecretSources) { isEmpty = sources.environmentNames.isEmpty && sources.directory == nil }
}
