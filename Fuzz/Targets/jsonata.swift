import FiscalMixJSON
import FiscalMixJSONata

/// JSONata: any text compiles or fails with a JSONataError; what compiles evaluates within the
/// server's bounds against a small document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONata(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 64 * 1024 else { return 0 }
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? JSONataExpression(source) else { return 0 }
    let document = try! JSON(parsing: #"{"a":[1,2,"x",{"k":"v"}],"b":{"c":true,"d":null,"e":-1.5e3}}"#)
    var limits = JSONataExpression.Limits(maxSteps: 200_000, maxOutputItems: 10_000, timeout: .seconds(2))
    limits.maxDepth = 500
    _ = try? expression.evaluate(document, limits: limits)
    return 0
}
