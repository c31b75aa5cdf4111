import FiscalMixApp
import FiscalMixSefazPeer
import FiscalMixTestSupport
import Foundation
import SwiftASN1
import Testing
import _CryptoExtras

@testable import FiscalMixFiscal

/// A PKCS#12 whose private key matches none of its certificates stops any process that hands it
/// to swift-nio-ssl. The upload opens it first in a child `fiscalmix inspect-pkcs12`: the child
/// dies, the upload is a 422, the server goes on.
@Suite struct CertificateIsolationTests {
    static let cnpj = "11222333000181"

    /// The company's certificate with somebody else's key.
    static func mismatchedPFX(password: String) throws -> [UInt8] {
        let authority = try SefazTestAuthority()
        let certificate = try authority.mintECNPJ(cnpj: cnpj)
        let otherKey = try authority.mintECNPJ(cnpj: cnpj).privateKey
        var der = DER.Serializer()
        try der.serialize(certificate.certificate)
        return try PKCS12Writer().write(certificates: [der.serializedBytes], pkcs8Key: Array(otherKey.pkcs8DERRepresentation), password: password)
    }

    @Test(.enabled(if: TestCertificates.openssl != nil, "writing the legacy PKCS#12 encoding needs openssl"))
    func aKeyMatchingNoCertificateIsRefusedAndTheServerLives() async throws {
        let password = "teste123"
        let hostile = try Self.mismatchedPFX(password: password)

        // What the isolation guards against: the child really dies on this file (a signal, not an exit).
        let child = Process()
        child.executableURL = try WorkerProcess.requireBinary()
        child.arguments = ["inspect-pkcs12"]
        let input = Pipe()
        child.standardInput = input
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        try input.fileHandleForWriting.write(contentsOf: A1Certificate.probeInput(pfx: hostile, password: password))
        try input.fileHandleForWriting.close()
        await WorkerProcess.exit(of: child)
        #expect(child.terminationReason == .uncaughtSignal)

        let inspector = try WorkerProcess.requireBinary().path
        try await TestServer.run(configure: { $0.pkcs12Inspector = inspector }) { server in
            let (_, auth) = try await server.ownerApiKey()
            let companyId = try await CertificateAPITests.company(server, cnpj: Self.cnpj, auth: auth)
            let refused = try await CertificateAPITests.upload(server, companyId: companyId, file: hostile, password: password, auth: auth)
            #expect(refused.status == 422 && refused.code == "certificate_key_mismatch", "\(refused.text)")
            #expect(!refused.text.contains(password))

            // Still serving; good files still go through the child: a CA-style legacy file, a
            // wrong password (BoringSSL refuses, the child lives, the precise code comes back) and
            // a minted modern one.
            let legacy = try await CertificateAPITests.upload(
                server, companyId: companyId, file: try TestCertificates.legacyPKCS12(),
                password: CertificateAPITests.password, auth: auth)
            #expect(legacy.status == 201, "\(legacy.text)")
            let wrong = try await CertificateAPITests.upload(
                server, companyId: companyId, file: try TestCertificates.modernPKCS12(),
                password: "errada", auth: auth)
            #expect(wrong.code == "certificate_wrong_password", "\(wrong.text)")
            let minted = try SefazTestAuthority().mintECNPJ(cnpj: Self.cnpj).pkcs12(password: password)
            #expect(try await CertificateAPITests.upload(server, companyId: companyId, file: minted, password: password, auth: auth).status == 201)
        }
    }
}
