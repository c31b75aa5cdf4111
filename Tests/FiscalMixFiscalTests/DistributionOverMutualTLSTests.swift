import FiscalMixConformance
import FiscalMixCore
import FiscalMixDFe
import FiscalMixOutbound
import FiscalMixSefazPeer
import FiscalMixTestSupport
import FiscalMixTestTraits
import Foundation
import NIOSSL
import Testing

@testable import FiscalMixFiscal

/// The distribution client against the SEFAZ peer: real TLS with a client certificate, SOAP 1.2,
/// gzip docZips, and the AN's consumption rules.
@Suite struct DistributionOverMutualTLSTests {
    static let cnpj = "11222333000181"

    static func identity() throws -> A1Certificate {
        try A1Certificate.open(pfx: try TestCertificates.modernPKCS12(), password: "teste123", now: Date())
    }

    /// The real decoded payloads of the sped-nfe capture, as this CNPJ's feed.
    static func loadFeed(into peer: SefazPeer) throws -> Int {
        let files = try FiscalSamples.files(in: "xml/spednfe_distdfe_decoded")
        for file in files {
            let parts = file.deletingPathExtension().lastPathComponent.split(separator: "_", maxSplits: 1)
            peer.add(.init(nsu: Int64(parts[0])!, schema: parts[1] + ".xsd", xml: Array(try Data(contentsOf: file))), for: cnpj)
        }
        return files.count
    }

    @Test(.requires(.fiscalSamples)) func fetchesTheFeedOverMutualTLSAndHonoursTheRules() async throws {
        let identity = try Self.identity()
        let clock = TestClock()
        try await SefazPeer.run(clientRoots: identity.chain, clock: clock) { peer in
            let count = try Self.loadFeed(into: peer)
            let outbound = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.1"])))
            let client = SefazDistributionClient(outbound: outbound)
            let tls = try SefazDistributionClient.tlsConfiguration(identity: identity, trustRootsPEM: peer.authority.caPEM)
            let endpoint = peer.baseURL + DistributionService.nfe.path
            let context = OutboundContext(policyKey: "sefaz:\(Self.cnpj)")

            var ultNSU: Int64 = 0
            var received: [Int64] = []
            var calls = 0
            while true {
                let request = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: Self.cnpj, query: .after(nsu: ultNSU))
                let answer = try await client.call(request, endpoint: endpoint, tls: tls, policy: Policy(), context: context)
                calls += 1
                #expect(answer.statusCode == 138 || answer.statusCode == 137)
                for document in answer.documents {
                    let xml = try Gunzip.inflate(Array(try #require(Data(base64Encoded: document.zipBase64))), limit: 1 << 20)
                    _ = try DFeParser.parse(xml)
                    received.append(try #require(document.nsu))
                }
                ultNSU = answer.lastNSU
                if answer.statusCode == 137 || answer.lastNSU >= answer.maxNSU { break }
            }
            #expect(received.count == count && received == received.sorted() && Set(received).count == count)
            #expect(calls == 1)  // 50 documents fit one answer

            // Caught up: asking again within the hour is "consumo indevido" and restarts the hour.
            let again = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: Self.cnpj, query: .after(nsu: ultNSU))
            #expect(try await client.call(again, endpoint: endpoint, tls: tls, policy: Policy(), context: context).statusCode == 656)
            clock.advance(by: 3601)
            let later = try await client.call(again, endpoint: endpoint, tls: tls, policy: Policy(), context: context)
            #expect(later.statusCode == 137 && later.lastNSU == peer.maxNSU(for: Self.cnpj))

            // Out of sequence (not the ultNSU last returned) is 656 too.
            clock.advance(by: 3601)
            let rewind = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: Self.cnpj, query: .after(nsu: 0))
            #expect(try await client.call(rewind, endpoint: endpoint, tls: tls, policy: Policy(), context: context).statusCode == 656)
            #expect(peer.answered656 == 2)

            // Another company's CNPJ root with this certificate: 593.
            let other = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: "07934034000100", query: .after(nsu: 0))
            #expect(try await client.call(other, endpoint: endpoint, tls: tls, policy: Policy(), context: context).statusCode == 593)
            try await outbound.shutdown()
        }
    }

    /// Without a client certificate the TLS handshake fails: no SOAP answer, a connection error.
    @Test func refusesAClientWithoutACertificate() async throws {
        let identity = try Self.identity()
        try await SefazPeer.run(clientRoots: identity.chain) { peer in
            let outbound = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.1"])))
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates([peer.authority.caCertificate])
            let request = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: Self.cnpj, query: .after(nsu: 0))
            await #expect(throws: (any Error).self) {
                _ = try await SefazDistributionClient(outbound: outbound).call(
                    request, endpoint: peer.baseURL + DistributionService.nfe.path,
                    tls: tls, policy: Policy(), context: OutboundContext(policyKey: "x"))
            }
            // And a client that does not trust the peer's CA refuses the server.
            let untrusting = try SefazDistributionClient.tlsConfiguration(identity: identity, trustRootsPEM: nil)
            await #expect(throws: (any Error).self) {
                _ = try await SefazDistributionClient(outbound: outbound).call(
                    request, endpoint: peer.baseURL + DistributionService.nfe.path,
                    tls: untrusting, policy: Policy(), context: OutboundContext(policyKey: "y"))
            }
            try await outbound.shutdown()
        }
    }
}
