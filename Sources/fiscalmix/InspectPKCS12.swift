import ArgumentParser
import FiscalMixFiscal
import Foundation

/// The child side of `ChildProcessPKCS12Isolation`: opens the PKCS#12 on stdin and exits 0
/// (opened) or 3 (refused). If swift-nio-ssl stops the process instead, the parent sees it.
struct InspectPKCS12: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect-pkcs12", abstract: "Internal: open a PKCS#12 from stdin in isolation.", shouldDisplay: false)

    func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        guard let (pfx, password) = A1Certificate.readProbeInput(Array(input)) else { throw ExitCode(3) }
        if !A1Certificate.probe(pfx: pfx, password: password) { throw ExitCode(3) }
    }
}
