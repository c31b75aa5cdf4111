public import Foundation

/// Wall-clock port so expiry, throttling and TOTP logic can be tested with an injected time.
public protocol WallClock: Sendable {
    func now() -> Date
}

extension Duration {
    /// The duration in seconds, for arithmetic with `TimeInterval`s.
    @inlinable public var seconds: TimeInterval { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
