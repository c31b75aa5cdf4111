import Foundation

/// A JSONata error: the reference implementation's code (`S0201`, `T2001`, `D3137` …), the
/// position in the expression where it arose, and the offending token or value.
public struct JSONataError: Error, Sendable, CustomStringConvertible {
    public let code: String
    public internal(set) var position: Int?
    public internal(set) var token: String?
    /// The value the message talks about, rendered as JSON text.
    public internal(set) var value: String?
    /// A message set by the expression itself (`$error`, `$assert`).
    var customMessage: String?
    var index: Int?

    init(_ code: String, position: Int? = nil, token: String? = nil, value: String? = nil, index: Int? = nil) {
        self.code = code
        self.position = position
        self.token = token
        self.value = value
        self.index = index
    }

    init(_ code: String, position: Int? = nil, token: String? = nil, value: Value?, index: Int? = nil) {
        self.init(code, position: position, token: token, value: value.map(ErrorRendering.render), index: index)
    }

    public var message: String {
        if let customMessage { return customMessage }
        var text = ErrorMessages.template(for: code)
        text = text.replacingOccurrences(of: "{{token}}", with: token ?? "")
        text = text.replacingOccurrences(of: "{{value}}", with: value ?? "")
        text = text.replacingOccurrences(of: "{{index}}", with: index.map(String.init) ?? "")
        return text
    }

    public var description: String {
        "\(code): \(message)" + (position.map { " (at position \($0))" } ?? "")
    }
}

enum ErrorRendering {
    static func render(_ value: Value) -> String {
        (try? Functions.jsonText(value, pretty: false)) ?? ""
    }
}
