import FiscalMixOutbound

/// An outbound client allowed to reach loopback peers, for one test, shut down after it.
/// `maxResponseBytes` small makes a larger blob come back only in ranges.
func withOutboundClient(maxResponseBytes: Int = 10 << 20, _ body: (OutboundClient) async throws -> Void) async throws {
    let client = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.1"]), maxResponseBytes: maxResponseBytes))
    do {
        try await body(client)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}
