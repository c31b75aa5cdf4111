import FiscalMixCore
public import Foundation

extension UUID {
    /// A new time-ordered id.
    package static func v7() -> UUID { ID.make() }
}
