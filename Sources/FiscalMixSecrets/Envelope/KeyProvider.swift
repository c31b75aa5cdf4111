public import Crypto
public import Foundation

/// Wraps and unwraps data keys with a key-encryption key (KEK). The local master key implements
/// it now; a cloud KMS (its Encrypt/Decrypt calls) can later, which is why it is async.
public protocol KeyProvider: Sendable {
    /// The KEK new data keys are wrapped with.
    var currentKeyId: String { get }
    func wrap(_ dataKey: SymmetricKey) async throws -> (wrapped: Data, keyId: String)
    func unwrap(_ wrapped: Data, keyId: String) async throws -> SymmetricKey
}

public enum KeyProviderError: Error, Equatable, CustomStringConvertible {
    /// The secret was wrapped by a KEK this deployment does not hold.
    case unknownKey(String)
    case unwrapFailed(keyId: String)

    public var description: String {
        switch self {
        case .unknownKey(let id):
            "a data key was wrapped by master key \(id), which is not configured (set FISCALMIX_PREVIOUS_MASTER_KEYS during a rotation)"
        case .unwrapFailed(let id): "a data key failed to unwrap under master key \(id) (tampered or wrong key)"
        }
    }
}

/// The deployment's master key(s): the current one wraps, previous ones (during a rotation)
/// still unwrap. Wrapping is AES-256-GCM with the key id as additional data.
public struct LocalKeyProvider: KeyProvider {
    let current: MasterKey
    let keys: [String: MasterKey]

    public init(current: MasterKey, previous: [MasterKey] = []) {
        self.current = current
        var keys: [String: MasterKey] = [:]
        for key in previous { keys[key.keyId] = key }
        keys[current.keyId] = current
        self.keys = keys
    }

    public var currentKeyId: String { current.keyId }

    public func wrap(_ dataKey: SymmetricKey) async throws -> (wrapped: Data, keyId: String) {
        let bytes = dataKey.withUnsafeBytes { Data($0) }
        let box = try AES.GCM.seal(bytes, using: current.key, authenticating: Data("fiscalmix-dek:\(current.keyId)".utf8))
        return (box.combined!, current.keyId)
    }

    public func unwrap(_ wrapped: Data, keyId: String) async throws -> SymmetricKey {
        guard let kek = keys[keyId] else { throw KeyProviderError.unknownKey(keyId) }
        do {
            let box = try AES.GCM.SealedBox(combined: wrapped)
            return SymmetricKey(data: try AES.GCM.open(box, using: kek.key, authenticating: Data("fiscalmix-dek:\(keyId)".utf8)))
        } catch {
            throw KeyProviderError.unwrapFailed(keyId: keyId)
        }
    }
}
