import Crypto
import FiscalMixCore
public import Foundation

/// AES-256-GCM sealing of small secrets directly under the master key, with additional
/// authenticated data that binds the ciphertext to its owner row (e.g. `users.mfa_secret:<id>`),
/// so a sealed value copied to another row fails to open.
///
/// Format: `v1.` + base64(nonce ‖ ciphertext ‖ tag). The envelope service (per-secret data keys)
/// supersedes this for connector and certificate secrets.
public struct SecretBox: Sendable {
    let masterKey: MasterKey

    public init(masterKey: MasterKey) { self.masterKey = masterKey }

    public func seal(_ plaintext: some DataProtocol, aad: String) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: masterKey.key, authenticating: Data(aad.utf8))
        guard let combined = box.combined else { throw SecretBoxError.sealFailed }
        return "v1." + combined.base64EncodedString()
    }

    public func open(_ sealed: String, aad: String) throws -> Data {
        guard sealed.hasPrefix("v1."), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else {
            throw SecretBoxError.malformed(owner: aad)
        }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            return try AES.GCM.open(box, using: masterKey.key, authenticating: Data(aad.utf8))
        } catch {
            // Name the owner, never the content.
            throw SecretBoxError.authenticationFailed(owner: aad)
        }
    }
}

public enum SecretBoxError: Error, CustomStringConvertible {
    case sealFailed
    case malformed(owner: String)
    case authenticationFailed(owner: String)

    public var description: String {
        switch self {
        case .sealFailed: "sealing failed"
        case .malformed(let owner): "sealed secret of \(owner) is malformed"
        case .authenticationFailed(let owner): "sealed secret of \(owner) failed authentication (wrong master key or tampered)"
        }
    }
}
