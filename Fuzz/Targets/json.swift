import FiscalMixJSON

/// The JSON parser every tenant-supplied document goes through: any bytes parse or fail with
/// JSONParseError, within the depth bound, and what parses serializes and parses back equal.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let value = try? JSON(parsing: bytes) else { return 0 }
    let again = try? JSON(parsing: Array(value.serialized().utf8))
    precondition(again == value, "a parsed document does not survive serialization")
    return 0
}
