import Hummingbird
public import Logging
public import NIOCore
public import ServiceLifecycle

/// The lifecycle the test servers share: start an application on a free loopback port, hand
/// `body` the server once it listens, then stop it gracefully.
package enum LocalServer {
    package static func run<App: Service, Server: Sendable, T: Sendable>(
        logger: Logger,
        makeApp: (_ onServerRunning: @escaping @Sendable (any Channel) async -> Void) throws -> App,
        makeServer: (_ port: Int) -> Server,
        _ body: @Sendable (Server) async throws -> T
    ) async throws -> T {
        let started = AsyncStream<Int>.makeStream()
        let app = try makeApp { channel in started.continuation.yield(channel.localAddress?.port ?? 0) }
        // A graceful shutdown, not a cancellation: the server stops accepting and closes its
        // connections in order (cancelling it while a client connects trips NIO's precondition
        // that every async channel is finished).
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await services.run()
                return nil
            }
            var iterator = started.stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let server = makeServer(port)
            do {
                let result = try await body(server)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
