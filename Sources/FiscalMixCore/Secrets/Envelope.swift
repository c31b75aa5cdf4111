import Foundation

/// A secret sealed by the envelope service, as stored (docs/data-model.md's columns plus the wrapped data
/// key and the KEK id). Every field is base64 or an identifier: safe to log, useless alone.
public struct Envelope: Sendable, Equatable {
    public static let algorithm = "AES-256-GCM"
    public var encVersion: Int
    public var encAlg: String
    public var encNonce: String
    public var encCiphertext: String
    public var wrappedDEK: String
    public var kekId: String

    public init(
        encVersion: Int = 1, encAlg: String = Envelope.algorithm, encNonce: String, encCiphertext: String, wrappedDEK: String,
        kekId: String
    ) {
        self.encVersion = encVersion
        self.encAlg = encAlg
        self.encNonce = encNonce
        self.encCiphertext = encCiphertext
        self.wrappedDEK = wrappedDEK
        self.kekId = kekId
    }
}
