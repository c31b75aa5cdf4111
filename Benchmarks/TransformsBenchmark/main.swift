import FiscalMixJMESPath
import FiscalMixJSON
import FiscalMixJSONSchema
import FiscalMixJSONata
import Foundation

// fiscalmix-transforms-bench <inputs folder> [seconds] [cases.json]
// Evaluations per second of each transform case (compiled once, input parsed once), one JSON
// line per case, over a fixed time box. The Python peers run the same cases (transforms_peer.py).
// fiscalmix-transforms-bench --conformance <suites folder> <JSONata known failures>: see
// ReleaseConformance.swift.

let arguments = CommandLine.arguments
if arguments.count == 4, arguments[1] == "--conformance" {
    exit(try await releaseConformance(URL(fileURLWithPath: arguments[2]), jsonataKnownFailures: URL(fileURLWithPath: arguments[3])))
}
let folder = URL(fileURLWithPath: arguments.count > 1 ? arguments[1] : "/tmp/fiscalmix-transforms")
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 1 : 1
let casesFile = URL(fileURLWithPath: arguments.count > 3 ? arguments[3] : "Benchmarks/transforms/cases.json")

func load(_ url: URL) throws -> JSON { try JSON(parsing: Array(try Data(contentsOf: url))) }

func measure(_ body: () throws -> Void) rethrows -> Double {
    try body()
    var count = 0
    let start = DispatchTime.now().uptimeNanoseconds
    while true {
        try body()
        count += 1
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if elapsed >= seconds { return Double(count) / elapsed }
    }
}

var inputs: [String: JSON] = [:]
for name in ["api", "nfe", "event"] { inputs[name] = try load(folder.appendingPathComponent("\(name).json")) }

for testCase in try load(casesFile).arrayValue ?? [] {
    let engine = testCase["engine"]?.stringValue ?? ""
    let inputName = testCase["input"]?.stringValue ?? ""
    let input = inputs[inputName]!
    let perSecond: Double
    switch engine {
    case "jmespath":
        let expression = try JMESPathExpression(testCase["expression"]!.stringValue!)
        perSecond = try measure { _ = try expression.search(input) }
    case "jsonata":
        let expression = try JSONataExpression(testCase["expression"]!.stringValue!)
        let document = JSONataDocument(input)
        perSecond = try measure { _ = try expression.evaluate(document) }
    default:
        let schema = try JSONSchema(compiling: testCase["schema"]!)
        guard schema.validate(input).valid else { fatalError("\(testCase["name"]!): the input does not validate") }
        perSecond = measure { _ = schema.validate(input).valid }
    }
    let line = JSON.object(
        JSONObject([
            ("engine", .string(engine)), ("input", .string(inputName)), ("case", testCase["name"]!),
            ("library", .string("fiscalmix")), ("per_second", .double((perSecond * 10).rounded() / 10)),
        ]))
    FileHandle.standardOutput.write(Data((line.serialized() + "\n").utf8))
}
