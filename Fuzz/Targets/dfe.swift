import FiscalMixDFe

/// The DF-e readers: any bytes are a document FiscalMix understands (procNFe, resNFe, cteProc,
/// events …) or a DFeParseError; a gzip payload inflates within its bound or fails.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDFe(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? DFeParser.parse(bytes)
    if let inflated = try? Gunzip.inflate(bytes, limit: 1 << 20) { _ = try? DFeParser.parse(inflated) }
    return 0
}
