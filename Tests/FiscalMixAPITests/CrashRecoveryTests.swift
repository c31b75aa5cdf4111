import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import Logging
import ServiceLifecycle
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

/// A `fiscalmix worker` process killed with SIGKILL mid-job loses nothing: once its lease
/// expires, another worker finishes the job.
@Suite struct CrashRecoveryTests {
    @Test
    func aJobOfAKilledWorkerProcessIsFinishedByAnother() async throws {
        let test = try await TestDatabase.make()
        let configuration = try testConfiguration(database: test)
        let runtime = try await FiscalMixRuntime.start(configuration, logger: Logger(label: "crash-test"))
        let repository = runtime.jobQueue.repository
        let job = try await runtime.jobQueue.enqueue(NewJob(type: "diagnostics.sleep", payload: #"{"seconds": 600}"#)).job

        // Worker process A takes the job and is killed while the job runs.
        let process = try WorkerProcess.launch(configuration, environment: ["FISCALMIX_JOB_LEASE_SECONDS": "2"])
        var holder: String?
        for _ in 0..<200 {
            holder = try await repository.find(id: job.id, accountId: nil)?.leaseOwner
            if holder != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(holder?.contains(":\(process.processIdentifier):") == true)
        kill(process.processIdentifier, SIGKILL)
        await WorkerProcess.exit(of: process)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(try await repository.find(id: job.id, accountId: nil)?.status == .running)

        // Worker B (here, in-process, where the probe returns at once) reaps the expired lease and finishes it.
        let registry = JobRegistry([JobDefinition(type: "diagnostics.sleep") { _ in }])
        var options = JobWorker.Options()
        options.lease = .seconds(1)
        options.idlePoll = .milliseconds(100)
        let worker = JobWorker(database: runtime.database, registry: registry, logger: Logger(label: "b"), options: options)
        let group = ServiceGroup(configuration: .init(services: [worker], logger: Logger(label: "b")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for _ in 0..<200 {
                if try await repository.find(id: job.id, accountId: nil)?.status == .success { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let finished = try #require(try await repository.find(id: job.id, accountId: nil))
        #expect(finished.status == .success && finished.attempts == 2)
        #expect(try await repository.runs(jobId: job.id).map(\.status) == [.lost, .success])
        try await runtime.database.shutdown()
        await test.remove()
    }
}
