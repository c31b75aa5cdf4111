import FiscalMixXML

/// The XML reader fiscal documents go through: any bytes parse or fail with XMLSyntaxError,
/// within its size, depth and element bounds (no DTDs, no entity expansion).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzXML(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? XReader.parse(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
