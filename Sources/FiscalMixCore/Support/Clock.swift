import Foundation

/// Wall-clock port so expiry, throttling and TOTP logic can be tested with an injected time.
public protocol WallClock: Sendable {
    func now() -> Date
}

public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
