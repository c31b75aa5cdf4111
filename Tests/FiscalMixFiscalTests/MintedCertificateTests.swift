import Crypto
import FiscalMixCore
import FiscalMixDFe
import FiscalMixOutbound
import FiscalMixSefazPeer
import FiscalMixTestSupport
import Foundation
import NIOSSL
import Testing
import _CryptoExtras

@testable import FiscalMixFiscal

/// The peer's test CA minting e-CNPJ-like A1 files: the product's own reader opens them, OpenSSL
/// (an independent PKCS#12 implementation) verifies their MAC and encryption, and the peer takes
/// them by chain over mutual TLS.
@Suite struct MintedCertificateTests {
    static let cnpj = "11222333000181"

    @Test func theProductOpensAMintedA1AndReadsItsICPBrasilCNPJ() throws {
        let authority = try SefazTestAuthority()
        let minted = try authority.mintECNPJ(cnpj: Self.cnpj, companyName: "EMPRESA MINTADA LTDA")
        // A non-ASCII password: the MAC key takes it as a BMPString, PBES2 as UTF-8.
        let password = "senha forte ção"
        let pfx = try minted.pkcs12(password: password)

        let opened = try A1Certificate.open(pfx: pfx, password: password, now: Date(), companyCNPJ: Self.cnpj)
        #expect(opened.metadata.cnpj == Self.cnpj)
        #expect(opened.chain.count == 2)
        #expect(opened.leaf == minted.certificate)
        #expect(opened.metadata.subject.contains("EMPRESA MINTADA LTDA:\(Self.cnpj)"))

        #expect(throws: FiscalError.self) { _ = try A1Certificate.open(pfx: pfx, password: "senha errada", now: Date()) }
        do {
            _ = try A1Certificate.open(pfx: pfx, password: password, now: Date(), companyCNPJ: "07934034000100")
            Issue.record("another company's root was accepted")
        } catch { #expect(error.code == .certificateCnpjMismatch) }

        let expired = try authority.mintECNPJ(
            cnpj: Self.cnpj, notBefore: Date().addingTimeInterval(-400 * 86_400),
            notAfter: Date().addingTimeInterval(-86_400))
        let expiredPFX = try expired.pkcs12(password: password)
        do {
            _ = try A1Certificate.open(pfx: expiredPFX, password: password, now: Date())
            Issue.record("an expired certificate was accepted")
        } catch { #expect(error.code == .certificateExpired) }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"), "needs the openssl command"))
    func openSSLVerifiesTheMACAndDecryptsTheMintedFile() throws {
        let minted = try SefazTestAuthority().mintECNPJ(cnpj: Self.cnpj)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("minted-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("a1.pfx")
        try Data(try minted.pkcs12(password: "teste123")).write(to: file)

        let good = try Self.openssl(["pkcs12", "-in", file.path, "-passin", "pass:teste123", "-info", "-nodes"])
        #expect(good.status == 0, "\(good.output)")
        #expect(good.output.contains("MAC: sha256"))
        #expect(good.output.contains("PBES2, PBKDF2, AES-256-CBC"))
        #expect(good.output.contains("Shrouded Keybag"))
        // The key OpenSSL decrypted is the minted one.
        let keyPEM = try #require(good.output.range(of: "-----BEGIN PRIVATE KEY-----").map { String(good.output[$0.lowerBound...]) })
        let decrypted = try _RSA.Signing.PrivateKey(
            pemRepresentation: String(keyPEM.prefix(through: keyPEM.range(of: "-----END PRIVATE KEY-----")!.upperBound)))
        #expect(decrypted.publicKey.derRepresentation == minted.privateKey.publicKey.derRepresentation)

        let wrong = try Self.openssl(["pkcs12", "-in", file.path, "-passin", "pass:errada", "-info", "-nodes"])
        #expect(wrong.status != 0 && wrong.output.contains("Mac verify error"), "\(wrong.output)")
    }

    /// No pinning: the peer accepts what its CA minted, by chain, and refuses a certificate
    /// another CA minted for the same CNPJ.
    @Test func thePeerAcceptsItsOwnMintedCertificatesByChain() async throws {
        let authority = try SefazTestAuthority()
        let password = "teste123"
        let identity = try A1Certificate.open(
            pfx: try authority.mintECNPJ(cnpj: Self.cnpj).pkcs12(password: password), password: password, now: Date())
        let stranger = try A1Certificate.open(
            pfx: try SefazTestAuthority().mintECNPJ(cnpj: Self.cnpj).pkcs12(password: password),
            password: password, now: Date())
        try await SefazPeer.run(authority: authority) { peer in
            var feed = SefazFeed(recipient: Self.cnpj)
            feed.addNFe(count: 10)
            peer.add(feed.documents, for: Self.cnpj)
            let outbound = OutboundClient(configuration: .init(addressGuard: AddressGuard(allowed: ["127.0.0.1"])))
            let client = SefazDistributionClient(outbound: outbound)
            let request = DistributionRequest(service: .nfe, environment: 1, ufCode: 35, cnpj: Self.cnpj, query: .after(nsu: 0))
            let endpoint = peer.baseURL + DistributionService.nfe.path
            let tls = try SefazDistributionClient.tlsConfiguration(identity: identity, trustRootsPEM: peer.authority.caPEM)
            let answer = try await client.call(request, endpoint: endpoint, tls: tls, policy: Policy(), context: OutboundContext(policyKey: "a"))
            #expect(answer.statusCode == 138 && answer.documents.count == feed.documents.count)

            let strangerTLS = try SefazDistributionClient.tlsConfiguration(identity: stranger, trustRootsPEM: peer.authority.caPEM)
            await #expect(throws: (any Error).self) {
                _ = try await client.call(request, endpoint: endpoint, tls: strangerTLS, policy: Policy(), context: OutboundContext(policyKey: "b"))
            }
            try await outbound.shutdown()
        }
    }

    /// The legacy encoding (RC2-40 certificate bag, 3DES key, SHA-1 MAC) opens in process and
    /// holds the same certificate as the modern one.
    @Test(.enabled(if: TestCertificates.openssl != nil, "writing the legacy PKCS#12 encoding needs openssl"))
    func theLegacyEncodingOpensInProcess() throws {
        let legacy = try TestCertificates.legacyPKCS12()
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("legacy-\(UUID().uuidString).p12")
        try Data(legacy).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let info = try Self.openssl(["pkcs12", "-in", file.path, "-info", "-noout", "-legacy", "-passin", "pass:\(TestCertificates.password)"])
        #expect(info.output.contains("pbeWithSHA1And40BitRC2-CBC") && info.output.contains("MAC: sha1"), "\(info.output)")
        let modern = try A1Certificate.open(pfx: try TestCertificates.modernPKCS12(), password: TestCertificates.password, now: Date())
        let opened = try A1Certificate.open(pfx: legacy, password: TestCertificates.password, now: Date())
        #expect(opened.metadata.cnpj == TestCertificates.cnpj && opened.metadata.fingerprint == modern.metadata.fingerprint)
        #expect(throws: (any Error).self) { try A1Certificate.open(pfx: legacy, password: "wrong", now: Date()) }
    }

    static func openssl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try TestCertificates.openssl(arguments, executable: URL(fileURLWithPath: "/usr/bin/openssl"))
    }
}
