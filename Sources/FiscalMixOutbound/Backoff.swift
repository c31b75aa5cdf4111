import FiscalMixCore
public import Foundation

/// Retry timing: full-jitter exponential backoff, stretched by a server's `Retry-After`.
public enum Backoff {
    /// random(0, min(maxDelay, baseDelay · 2^(attempt−1))) after `attempt` failed attempts — the
    /// jobs' full-jitter backoff, in milliseconds.
    static func delay(afterAttempt attempt: Int, _ retry: Policy.Retry) -> Duration {
        var random = SystemRandomNumberGenerator()
        let seconds = RetryPolicy.exponential(base: Double(retry.baseDelayMs) / 1000, cap: Double(retry.maxDelayMs) / 1000)
            .delay(afterAttempt: attempt, using: &random)
        return .milliseconds(Int(seconds * 1000))
    }

    /// `Retry-After` as delta-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String?, now: Date = Date()) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: value) {
                return .milliseconds(max(0, Int(date.timeIntervalSince(now) * 1000)))
            }
        }
        return nil
    }
}
