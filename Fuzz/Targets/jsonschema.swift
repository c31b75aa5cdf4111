import FiscalMixJSON
import FiscalMixJSONSchema

/// JSON Schema: any JSON document compiles as a schema or fails; what compiles validates a few
/// instances (the document itself among them), within the depth bound.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONSchema(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 256 * 1024, let document = try? JSON(parsing: Array(UnsafeBufferPointer(start: data, count: size))),
        let schema = try? JSONSchema(compiling: document)
    else { return 0 }
    for instance in [document, .null, .string("1970-01-01T00:00:00Z"), try! JSON(parsing: #"[1,{"a":"b"},"x"]"#)] {
        _ = schema.validate(instance)
        _ = schema.isValid(instance)
    }
    return 0
}
