import ArgumentParser
import FiscalMixCore
import FiscalMixDFe
import FiscalMixSefazPeer
import Foundation
import UnixSignals

/// `fiscalmix sefaz-sim`: the local SEFAZ peer the tests start in-process, as a server of its
/// own, and its test CA's certificate minting. For development and demos — never production.
struct SefazSim: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sefaz-sim",
        abstract: "A local SEFAZ peer (NFe/CTe distribution and NFeRecepcaoEvento4 over mutual TLS) for development.",
        discussion: "See docs/sefaz.md for what it implements and where the real service may differ.",
        subcommands: [Run.self, MintCert.self],
        defaultSubcommand: Run.self)

    struct Options: ParsableArguments {
        @Option(help: "Folder holding the peer's test CA (created on first use).")
        var dir = ".fiscalmix/sefaz-sim"
    }

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Serve the peer until SIGINT or SIGTERM.")

        @OptionGroup var options: Options
        @Option(help: "Loopback port to listen on (0: any free port).") var port = 8443
        @Option(name: .customLong("feed"), help: "CNPJ[:COUNT] — generate COUNT NF-e (default 100) addressed to CNPJ. Repeatable.")
        var feeds: [String] = []
        @Option(
            name: .customLong("cte-feed"), help: "CNPJ[:COUNT] — generate COUNT CT-e (default 100) taken by CNPJ, on CTeDistribuicaoDFe. Repeatable.")
        var cteFeeds: [String] = []
        @Option(
            name: .customLong("samples"),
            help: "A folder of real distribution payloads named NSU_schema.xml (the AN's docZips, gunzipped) to put at the start of every NF-e feed.")
        var samplesDirectory: String?
        @Option(help: "tpAmb the peer answers for: 1 produção, 2 homologação.") var environment = 1

        func validate() throws {
            guard environment == 1 || environment == 2 else { throw ValidationError("--environment must be 1 or 2") }
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            for feed in feeds + cteFeeds { _ = try Self.parseFeed(feed) }
        }

        /// Unbuffered, so a process reading the output sees "listening" at once.
        static func say(_ text: String) { FileHandle.standardOutput.write(Data((text + "\n").utf8)) }

        static func parseFeed(_ text: String) throws -> (cnpj: String, count: Int) {
            let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
            guard let cnpj = try? CNPJ(parts[0]) else { throw ValidationError("\(text): not a valid CNPJ") }
            guard let count = parts.count > 1 ? Int(parts[1]) : 100, (0...1_000_000).contains(count) else {
                throw ValidationError("\(text): COUNT must be 0…1000000")
            }
            return (cnpj.value, count)
        }

        func run() async throws {
            let directory = URL(fileURLWithPath: options.dir)
            let authority = try SefazTestAuthority(directory: directory)
            let feeds = try feeds.map { text in
                let (cnpj, count) = try Self.parseFeed(text)
                var feed = SefazFeed(recipient: cnpj)
                if let samplesDirectory { feed.append(raw: try SefazFeed.distributionPayloads(in: URL(fileURLWithPath: samplesDirectory))) }
                feed.addNFe(count: count)
                return feed
            }
            let cteFeeds = try cteFeeds.map { text in
                let (cnpj, count) = try Self.parseFeed(text)
                var feed = SefazFeed(recipient: cnpj)
                feed.addCTe(count: count)
                return feed
            }
            let environment = environment
            try await SefazPeer.run(authority: authority, port: port) { peer in
                peer.environment = environment
                for feed in feeds { peer.add(feed.documents, for: feed.recipient) }
                for feed in cteFeeds { peer.add(feed.documents, for: feed.recipient, service: .cte) }
                Self.say(
                    """
                    SEFAZ peer listening on \(peer.baseURL) (tpAmb \(environment))
                      NF-e distribution  \(peer.baseURL)\(DistributionService.nfe.path)
                      CT-e distribution  \(peer.baseURL)\(DistributionService.cte.path)
                      RecepcaoEvento     \(peer.baseURL)\(RecepcaoEvento.path)
                      test CA            \(directory.appendingPathComponent("ca.pem").path) (a connector config's caBundlePem)
                    Client certificates: mint one with `fiscalmix sefaz-sim mint-cert --cnpj … --out a1.pfx`.
                    """)
                for feed in feeds { Self.say("  NF-e feed for \(feed.recipient): \(feed.documents.count) documents, NSU 1…\(feed.lastNSU)") }
                for feed in cteFeeds { Self.say("  CT-e feed for \(feed.recipient): \(feed.documents.count) documents, NSU 1…\(feed.lastNSU)") }
                for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) { break }
                Self.say("stopping")
            }
        }
    }

    struct MintCert: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mint-cert",
            abstract: "Mint an e-CNPJ-like A1 certificate (PKCS#12) issued by the peer's test CA.")

        @OptionGroup var options: Options
        @Option(help: "The company's CNPJ (numeric or alphanumeric, with valid check digits).") var cnpj: String
        @Option(help: "Where to write the .pfx.") var out: String
        @Option(help: "The .pfx password (default: the FISCALMIX_SIM_CERT_PASSWORD variable).") var password: String?
        @Option(help: "Razão social in the certificate's CN.") var name = "EMPRESA DE TESTE LTDA"
        @Option(parsing: .unconditional, help: "Days of validity from now (negative: already expired, for testing refusals).") var days = 365

        func run() async throws {
            let company: CNPJ
            do { company = try CNPJ(cnpj) } catch { throw ValidationError("--cnpj: \(error.message)") }
            guard let password = password ?? ProcessInfo.processInfo.environment["FISCALMIX_SIM_CERT_PASSWORD"], !password.isEmpty else {
                throw ValidationError("give --password or set FISCALMIX_SIM_CERT_PASSWORD")
            }
            let authority = try SefazTestAuthority(directory: URL(fileURLWithPath: options.dir))
            let now = Date()
            let validity =
                days >= 0
                ? (now.addingTimeInterval(-3_600), now.addingTimeInterval(Double(days) * 86_400))
                : (now.addingTimeInterval(Double(days - 1) * 86_400), now.addingTimeInterval(Double(days) * 86_400))
            let minted = try authority.mintECNPJ(cnpj: company.value, companyName: name, notBefore: validity.0, notAfter: validity.1)
            let file = URL(fileURLWithPath: out)
            try Data(try minted.pkcs12(password: password)).write(to: file, options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
            print("wrote \(file.path): \(name):\(company.value), valid to \(ISO8601DateFormatter().string(from: validity.1))")
        }
    }
}
