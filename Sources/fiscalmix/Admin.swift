import ArgumentParser
import FiscalMixAPI
import FiscalMixApp
import FiscalMixCore
import FiscalMixDatabase
import FiscalMixIdentity
import Foundation
import Logging

struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Administrative tasks.", subcommands: [CreateAccount.self])
}

struct CreateAccount: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an account and its owner user.",
        discussion: "The password is asked on the terminal, or read from standard input with --password-stdin."
    )

    @Option(help: "Account (tenant) name.") var account: String
    @Option(help: "Owner's name.") var name: String
    @Option(help: "Owner's email (used to sign in).") var email: String
    @Option(help: "Plan: free, starter, professional or enterprise.") var plan: String = "free"
    @Flag(help: "Read the password from standard input (first line).") var passwordStdin = false
    @Flag(help: "Make the owner a FiscalMix staff operator (may act across accounts).") var staff = false

    func run() async throws {
        let password = try readPassword()
        let configuration = try await loadConfiguration()
        let runtime = try await FiscalMixRuntime.start(configuration, logger: makeLogger(configuration))
        defer { Task { try? await runtime.database.shutdown() } }
        var request = AccountService.NewAccount(accountName: account, ownerName: name, ownerEmail: email, ownerPassword: password)
        request.ownerIsStaff = staff
        guard let plan = Account.Plan(rawValue: plan) else { throw ValidationError("Unknown plan '\(plan)'.") }
        request.plan = plan
        do {
            let (account, owner) = try await runtime.services.accounts.createAccount(request)
            print("account \(account.id.uuidString.lowercased()) \"\(account.name)\"")
            print("owner   \(owner.id.uuidString.lowercased()) \(owner.email)")
        } catch let error as any ClientFacingError {
            throw ValidationError(error.message)
        }
        try await runtime.database.shutdown()
    }

    func readPassword() throws -> String {
        if passwordStdin {
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("No password on standard input.") }
            return line
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("Standard input is not a terminal: pass --password-stdin and pipe the password.")
        }
        guard let first = getpass("Password: ").map({ String(cString: $0) }), !first.isEmpty else { throw ValidationError("Empty password.") }
        guard let second = getpass("Repeat password: ").map({ String(cString: $0) }), second == first else {
            throw ValidationError("Passwords do not match.")
        }
        return first
    }
}
