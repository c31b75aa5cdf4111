import FiscalMixApp
import FiscalMixCore
import FiscalMixSecrets
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import SQLKit
import Synchronization
import Testing

@testable import FiscalMixDatabase

/// Event mappings: versioned transforms per target system, previewed on a sample, applied to
/// the payload before delivery to endpoints of that system only.
@Suite struct EventMappingTests {
    @Test func mappingsPreviewVersionAndReshapeDeliveries() async throws {
        try await WebhookReceiver.run { receiver in
            try await TestServer.run(workers: true, configure: WebhookDeliveryTests.allowLoopback) { server in
                let (_, auth) = try await server.ownerApiKey()
                try await server.createEventType(auth, "nfe.stored")
                let sample: [String: Any] = [
                    "emit": ["CNPJ": "11222333000181"], "total": ["vNF": 1234.56], "det": [["prod": ["xProd": "A"]], ["prod": ["xProd": "B"]]],
                ]

                let v1 = try await server.request(
                    .post, "/v1/event-mappings",
                    json: [
                        "eventType": "nfe.stored", "targetSystem": "erp", "profile": "jsonata",
                        "expression": "{ \"cnpj\": emit.CNPJ, \"valor\": total.vNF, \"itens\": $count(det) }",
                    ], auth: auth)
                #expect(v1.status == 201 && v1.json["version"] as? Int == 1)
                let preview = try await server.request(
                    .post, "/v1/event-mappings/\(v1.json["id"] as! String)/preview", json: ["sample": sample], auth: auth)
                #expect(preview.json["ok"] as? Bool == true)
                #expect(preview.text.contains("\"valor\":1234.56") && (preview.json["result"] as? [String: Any])?["itens"] as? Int == 2)

                // A runtime error names its position in the expression.
                let failing = try await server.request(
                    .post, "/v1/event-mappings",
                    json: [
                        "eventType": "nfe.other", "targetSystem": "erp", "profile": "jsonata", "expression": "$number(emit.CNPJ) + $boom()",
                    ], auth: auth)
                let failed = try await server.request(
                    .post, "/v1/event-mappings/\(failing.json["id"] as! String)/preview", json: ["sample": sample], auth: auth)
                #expect(failed.json["ok"] as? Bool == false && (failed.json["error"] as? [String: Any])?["position"] is Int, "\(failed.text)")
                // A compile error is refused when saved, with its position.
                let broken = try await server.request(
                    .post, "/v1/event-mappings",
                    json: [
                        "eventType": "nfe.stored", "targetSystem": "erp", "profile": "jmespath", "expression": "emit.[",
                    ], auth: auth)
                #expect(broken.status == 422 && broken.code == "invalid_mapping" && broken.text.contains("position"))

                // Version 2 (custom profile) replaces version 1.
                let v2 = try await server.request(
                    .post, "/v1/event-mappings",
                    json: [
                        "eventType": "nfe.stored", "targetSystem": "erp", "profile": "custom",
                        "template": ["cnpj": "emit.CNPJ", "total": "total.vNF", "produtos": "det[].prod.xProd", "origem": "'fiscalmix'"],
                    ], auth: auth)
                #expect(v2.json["version"] as? Int == 2)
                let v1Now = try await server.request(.get, "/v1/event-mappings/\(v1.json["id"] as! String)", auth: auth)
                #expect(v1Now.json["active"] as? Bool == false)

                let erp = try await server.createEndpoint(auth, url: receiver.url("erp"))
                _ = try await server.request(.patch, "/v1/webhook-endpoints/\(erp.id)", json: ["systemName": "erp"], auth: auth)
                let crm = try await server.createEndpoint(auth, url: receiver.url("crm"), extra: ["systemName": "crm"])
                try await server.postEvent(auth, type: "nfe.stored", payload: sample)
                _ = try await server.settledDeliveries(auth, endpoint: erp.id, expect: 1)
                _ = try await server.settledDeliveries(auth, endpoint: crm.id, expect: 1)
                let toErp = try #require(receiver.requests("erp").first)
                #expect(
                    toErp.text.hasSuffix(#""data":{"cnpj":"11222333000181","origem":"fiscalmix","produtos":["A","B"],"total":1234.56}}"#),
                    "\(toErp.text)")
                let toCrm = try #require(receiver.requests("crm").first)
                #expect(toCrm.text.contains(#""emit":{"CNPJ":"11222333000181"}"#))
            }
        }
    }
}
