public import Foundation

/// Counts API requests per client in fixed windows (docs/data-model.md `rate_limits`: client, window
/// start, count) — a port: in memory for one process, in the database when several server
/// processes must share the counts.
public protocol RequestCounter: Sendable {
    /// Counts one request for each of `clients` in the window starting at `windowStart`;
    /// returns each client's count in that window, this request included, in order.
    func hit(_ clients: [String], accountId: UUID, windowStart: Date) async throws -> [Int]
}

/// What the API allows per fixed window: per API key (or signed-in user) and per account.
/// 0 means no limit.
public struct APIRateLimits: Sendable, Equatable {
    public var perClient: Int
    public var perAccount: Int
    public var window: TimeInterval

    public init(perClient: Int, perAccount: Int, window: TimeInterval = 60) {
        self.perClient = perClient
        self.perAccount = perAccount
        self.window = window
    }

    public static let off = APIRateLimits(perClient: 0, perAccount: 0)
    public var isOff: Bool { perClient <= 0 && perAccount <= 0 }
}
