/// `multipart/form-data` bodies (certificate uploads): the first line of the input is the
/// boundary, the rest the body; any input parses or fails with a FiscalMixError.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 10) ?? bytes.count
    let boundary = String(decoding: bytes[..<split], as: UTF8.self)
    guard let parsed = try? MultipartFormData.boundary(fromContentType: "multipart/form-data; boundary=\(boundary)") else { return 0 }
    _ = try? MultipartFormData(body: Array(bytes[min(split + 1, bytes.count)...]), boundary: parsed)
    return 0
}
