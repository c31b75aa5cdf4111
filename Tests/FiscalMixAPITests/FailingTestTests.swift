import FiscalMixApp
import FiscalMixSefazPeer
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import FiscalMixFiscal

/// A test that fails while its servers are busy — a sync in flight between FiscalMix's worker
/// and the SEFAZ peer, or a peer whose setup throws — stops them gracefully: the error reaches
/// the test, and the process (every other test) lives on.
@Suite struct FailingTestTests {
    struct Deliberate: Error {}

    @Test(arguments: [0, 150, 400]) func aTestThrowingMidSyncStopsItsServersGracefully(afterMilliseconds delay: Int) async throws {
        await #expect(throws: (any Error).self) {
            try await SefazPeer.run(answerDelay: .milliseconds(20)) { peer in
                var feed = SefazFeed(recipient: FiscalSyncTests.cnpj)
                feed.addNFe(count: 400)
                peer.add(feed.documents, for: FiscalSyncTests.cnpj)
                try await TestServer.run(workers: true, configure: { $0.outboundAllow = ["127.0.0.1"] }) { server in
                    let setup = try await FiscalSyncTests.setUp(server, peer: peer)
                    _ = try await FiscalSyncTests.startSync(setup)
                    try await Task.sleep(for: .milliseconds(delay))
                    throw Deliberate()
                }
            }
        }
        // The process is alive and serves the next server.
        try await TestServer.run { server in
            let health = try await server.request(.get, "/healthz")
            #expect(health.status == 200)
        }
    }

    @Test func aPeerWhoseSetupThrowsLeavesTheProcessAlive() async throws {
        await #expect(throws: Deliberate.self) {
            try await SefazPeer.run { _ in throw Deliberate() }
        }
        await #expect(throws: Deliberate.self) {
            try await WebhookReceiver.run { _ in throw Deliberate() }
        }
        try await WebhookReceiver.run { receiver in #expect(receiver.port > 0) }
    }
}
