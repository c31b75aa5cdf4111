import FiscalMixSefazPeer
public import Foundation
import Synchronization

/// The e-CNPJ A1 the tests upload, minted once per test process by the project's own test CA —
/// so a clone with nothing beside it has one: CNPJ 11222333000181, "EMPRESA TESTE LTDA", valid
/// from 2026-11-23T00:32:46Z to 2036-11-20T00:32:46Z, password `teste123`, in the modern PKCS#12
/// encoding (PBES2/AES, written by `PKCS12Writer`) and the legacy one many CA-issued files still
/// use (RC2-40 certificate bag, 3DES key, SHA-1 MAC), written by `openssl pkcs12 -legacy`.
public enum TestCertificates {
    public static let password = "teste123"
    public static let cnpj = "11222333000181"
    public static let companyName = "EMPRESA TESTE LTDA"
    public static let validFrom = Date(timeIntervalSince1970: 1_795_393_966)  // 2026-11-23T00:32:46Z
    public static let validTo = Date(timeIntervalSince1970: 2_110_753_966)  // 2036-11-20T00:32:46Z

    struct Minted: Sendable {
        let certificate: ECNPJCertificate
        let modern: [UInt8]
    }

    private static let mintedOnce: Minted? = {
        guard let authority = try? SefazTestAuthority(now: validFrom.addingTimeInterval(-86_400)),
            let certificate = try? authority.mintECNPJ(cnpj: cnpj, companyName: companyName, notBefore: validFrom, notAfter: validTo),
            let modern = try? certificate.pkcs12(password: password)
        else { return nil }
        return Minted(certificate: certificate, modern: modern)
    }()
    private static let legacy = Mutex<[UInt8]?>(nil)

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    static func mintedOrThrow() throws -> Minted {
        guard let minted = mintedOnce else { throw Unavailable(description: "the test CA could not mint the test certificate") }
        return minted
    }

    /// The modern PKCS#12 file.
    public static func modernPKCS12() throws -> [UInt8] { try mintedOrThrow().modern }

    /// The certificate alone, as PEM (not a PKCS#12 file).
    public static func certificatePEM() throws -> [UInt8] { Array(try mintedOrThrow().certificate.pem.utf8) }

    /// Where `openssl` is, when it can write the legacy encoding (OpenSSL 3 with `-legacy`).
    public static let openssl: URL? = ["/usr/bin/openssl", "/usr/local/bin/openssl", "/opt/homebrew/bin/openssl"]
        .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// The same certificate and key in the legacy encoding.
    public static func legacyPKCS12() throws -> [UInt8] {
        if let cached = legacy.withLock({ $0 }) { return cached }
        guard let openssl else { throw Unavailable(description: "writing a legacy PKCS#12 file needs openssl (apt-get install openssl)") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fm-legacy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let modern = directory.appendingPathComponent("modern.p12"), pem = directory.appendingPathComponent("all.pem")
        let output = directory.appendingPathComponent("legacy.p12")
        try Data(try modernPKCS12()).write(to: modern)
        try run(openssl, ["pkcs12", "-in", modern.path, "-passin", "pass:\(password)", "-nodes", "-out", pem.path])
        try run(openssl, ["pkcs12", "-export", "-legacy", "-in", pem.path, "-passout", "pass:\(password)", "-out", output.path])
        let bytes = Array(try Data(contentsOf: output))
        legacy.withLock { $0 = bytes }
        return bytes
    }

    private static func run(_ executable: URL, _ arguments: [String]) throws {
        let (status, said) = try openssl(arguments, executable: executable)
        guard status == 0 else { throw Unavailable(description: "openssl \(arguments.first ?? "") failed: \(said)") }
    }

    /// Runs openssl with `arguments`; its status and everything it printed.
    public static func openssl(_ arguments: [String], executable: URL? = openssl) throws -> (status: Int32, output: String) {
        guard let executable else { throw Unavailable(description: "openssl is not installed") }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let said = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: said, as: UTF8.self))
    }
}
