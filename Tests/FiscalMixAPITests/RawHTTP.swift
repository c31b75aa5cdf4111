import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One exchange over a plain TCP socket, for what an HTTP client library hides: requests the
/// parser refuses, and whether the server closed the connection after answering.
enum RawHTTP {
    struct Answer {
        let bytes: [UInt8]
        /// The server closed its side (read returned 0) before `waitSeconds` ran out.
        let closedByServer: Bool
        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Sends `bytes` (as much as the server takes: it may stop reading) and reads until the
    /// server closes or `waitSeconds` pass. The socket is driven from a thread of its own: on
    /// the 2-core machines here, blocking a thread of Swift's cooperative pool could starve the
    /// very server under test.
    static func exchange(port: Int, send bytes: [UInt8], waitSeconds: Double) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try blockingExchange(port: port, send: bytes, waitSeconds: waitSeconds) }) }.start()
        }
    }

    private static func blockingExchange(port: Int, send bytes: [UInt8], waitSeconds: Double) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(description: "connect failed: \(errno)") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        let deadline = Date().addingTimeInterval(waitSeconds)
        var sent = 0
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN) | (sent < bytes.count ? Int16(POLLOUT) : 0), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { break }
            if poller.revents & Int16(POLLIN) != 0 || poller.revents & Int16(POLLHUP) != 0 {
                let n = read(fd, &buffer, buffer.count)
                if n == 0 { return Answer(bytes: received, closedByServer: true) }
                if n < 0 {
                    if errno == ECONNRESET { return Answer(bytes: received, closedByServer: true) }
                    if errno != EAGAIN { break }
                } else {
                    received += buffer[..<n]
                }
            }
            if sent < bytes.count, poller.revents & Int16(POLLOUT) != 0 {
                let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, min(65_536, bytes.count - sent), Int32(MSG_NOSIGNAL)) }
                if n > 0 { sent += n } else if errno == EPIPE || errno == ECONNRESET { sent = bytes.count }
            }
        }
        return Answer(bytes: received, closedByServer: false)
    }
}
