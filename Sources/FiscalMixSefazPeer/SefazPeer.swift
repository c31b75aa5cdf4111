public import FiscalMixCore
public import FiscalMixDFe
import FiscalMixXML
import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
public import NIOSSL
import ServiceLifecycle
import Synchronization

/// A local stand-in for the Ambiente Nacional's distribution services: HTTPS with **mutual TLS**
/// (the client must present a certificate its trust roots accept), SOAP 1.1 and 1.2 (answered in
/// the version asked), NFeDistribuicaoDFe v1.01 and CTeDistribuicaoDFe v1.00, schema checks (215),
/// and the consumption rules in `SefazPeerRules`. Started in-process by tests and by
/// `fiscalmix sefaz-sim`. docs/sefaz.md lists where the real service may differ.
public final class SefazPeer: Sendable {
    public let port: Int
    public let authority: SefazTestAuthority
    private let rules: RulesBox
    private let clock: any WallClock

    init(port: Int, authority: SefazTestAuthority, rules: RulesBox, clock: any WallClock) {
        self.port = port
        self.authority = authority
        self.rules = rules
        self.clock = clock
    }

    public var baseURL: String { "https://127.0.0.1:\(port)" }

    public func add(_ document: SefazPeerRules.FeedDocument, for cnpj: String, service: DistributionService = .nfe) {
        rules.state.withLock { $0.append(document, for: cnpj, service: service) }
    }
    public func add(_ documents: [SefazPeerRules.FeedDocument], for cnpj: String, service: DistributionService = .nfe) {
        rules.state.withLock { rules in for document in documents { rules.append(document, for: cnpj, service: service) } }
    }
    /// The tpAmb the peer serves (1 produção, 2 homologação); a request for the other is 252.
    public var environment: Int {
        get { rules.state.withLock { $0.environment } }
        set { rules.state.withLock { $0.environment = newValue } }
    }
    public var answered656: Int { rules.state.withLock { $0.answered656 } }
    /// Answer a repeated manifestação with 135 and a new protocol instead of 573.
    public var registersRepeats: Bool {
        get { rules.state.withLock { $0.events.registersRepeats } }
        set { rules.state.withLock { $0.events.registersRepeats = newValue } }
    }
    /// Full XMLs the AN releases to `cnpj` only after a ciência, confirmação or operação não realizada.
    public func withhold(_ documents: [(key: String, schema: String, xml: [UInt8])], for cnpj: String) {
        rules.state.withLock { rules in for d in documents { rules.events.withheld[d.key] = (cnpj, d.schema, d.xml) } }
    }
    public func maxNSU(for cnpj: String, service: DistributionService = .nfe) -> Int64 {
        rules.state.withLock { $0.maxNSU(for: cnpj, service: service) }
    }
    /// Every distNSU/consNSU answer's cStat, in order.
    public var answeredStatuses: [Int] { rules.state.withLock { $0.answeredStatuses } }

    /// Runs a peer on `port` (0: any free one) whose TLS accepts the client certificates its
    /// authority minted, and the ones in `clientRoots` (pinned).
    public static func run<T: Sendable>(
        clientRoots: [NIOSSLCertificate] = [], clock: any WallClock = SystemWallClock(),
        authority: SefazTestAuthority? = nil, port: Int = 0, answerDelay: Duration = .zero,
        _ body: @Sendable (SefazPeer) async throws -> T
    ) async throws -> T {
        let authority = try authority ?? SefazTestAuthority()
        let rules = RulesBox()
        let router = Router(context: SefazPeerContext.self)
        for service in DistributionService.allCases {
            router.post(RouterPath(stringLiteral: service.path)) { request, context in
                let body = try await request.body.collect(upTo: 1 << 20)
                // A slower AN, so tests can act while a sync is in flight.
                if answerDelay > .zero { try await Task.sleep(for: answerDelay) }
                return Self.respond(
                    service: service, body: Array(buffer: body), certificateCNPJ: try await context.clientCNPJ(), rules: rules,
                    now: clock.now())
            }
        }
        router.post(RouterPath(stringLiteral: RecepcaoEvento.path)) { request, context in
            let body = try await request.body.collect(upTo: 1 << 20)
            return SefazEventReception.respond(
                body: Array(buffer: body), certificateCNPJ: try await context.clientCNPJ(), rules: rules,
                now: clock.now())
        }
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(authority.serverCertificate)],
            privateKey: .privateKey(authority.serverKey))
        tls.certificateVerification = .noHostnameVerification
        tls.minimumTLSVersion = .tlsv12
        // Client certificates the authority minted are checked by chain (RFC 5280, at the peer's
        // clock). The fake e-CNPJ samples are self-signed end-entity certificates, which BoringSSL
        // will not take as trust anchors, so those are pinned instead. Every other certificate (or
        // none) is refused during the handshake.
        let pinned = Set(clientRoots.compactMap { try? $0.toDERBytes() })
        let channelConfiguration = TLSChannelConfiguration(tlsConfiguration: tls) { certificates in
            guard let leaf = certificates.first, let der = try? leaf.toDERBytes() else { return .failed }
            if pinned.contains(der) { return .certificateVerified }
            return await authority.issued(certificates, at: clock.now()) ? .certificateVerified : .failed
        }
        var logger = Logger(label: "sefaz-peer")
        logger.logLevel = .critical
        return try await LocalServer.run(
            logger: logger,
            makeApp: { onServerRunning in
                Application(
                    router: router, server: try .tls(.http1(), configuration: channelConfiguration),
                    configuration: .init(address: .hostname("127.0.0.1", port: port)), onServerRunning: onServerRunning, logger: logger)
            }, makeServer: { port in SefazPeer(port: port, authority: authority, rules: rules, clock: clock) }, body)
    }

    static func respond(service: DistributionService, body: [UInt8], certificateCNPJ: String?, rules: RulesBox, now: Date) -> Response {
        let envelope: XElement
        do { envelope = try XReader.parse(body) } catch { return fault(soap: SOAP.v12, "The request is not well-formed XML: \(error)") }
        let soap = envelope.namespace == SOAP.v11 ? SOAP.v11 : SOAP.v12
        guard envelope.localName == "Envelope", envelope.namespace == SOAP.v11 || envelope.namespace == SOAP.v12,
            let operation = envelope.child("Body")?.child(service.operation), operation.namespace == service.wsdlNamespace,
            let message = operation.child(service.dataElement)?.child("distDFeInt")
        else { return fault(soap: soap, "Expected \(service.operation)/\(service.dataElement)/distDFeInt in the SOAP body.") }
        let environment = rules.state.withLock { $0.environment }
        let answer: SefazPeerRules.Answer
        switch PeerRequestReader.read(message, service: service) {
        case .failure(let schemaError):
            answer = .init(status: 215, reason: "Rejeicao: Falha no schema XML (\(schemaError.message))", lastNSU: 0, maxNSU: 0, documents: [])
        case .success(let request):
            answer = rules.state.withLock { $0.answer(request, certificateCNPJ: certificateCNPJ, now: now) }
        }
        var xml =
            "<retDistDFeInt xmlns=\"\(service.dataNamespace)\" versao=\"\(service.version)\"><tpAmb>\(environment)</tpAmb>"
            + "<verAplic>FISCALMIX_PEER_1.0</verAplic><cStat>\(answer.status)</cStat><xMotivo>\(XMLText.escape(answer.reason))</xMotivo>"
            + "<dhResp>\(FiscalDateTime.brasilia(now))</dhResp><ultNSU>\(DistributionRequest.nsuText(answer.lastNSU))</ultNSU>"
            + "<maxNSU>\(DistributionRequest.nsuText(answer.maxNSU))</maxNSU>"
        if !answer.documents.isEmpty {
            xml += "<loteDistDFeInt>"
            for document in answer.documents {
                let zip = Data(document.rawZip ?? Gunzip.deflate(document.xml)).base64EncodedString()
                xml += "<docZip NSU=\"\(DistributionRequest.nsuText(document.nsu))\" schema=\"\(document.schema)\">\(zip)</docZip>"
            }
            xml += "</loteDistDFeInt>"
        }
        xml += "</retDistDFeInt>"
        let result = "<\(service.operation)Result>\(xml)</\(service.operation)Result>"
        return soapResponse(soap: soap, "<\(service.operation)Response xmlns=\"\(service.wsdlNamespace)\">\(result)</\(service.operation)Response>")
    }

    static func soapResponse(soap: String, _ content: String, status: HTTPResponse.Status = .ok) -> Response {
        let contentType = soap == SOAP.v11 ? "text/xml; charset=utf-8" : "application/soap+xml; charset=utf-8"
        let text = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"\(soap)\"><soap:Body>\(content)</soap:Body></soap:Envelope>"
        return Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func fault(soap: String, _ reason: String) -> Response {
        let content =
            soap == SOAP.v11
            ? "<soap:Fault><faultcode>soap:Client</faultcode><faultstring>\(XMLText.escape(reason))</faultstring></soap:Fault>"
            : "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code><soap:Reason><soap:Text xml:lang=\"en\">\(XMLText.escape(reason))</soap:Text></soap:Reason></soap:Fault>"
        return soapResponse(soap: soap, content, status: .internalServerError)
    }

}

final class RulesBox: Sendable {
    let state = Mutex(SefazPeerRules())
}

/// The request context the peer needs: the TLS channel, to read the client's certificate.
struct SefazPeerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The CNPJ of the certificate the client presented in the TLS handshake.
    func clientCNPJ() async throws -> String? {
        let certificate = try await channel.nioSSL_peerCertificate().get()
        return certificate.flatMap { try? $0.toDERBytes() }.flatMap { SefazTestAuthority.cnpj(inCertificateDER: $0) }
    }
}

/// `distDFeInt` against the patterns of distDFeInt_v1.01.xsd / the CT-e v1.00 schema.
enum PeerRequestReader {
    struct SchemaError: Error { let message: String }

    static func read(_ element: XElement, service: DistributionService) -> Result<PeerDistributionRequest, SchemaError> {
        func fail(_ message: String) -> Result<PeerDistributionRequest, SchemaError> { .failure(SchemaError(message: message)) }
        guard element.namespace == service.dataNamespace else { return fail("distDFeInt must be in \(service.dataNamespace)") }
        guard element.attribute("versao") == service.version else { return fail("versao must be \(service.version)") }
        guard let environment = element.child("tpAmb")?.text, environment == "1" || environment == "2" else { return fail("tpAmb must be 1 or 2") }
        let cnpj = element.child("CNPJ")?.text ?? element.child("CPF")?.text ?? ""
        let cnpjPattern =
            cnpj.count == 14 && cnpj.utf8.prefix(12).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) }
            && cnpj.utf8.suffix(2).allSatisfy { $0 >= 48 && $0 <= 57 }
        let cpfPattern = cnpj.count == 11 && cnpj.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
        guard cnpjPattern || cpfPattern else { return fail("CNPJ/CPF does not match its pattern") }
        func nsu(_ text: String?) -> Int64? {
            guard let text, text.utf8.count == 15, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
            return Int64(text)
        }
        let query: DistributionRequest.Query
        if let dist = element.child("distNSU") {
            guard let value = nsu(dist.child("ultNSU")?.text) else { return fail("ultNSU must have 15 digits") }
            query = .after(nsu: value)
        } else if let cons = element.child("consNSU") {
            guard let value = nsu(cons.child("NSU")?.text) else { return fail("NSU must have 15 digits") }
            query = .nsu(value)
        } else if service == .nfe, let key = element.child("consChNFe")?.child("chNFe")?.text, key.utf8.count == 44 {
            query = .accessKey(key)
        } else {
            return fail("one of distNSU, consNSU\(service == .nfe ? ", consChNFe" : "") is required")
        }
        return .success(PeerDistributionRequest(service: service, environment: Int(environment)!, cnpj: cnpj, query: query))
    }
}
