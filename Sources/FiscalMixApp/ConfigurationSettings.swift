public import Configuration
public import Foundation
import SystemPackage

/// Where FiscalMix's settings come from, strongest first: `FISCALMIX_*` environment variables,
/// then the `KEY=VALUE` file that `FISCALMIX_CONFIG_FILE` names. Both are read by
/// swift-configuration's environment provider, with the secret settings marked so that its
/// reports (`fiscalmix config`, `CONFIG_ACCESS_LOG_FILE`) redact them.
public struct ConfigurationSettings: Sendable {
    /// Settings whose values are credentials: never printed, never logged.
    public static let secretNames: Set<String> = [
        "FISCALMIX_MASTER_KEY", "FISCALMIX_PREVIOUS_MASTER_KEYS", "FISCALMIX_DATABASE_URL", "FISCALMIX_S3_SECRET_ACCESS_KEY",
        "FISCALMIX_S3_SESSION_TOKEN", "FISCALMIX_AZURE_ACCOUNT_KEY", "FISCALMIX_AZURE_SAS_TOKEN", "FISCALMIX_METRICS_TOKEN",
    ]

    private let reader: ConfigReader

    init(providers: [any ConfigProvider], reporter: (any AccessReporter)? = nil) {
        reader = ConfigReader(providers: providers, accessReporter: reporter)
    }

    /// Settings given directly (tests, embedding programs): no environment, no file.
    public init(values: [String: String]) {
        self.init(providers: [EnvironmentVariablesProvider(environmentVariables: values, secretsSpecifier: Self.secrets)])
    }

    /// The process environment's `FISCALMIX_*` variables over the optional configuration file.
    public static func load(
        environment: [String: String] = ProcessInfo.processInfo.environment, reporter: (any AccessReporter)? = nil
    ) async throws -> ConfigurationSettings {
        let ours = environment.filter { $0.key.hasPrefix("FISCALMIX_") }
        var providers: [any ConfigProvider] = [EnvironmentVariablesProvider(environmentVariables: ours, secretsSpecifier: secrets)]
        if let file = ours["FISCALMIX_CONFIG_FILE"], !file.isEmpty {
            do {
                providers.append(try await EnvironmentVariablesProvider(environmentFilePath: FilePath(file), secretsSpecifier: secrets))
            } catch {
                throw AppConfiguration.Invalid(description: "Cannot read FISCALMIX_CONFIG_FILE at \(file).")
            }
        }
        return ConfigurationSettings(providers: providers, reporter: reporter)
    }

    private static var secrets: SecretsSpecifier<String, String> { .specific(secretNames) }

    /// `FISCALMIX_WORKER_QUEUES` is the key `fiscalmix.worker.queues`, which the environment
    /// provider spells back as the same variable.
    static func key(_ name: String) -> ConfigKey { ConfigKey(name.lowercased().split(separator: "_").map(String.init)) }

    /// The trimmed value, nil when unset or empty. Quotes around a whole value (as a file may
    /// write them) are not part of it.
    func string(_ name: String) -> String? {
        guard
            var value = reader.string(forKey: Self.key(name), isSecret: Self.secretNames.contains(name))?
                .trimmingCharacters(in: .whitespaces), !value.isEmpty
        else { return nil }
        if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }

    func int(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw), range.contains(value) else {
            throw AppConfiguration.Invalid(description: "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound), got '\(raw)'.")
        }
        return value
    }

    func bool(_ name: String) throws -> Bool? {
        guard let raw = string(name)?.lowercased() else { return nil }
        switch raw {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw AppConfiguration.Invalid(description: "\(name) must be true or false, got '\(raw)'.")
        }
    }

    /// A comma-separated list; empty when unset.
    func list(_ name: String) -> [String] {
        (string(name) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
