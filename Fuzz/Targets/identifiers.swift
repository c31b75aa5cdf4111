import FiscalMixCore
import Foundation

/// The small parsers of tenant input: cron expressions (and their next run), CNPJs (numeric and
/// alphanumeric), access keys, RFC 3339 dates, blob keys and outbound URLs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIdentifiers(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 4096 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let cron = try? CronExpression(text) {
        _ = cron.next(after: Date(timeIntervalSince1970: 1_790_000_000), in: TimeZone(identifier: "America/Sao_Paulo")!)
    }
    _ = try? CNPJ(text)
    if let key = try? AccessKey(text) { _ = (key.uf, key.issuer, key.model, key.series, key.number) }
    _ = RFC3339.date(from: text)
    _ = BlobKey.isValid(text)
    _ = try? OutboundURL.validate(text, field: "url")
    return 0
}
