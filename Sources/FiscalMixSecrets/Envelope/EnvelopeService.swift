import Crypto
public import FiscalMixCore
public import Foundation

/// Where a sealed secret belongs. It is bound into the ciphertext as additional authenticated
/// data, so a ciphertext copied to another row, table or account fails to open.
public struct SealContext: Sendable, Equatable {
    public let table: String
    public let rowId: String
    public let accountId: UUID?

    public init(table: String, rowId: String, accountId: UUID?) {
        self.table = table
        self.rowId = rowId
        self.accountId = accountId
    }

    var additionalData: Data {
        Data("fiscalmix:v1|\(table)|\(rowId)|\(accountId?.uuidString.lowercased() ?? "-")".utf8)
    }
}

public enum EnvelopeError: Error, Equatable, CustomStringConvertible {
    case unsupported(version: Int, algorithm: String)
    case malformed(table: String, rowId: String)
    case authenticationFailed(table: String, rowId: String)

    public var description: String {
        switch self {
        case .unsupported(let v, let alg): "sealed secret uses an unsupported format (version \(v), \(alg))"
        case .malformed(let t, let id): "sealed secret of \(t) \(id) is malformed"
        case .authenticationFailed(let t, let id):
            "sealed secret of \(t) \(id) failed authentication (tampered, or moved from another row or account)"
        }
    }
}

/// The one service that seals every secret in FiscalMix: a fresh 256-bit data key per secret,
/// AES-256-GCM under it with the row bound as additional data, the data key wrapped by the
/// `KeyProvider`. Plaintext and data keys exist only in memory.
public struct EnvelopeService: Sendable {
    public let keys: any KeyProvider

    public init(keys: any KeyProvider) { self.keys = keys }

    public func seal(_ plaintext: some DataProtocol, for context: SealContext) async throws -> Envelope {
        let dataKey = SymmetricKey(size: .bits256)
        let nonce = AES.GCM.Nonce()
        let box = try AES.GCM.seal(plaintext, using: dataKey, nonce: nonce, authenticating: context.additionalData)
        let (wrapped, keyId) = try await keys.wrap(dataKey)
        return Envelope(
            encNonce: Data(nonce).base64EncodedString(), encCiphertext: (box.ciphertext + box.tag).base64EncodedString(),
            wrappedDEK: wrapped.base64EncodedString(), kekId: keyId)
    }

    public func open(_ envelope: Envelope, for context: SealContext) async throws -> Data {
        guard envelope.encVersion == 1, envelope.encAlg == Envelope.algorithm else {
            throw EnvelopeError.unsupported(version: envelope.encVersion, algorithm: envelope.encAlg)
        }
        guard let nonceBytes = Data(base64Encoded: envelope.encNonce), let sealed = Data(base64Encoded: envelope.encCiphertext),
            let wrapped = Data(base64Encoded: envelope.wrappedDEK), sealed.count >= 16,
            let nonce = try? AES.GCM.Nonce(data: nonceBytes)
        else {
            throw EnvelopeError.malformed(table: context.table, rowId: context.rowId)
        }
        let dataKey = try await keys.unwrap(wrapped, keyId: envelope.kekId)
        do {
            let box = try AES.GCM.SealedBox(nonce: nonce, ciphertext: sealed.dropLast(16), tag: sealed.suffix(16))
            return try AES.GCM.open(box, using: dataKey, authenticating: context.additionalData)
        } catch {
            throw EnvelopeError.authenticationFailed(table: context.table, rowId: context.rowId)
        }
    }

    /// The same secret with its data key wrapped by this service's current KEK: the ciphertext
    /// is untouched and no plaintext is produced (what key rotation does).
    public func rewrap(_ envelope: Envelope) async throws -> Envelope {
        guard envelope.kekId != keys.currentKeyId else { return envelope }
        guard let wrapped = Data(base64Encoded: envelope.wrappedDEK) else { throw EnvelopeError.malformed(table: "?", rowId: "?") }
        let dataKey = try await keys.unwrap(wrapped, keyId: envelope.kekId)
        let (rewrapped, keyId) = try await keys.wrap(dataKey)
        var result = envelope
        result.wrappedDEK = rewrapped.base64EncodedString()
        result.kekId = keyId
        return result
    }
}
