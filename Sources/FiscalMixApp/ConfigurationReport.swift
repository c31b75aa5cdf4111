import Configuration
public import Foundation
import Synchronization

/// The settings FiscalMix would run with, as `fiscalmix config` prints them: every setting that
/// is set, where it came from, secrets redacted. Built from swift-configuration's access events,
/// so it lists exactly what `AppConfiguration` reads.
public struct ConfigurationReport: Sendable {
    public struct Line: Sendable, Equatable {
        public var name: String
        /// The value, or `<redacted>` for a secret.
        public var value: String
        /// `environment` or `file`.
        public var source: String

        public init(name: String, value: String, source: String) {
            self.name = name
            self.value = value
            self.source = source
        }
    }

    public var lines: [Line]

    /// Loads and validates the configuration (throwing `AppConfiguration.Invalid` as `serve` would).
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) async throws -> ConfigurationReport {
        let recorder = AccessRecorder()
        _ = try AppConfiguration(await ConfigurationSettings.load(environment: environment, reporter: recorder))
        var seen = Set<String>()
        var lines: [Line] = []
        for event in recorder.events {
            guard case .success(let found?) = event.result else { continue }
            let name = event.metadata.key.components.joined(separator: "_").uppercased()
            guard seen.insert(name).inserted, case .string(let text) = found.content else { continue }
            lines.append(
                Line(
                    name: name, value: found.isSecret ? "<redacted>" : text,
                    source: environment[name] != nil ? "environment" : "file"))
        }
        return ConfigurationReport(lines: lines.sorted { $0.name < $1.name })
    }

    public var text: String {
        lines.isEmpty ? "(no FISCALMIX_* setting is set: every default applies)\n" : lines.map { "\($0.name)=\($0.value)  # \($0.source)\n" }.joined()
    }
}

/// Keeps every access event of one configuration load.
private final class AccessRecorder: AccessReporter {
    private let recorded = Mutex<[AccessEvent]>([])
    var events: [AccessEvent] { recorded.withLock { $0 } }
    func report(_ event: AccessEvent) { recorded.withLock { $0.append(event) } }
}
