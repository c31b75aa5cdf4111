import FiscalMixJMESPath
import FiscalMixJSON

/// JMESPath: any text compiles or fails with a JMESPathError; what compiles searches a small
/// document within a step budget.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJMESPath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size <= 64 * 1024 else { return 0 }
    let source = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let expression = try? JMESPathExpression(source) else { return 0 }
    let document = try! JSON(parsing: #"{"a":[1,2,"x",{"k":"v"}],"b":{"c":true,"d":null,"e":-1.5e3}}"#)
    _ = try? expression.search(document, maxSteps: 200_000)
    return 0
}
