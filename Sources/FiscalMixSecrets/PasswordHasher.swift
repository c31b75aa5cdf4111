import HummingbirdBcrypt
public import NIOPosix

/// bcrypt password hashing, run on NIO's blocking thread pool so a 250 ms hash never stalls the
/// cooperative executor that serves requests.
public struct PasswordHasher: Sendable {
    /// OWASP's floor for bcrypt today; configuration may raise it, never lower it.
    public static let minimumCost = 12
    public let cost: Int
    let threadPool: NIOThreadPool

    public init(cost: Int = PasswordHasher.minimumCost, threadPool: NIOThreadPool = .singleton) {
        self.cost = max(cost, PasswordHasher.minimumCost)
        self.threadPool = threadPool
    }

    public func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await threadPool.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await threadPool.runIfActive { Bcrypt.verify(password, hash: hash) }
    }

    /// A valid hash of an unguessable password, verified against when the email is unknown so
    /// that "no such user" and "wrong password" take the same time.
    public func decoyHash() async throws -> String {
        try await hash(OpaqueToken.generate())
    }
}
