public import FiscalMixCore
public import FiscalMixDFe
public import FiscalMixOutbound
import Foundation
public import NIOSSL

/// Calls NFeDistribuicaoDFe / CTeDistribuicaoDFe over mutual TLS with the company's A1
/// certificate, through the one outbound client (policy, SSRF guard, request log).
public struct SefazDistributionClient: Sendable {
    let outbound: OutboundClient

    public init(outbound: OutboundClient) { self.outbound = outbound }

    /// TLS 1.2+, the A1 chain as client identity, and the configured roots (ICP-Brasil / SEFAZ
    /// chains are not in default trust stores; verification stays on).
    public static func tlsConfiguration(identity: A1Certificate, trustRootsPEM: String?) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.certificateChain = identity.chain.map { .certificate($0) }
        tls.privateKey = .privateKey(identity.privateKey)
        if let trustRootsPEM, !trustRootsPEM.isEmpty {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustRootsPEM.utf8)))
        }
        return tls
    }

    public func call(
        _ request: DistributionRequest, endpoint: String, tls: TLSConfiguration, policy: Policy,
        context: OutboundContext
    ) async throws -> DistributionResponse {
        let (body, contentType) = request.soap12
        let call = OutboundRequest(
            method: "POST", url: endpoint, headers: [("Content-Type", contentType)], body: body,
            operation: "sefaz.\(request.service.operation)", tlsConfiguration: tls)
        // A distribution query changes the AN's view of our NSU sequence: never retried blindly.
        var policy = policy
        policy.retry.maxAttempts = 1
        let response = try await outbound.execute(call, policy: policy, context: context)
        do {
            return try DistributionResponse.parse(response.body)
        } catch {
            throw FiscalError(
                .unavailable, .sefazBadAnswer,
                "SEFAZ answered HTTP \(response.status) with something that is not a distribution answer: \(error.message)")
        }
    }
}
