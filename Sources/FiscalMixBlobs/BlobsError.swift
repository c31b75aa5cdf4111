public import FiscalMixCore

/// What the blob stores refuse.
/// Each code is public and stable (clients depend on it); the HTTP edge alone turns the error
/// into problem+json.
public typealias BlobsError = SliceError<BlobsErrorCode>

public struct BlobsErrorCode: PublicErrorCode {
    public enum Base: String, CaseIterable, Sendable {
        case linksUnavailable = "links_unavailable"
    }

    public let base: Base
    public init(base: Base) { self.base = base }

    public static let linksUnavailable = Self(base: .linksUnavailable)
}
