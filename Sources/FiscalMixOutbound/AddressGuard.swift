import Foundation
import NIOCore
import NIOPosix

/// The SSRF guard: after DNS resolution, refuses loopback, private, link-local (which includes
/// the cloud metadata address 169.254.169.254), carrier-grade NAT, multicast and unspecified
/// addresses — unless the deployment or the account allow-lists them.
public struct AddressGuard: Sendable {
    /// CIDR blocks (`10.0.0.0/8`, `::1/128`) and host names always allowed by the deployment.
    public var allowed: [String] { didSet { allowedBlocks = allowed.compactMap(CIDR.init) } }
    /// `allowed`'s blocks, parsed once rather than on every call.
    private var allowedBlocks: [CIDR]

    /// Internal blocks an account may open to its own calls: an account's rule counts only
    /// inside one of these (docs/security.md), so a tenant can never widen the deployment's reach.
    public var accountGrantable: [String] { didSet { grantableBlocks = accountGrantable.compactMap(CIDR.init) } }
    private var grantableBlocks: [CIDR]

    public init(allowed: [String] = [], accountGrantable: [String] = []) {
        self.allowed = allowed
        allowedBlocks = allowed.compactMap(CIDR.init)
        self.accountGrantable = accountGrantable
        grantableBlocks = accountGrantable.compactMap(CIDR.init)
    }

    static let blocked: [CIDR] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4", "::/128", "::1/128", "fc00::/7", "fe80::/10",
        "ff00::/8", "::ffff:0:0/96", "64:ff9b::/96",
    ].compactMap(CIDR.init)

    /// Resolves `host` and returns its addresses when every one of them may be reached.
    /// `extraAllowed` are the deployment's own exceptions for one call (an object store's host);
    /// `accountAllowed` the account's rules, of which only those inside `accountGrantable` count
    /// (rules saved before the deployment narrowed its grant are ignored, not obeyed).
    public func check(host: String, port: Int, extraAllowed: [String] = [], accountAllowed: [String] = []) async throws -> [String] {
        let named = { (rule: String) in rule.caseInsensitiveCompare(host) == .orderedSame }
        if allowed.contains(where: named) || extraAllowed.contains(where: named) { return [host] }
        let addresses = try await Self.resolve(host: host, port: port)
        guard !addresses.isEmpty else { throw OutboundError(.connectionFailed, "The host \(host) did not resolve.") }
        let extraBlocks = extraAllowed.compactMap(CIDR.init) + accountAllowed.compactMap(CIDR.init).filter(isGrantable)
        let allowedBlocks = extraBlocks.isEmpty ? self.allowedBlocks : self.allowedBlocks + extraBlocks
        for address in addresses {
            guard let ip = IPAddress(address) else { continue }
            if Self.blocked.contains(where: { $0.contains(ip) }), !allowedBlocks.contains(where: { $0.contains(ip) }) {
                throw OutboundError(
                    .addressRefused,
                    "The host \(host) resolves to \(address), an internal address this deployment does not call.")
            }
        }
        return addresses
    }

    static func resolve(host: String, port: Int) async throws -> [String] {
        if IPAddress(host) != nil { return [host] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0 else { return [] }
            defer { freeaddrinfo(result) }
            var addresses: [String] = []
            var cursor = result
            while let info = cursor {
                if let ip = Self.text(of: info.pointee), !addresses.contains(ip) { addresses.append(ip) }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}

extension AddressGuard {
    /// Whether `block` lies wholly inside one of the blocks accounts may be granted.
    func isGrantable(_ block: CIDR) -> Bool {
        grantableBlocks.contains {
            $0.network.count == block.network.count && $0.prefix <= block.prefix && $0.contains(IPAddress(bytes: block.network))
        }
    }

    /// Whether `text` is an address or a CIDR block.
    public static func isBlock(_ text: String) -> Bool { CIDR(text) != nil }

    /// The numeric text of a resolved address.
    /// The NUL-terminated text inet_ntop wrote.
    static func string(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func text(of info: addrinfo) -> String? {
        guard let address = info.ai_addr else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        switch info.ai_family {
        case AF_INET:
            return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                var raw = v4.pointee.sin_addr
                return inet_ntop(AF_INET, &raw, &buffer, socklen_t(buffer.count)).map { _ in Self.string(buffer) }
            }
        case AF_INET6:
            return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                var raw = v6.pointee.sin6_addr
                return inet_ntop(AF_INET6, &raw, &buffer, socklen_t(buffer.count)).map { _ in Self.string(buffer) }
            }
        default:
            return nil
        }
    }
}

/// An IPv4 or IPv6 address as 16 bytes (IPv4 mapped into ::ffff:0:0/96 is kept apart: IPv4
/// addresses are compared as 4 bytes).
struct IPAddress: Equatable {
    let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    init?(_ text: String) {
        var trimmed = text
        if trimmed.hasPrefix("["), trimmed.hasSuffix("]") { trimmed = String(trimmed.dropFirst().dropLast()) }
        if let zone = trimmed.firstIndex(of: "%") { trimmed = String(trimmed[..<zone]) }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, trimmed, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
        } else if inet_pton(AF_INET6, trimmed, &v6) == 1 {
            bytes = withUnsafeBytes(of: &v6) { Array($0) }
        } else {
            return nil
        }
    }
}

struct CIDR {
    let network: [UInt8]
    let prefix: Int

    init?(_ text: String) {
        // Empty pieces are kept so "" and "/8" are refused rather than indexing an empty split.
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let first = parts.first, let address = IPAddress(String(first)) else { return nil }
        network = address.bytes
        let maxPrefix = address.bytes.count * 8
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...maxPrefix).contains(prefix) else { return nil }
            self.prefix = prefix
        } else {
            prefix = maxPrefix
        }
    }

    func contains(_ address: IPAddress) -> Bool {
        guard address.bytes.count == network.count else { return false }
        var remaining = prefix
        for (a, n) in zip(address.bytes, network) {
            if remaining <= 0 { return true }
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a & mask != n & mask { return false }
            remaining -= bits
        }
        return true
    }
}
