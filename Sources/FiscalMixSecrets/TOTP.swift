import Crypto
import FiscalMixCore
public import Foundation

/// RFC 6238 time-based one-time passwords (HMAC-SHA1, 6 digits, 30 s), with the checks
/// hummingbird-auth leaves to its users: a ±1 step window, constant-time comparison, and
/// refusal of any step at or before the last one accepted (a code cannot be used twice).
public struct TOTP: Sendable {
    public static let period: TimeInterval = 30
    public static let digits = 6

    public let secret: [UInt8]

    public init(secret: [UInt8]) { self.secret = secret }

    public static func generateSecret() -> [UInt8] {
        var rng = SystemRandomNumberGenerator()
        return (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
    }

    public static func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / period).rounded(.down)) }

    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16)
            | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step that `code` matches within ±1 step of `date`, if it is newer than `lastUsedStep`.
    /// Every candidate is compared, matched or not, so timing does not reveal which one hit.
    public func verify(_ code: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let candidate = Array(code.filter { !$0.isWhitespace }.utf8)
        guard candidate.count == Self.digits else { return nil }
        let now = Self.step(at: date)
        var matched: Int64?
        for step in (now - 1)...(now + 1) {
            if constantTimeEquals(Array(self.code(step: step).utf8), candidate), step > (lastUsedStep ?? Int64.min) {
                matched = step
            }
        }
        return matched
    }

    public func provisioningURI(account: String, issuer: String = "FiscalMix") -> String {
        func escape(_ s: String) -> String {
            s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._~@"))) ?? s
        }
        return
            "otpauth://totp/\(escape(issuer)):\(escape(account))?secret=\(Base32.encode(secret))&issuer=\(escape(issuer))&algorithm=SHA1&digits=\(Self.digits)&period=\(Int(Self.period))"
    }
}

/// RFC 4648 base32 without padding, as authenticator apps expect in `otpauth://` URIs.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for char in text.uppercased().utf8 where char != UInt8(ascii: "=") {
            guard let value = alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 5) | UInt32(value)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}
