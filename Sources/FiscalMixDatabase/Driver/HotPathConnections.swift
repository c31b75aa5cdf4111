public import Logging
public import PostgresNIO
import Synchronization

/// The job pass's own PostgreSQL connections, kept outside `PostgresClient`'s pool.
///
/// Why not the pool: each time it takes a connection back it arms a keep-alive timer (30 s) and
/// an idle-timeout timer (60 s), and cancels them when the connection is lent again. On this
/// Swift runtime a cancelled `Task.sleep` keeps its allocation until the deadline it was given
/// (swiftlang/swift#60441; a 2 s sleep cancelled 100,000 times held 15 MB for 2 s here), so a
/// worker running thousands of passes a second held two timers per pass for up to a minute:
/// four drains of 50,000 jobs with four handlers grew the benchmark process from 77 to 145 MB
/// (heaptrack: 15 MB still held in 52,793 sleeps at the end of two drains), on top of the three
/// tasks each park spawned. Here a connection is taken from a stack and put back: no timers.
///
/// There are as many as passes run at once (a worker runs `passesInFlight`), opened on first
/// need; at most `keptIdle` wait between passes, any others are closed when given back. A
/// connection that has closed (the server went away, a network error) is dropped and the next
/// pass opens a new one; the pass that met the error fails and its worker runs it again.
package final class HotPathConnections: Sendable {
    package let configuration: PostgresConnection.Configuration
    package let keptIdle: Int
    package let logger: Logger
    private let state = Mutex<State>(State())

    package struct State {
        var idle: [PostgresConnection] = []
        var opened = 0
        var shutDown = false
    }

    package init(configuration: PostgresConnection.Configuration, keptIdle: Int, logger: Logger) {
        self.configuration = configuration
        self.keptIdle = keptIdle
        self.logger = logger
    }

    package func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let connection = try await take()
        defer { giveBack(connection) }
        return try await body(connection)
    }

    private func take() async throws -> PostgresConnection {
        while true {
            let (idle, id) = try state.withLock { state -> (PostgresConnection?, Int) in
                guard !state.shutDown else { throw StorageError.invalidConfiguration("the database has been shut down") }
                if let idle = state.idle.popLast() { return (idle, 0) }
                state.opened += 1
                return (nil, state.opened)
            }
            guard let idle else { return try await PostgresConnection.connect(configuration: configuration, id: id, logger: logger) }
            if !idle.isClosed { return idle }
        }
    }

    private func giveBack(_ connection: PostgresConnection) {
        guard !connection.isClosed else { return }
        let kept = state.withLock { state -> Bool in
            guard !state.shutDown, state.idle.count < keptIdle else { return false }
            state.idle.append(connection)
            return true
        }
        if !kept { connection.close().whenComplete { _ in } }
    }

    /// Closes the waiting connections; any taken later is refused.
    package func shutdown() async {
        let idle = state.withLock { state -> [PostgresConnection] in
            state.shutDown = true
            defer { state.idle.removeAll() }
            return state.idle
        }
        for connection in idle { try? await connection.close() }
    }
}
