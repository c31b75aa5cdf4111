import Dispatch
import FiscalMixJMESPath
public import FiscalMixJSON
import FiscalMixJSONata

/// One compiled transform of a JSON payload in one of docs/data-model.md's DSL profiles — `jsonata`,
/// `jmespath`, or `custom` (a template of JMESPath leaves) — with the bounds a server applies
/// to work it runs on behalf of a tenant. Event mappings use it now, pipelines later.
public struct PayloadTransform: Sendable {
    public enum Profile: String, Sendable, Codable, CaseIterable { case jsonata, jmespath, custom }

    enum Compiled: Sendable {
        case jsonata(JSONataExpression)
        case jmespath(JMESPathExpression)
        case custom(CustomMapping)
    }

    /// Why a transform cannot be compiled or run: the engine's message and, for expressions, the
    /// position (UTF-16 offset) in the source where it arose.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        public let code: String
        public let message: String
        public let position: Int?
        public var description: String { "\(code): \(message)" + (position.map { " (at position \($0))" } ?? "") }
        public init(code: String, message: String, position: Int?) {
            self.code = code
            self.message = message
            self.position = position
        }
    }

    /// Steps and time one evaluation may take (a hostile expression stops with a clear error).
    public static let maxSteps = 1_000_000
    public static let maxExpressionLength = 64 * 1024

    public let profile: Profile
    let compiled: Compiled

    /// `definition` is the expression text (`jsonata`, `jmespath`) as a JSON string, or the
    /// template object (`custom`).
    public init(profile: Profile, definition: JSON) throws(Failure) {
        self.profile = profile
        switch profile {
        case .jsonata, .jmespath:
            guard case .string(let source) = definition else {
                throw Failure(code: "invalid_mapping", message: "A \(profile.rawValue) mapping is an expression string.", position: nil)
            }
            guard source.utf8.count <= Self.maxExpressionLength else {
                throw Failure(code: "invalid_mapping", message: "The expression is longer than 64 KiB.", position: nil)
            }
            if profile == .jsonata {
                do { compiled = .jsonata(try JSONataExpression(source)) } catch {
                    throw Failure(code: error.code, message: error.message, position: error.position)
                }
            } else {
                do { compiled = .jmespath(try JMESPathExpression(source)) } catch {
                    throw Failure(code: error.kind.rawValue, message: error.message, position: error.position)
                }
            }
        case .custom:
            guard case .object = definition else {
                throw Failure(code: "invalid_mapping", message: "A custom mapping is a JSON object of JMESPath leaves.", position: nil)
            }
            do { compiled = .custom(try CustomMapping(definition)) } catch {
                throw Failure(code: error.kind.rawValue, message: error.message, position: error.position)
            }
        }
    }

    /// The transformed payload; JSONata's "nothing" becomes `null`.
    public func apply(to input: JSON) throws(Failure) -> JSON {
        switch compiled {
        case .jsonata(let expression):
            var limits = JSONataExpression.Limits(maxSteps: Self.maxSteps, maxOutputItems: 100_000, timeout: .seconds(2))
            limits.maxDepth = 500
            do { return try expression.evaluate(input, limits: limits) ?? .null } catch {
                throw Failure(code: error.code, message: error.message, position: error.position)
            }
        case .jmespath(let expression):
            do { return try expression.search(input, maxSteps: Self.maxSteps) } catch {
                throw Failure(code: error.kind.rawValue, message: error.message, position: error.position)
            }
        case .custom(let mapping):
            do { return try mapping.apply(to: input, maxSteps: Self.maxSteps) } catch {
                throw Failure(code: error.kind.rawValue, message: error.message, position: error.position)
            }
        }
    }
}
