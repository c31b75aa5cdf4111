import Foundation

/// The naming rules of docs/api-conventions.md, checked over an answer's JSON.
public enum APIConventions {
    /// Keys that break the rules (camelCase, acronyms as words: `hashSha256`, not `hashSHA256`),
    /// with their path. Keys under `payload` are the client's own and are not checked.
    public static func misnamedKeys(in value: Any, path: String = "$") -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.flatMap { key, child -> [String] in
                let here = "\(path).\(key)"
                let bad = key.range(of: "^[a-z][a-zA-Z0-9]*$", options: .regularExpression) == nil
                    || key.range(of: "[A-Z]{2}", options: .regularExpression) != nil
                return (bad ? [here] : []) + (key == "payload" ? [] : misnamedKeys(in: child, path: here))
            }
        case let array as [Any]:
            return array.enumerated().flatMap { misnamedKeys(in: $1, path: "\(path)[\($0)]") }
        default:
            return []
        }
    }
}
