import Foundation
import NIOSSL
import PostgresNIO

/// Where and how to reach PostgreSQL, read from
/// `postgres://user:password@host:port/database?sslmode=…` with libpq's sslmode meanings:
/// disable; allow/prefer (TLS when offered, unverified); require (TLS, unverified);
/// verify-ca/verify-full (TLS with the system trust roots and the host name checked).
/// One reading for the pool and for the connections opened outside it.
struct PostgresEndpoint {
    enum Security {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    let host: String
    let port: Int
    let username: String
    let password: String?
    let database: String?
    let security: Security

    init(url text: String) throws {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host,
            !host.isEmpty
        else {
            throw StorageError.invalidConfiguration("FISCALMIX_DATABASE_URL must look like postgres://user:password@host:5432/database")
        }
        let sslmode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch sslmode {
        case "disable": security = .disable
        case "allow", "prefer": security = .prefer(unverified)
        case "require": security = .require(unverified)
        case "verify-ca", "verify-full": security = .require(.makeClientConfiguration())
        default: throw StorageError.invalidConfiguration("Unknown sslmode '\(sslmode)' in FISCALMIX_DATABASE_URL.")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        self.host = host
        port = url.port ?? 5432
        username = url.user?.removingPercentEncoding ?? "postgres"
        password = url.password?.removingPercentEncoding
        self.database = database.isEmpty ? nil : database
    }

    var clientConfiguration: PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch security {
        case .disable: tls = .disable
        case .prefer(let configuration): tls = .prefer(configuration)
        case .require(let configuration): tls = .require(configuration)
        }
        return PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch security {
        case .disable: tls = .disable
        case .prefer(let configuration): tls = .prefer(try NIOSSLContext(configuration: configuration))
        case .require(let configuration): tls = .require(try NIOSSLContext(configuration: configuration))
        }
        return PostgresConnection.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
    }
}
