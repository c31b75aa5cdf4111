import Foundation

/// The shape every URL FiscalMix calls out to must have (connectors, OAuth token URLs, webhook
/// endpoints): http(s), a host, no credentials in the URL (they belong in auth), no fragment.
/// Where the host resolves to is the outbound client's SSRF guard's business.
public enum OutboundURL {
    public static func validate(_ text: String, field: String) throws(FiscalMixError) {
        guard text.count <= 2048, let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
            let host = url.host, !host.isEmpty
        else {
            throw FiscalMixError.validation(field, "\(field) must be an absolute http(s) URL.")
        }
        guard url.user == nil && url.password == nil else {
            throw FiscalMixError.validation(field, "Put credentials in auth, not in \(field).")
        }
        guard url.fragment == nil else { throw FiscalMixError.validation(field, "\(field) must not have a #fragment.") }
    }
}
