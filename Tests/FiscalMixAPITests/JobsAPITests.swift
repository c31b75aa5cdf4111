import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

@Suite struct JobsAPITests {
    @Test func anAccountSeesItsJobsWithRunsAndCanRequeueAndCancel() async throws {
        try await TestServer.run { server in
            let owner = try await server.createAccount()
            let other = try await server.createAccount()
            let session = try await server.login(owner.email, owner.password)
            let queue = server.runtime.jobQueue
            let repository = queue.repository
            let now = server.clock.now()
            let dead = try await repository.enqueue(
                NewJob(
                    type: "webhook.deliver", accountId: owner.accountId, payload: #"{"amount": 1234.56}"#,
                    maxAttempts: 1), now: now
            ).job
            let claimed = try await repository.claim(queue: "default", worker: "w", limit: 1, now: now, leaseUntil: now.addingTimeInterval(30))
            _ = try await repository.fail(
                claimed[0].job, runId: claimed[0].runId, worker: "w", runStatus: .failed, error: "HTTP 503",
                retryAt: now, now: now)
            let waiting = try await repository.enqueue(
                NewJob(type: "export.zip", accountId: owner.accountId, runAt: now.addingTimeInterval(3600)),
                now: now
            ).job
            let foreign = try await repository.enqueue(NewJob(type: "export.zip", accountId: other.accountId), now: now).job

            let list = try await server.request(.get, "/v1/jobs", auth: .cookie(session))
            #expect(list.status == 200 && list.items.count == 2)
            let deadList = try await server.request(.get, "/v1/jobs?status=dead", auth: .cookie(session))
            #expect(deadList.items.map { $0["id"] as? String } == [dead.id.uuidString.lowercased()])
            let detail = try await server.request(.get, "/v1/jobs/\(dead.id.uuidString)", auth: .cookie(session))
            #expect((detail.json["payload"] as? [String: Any])?["amount"] as? Double == 1234.56)
            let runs = try #require(detail.json["runs"] as? [[String: Any]])
            #expect(runs.count == 1 && runs[0]["status"] as? String == "failed")
            #expect((runs[0]["error"] as? [String: Any])?["message"] as? String == "HTTP 503")

            #expect(try await server.request(.get, "/v1/jobs/\(foreign.id.uuidString)", auth: .cookie(session)).status == 404)
            #expect(try await server.request(.post, "/v1/jobs/\(foreign.id.uuidString)/cancel", auth: .cookie(session)).status == 404)

            let requeue = try await server.request(.post, "/v1/jobs/requeue", json: ["type": "webhook.deliver"], auth: .cookie(session))
            #expect(requeue.json["requeued"] as? Int == 1)
            #expect(try await repository.find(id: dead.id, accountId: nil)?.status == .queued)
            let cancel = try await server.request(.post, "/v1/jobs/\(waiting.id.uuidString)/cancel", auth: .cookie(session))
            #expect(cancel.status == 200 && cancel.json["status"] as? String == "cancelled")
            let again = try await server.request(.post, "/v1/jobs/\(waiting.id.uuidString)/cancel", auth: .cookie(session))
            #expect(again.status == 409 && again.code == "job_not_queued")
            // The other account's job was not touched.
            #expect(try await repository.find(id: foreign.id, accountId: nil)?.status == .queued)

            let reader = try await server.createApiKey(session: session, scopes: ["jobs:read"])
            #expect(try await server.request(.get, "/v1/jobs", auth: .bearer(reader.key)).status == 200)
            let denied = try await server.request(.post, "/v1/jobs/requeue", json: ["type": "x"], auth: .bearer(reader.key))
            #expect(denied.status == 403 && denied.code == "insufficient_scope")
            #expect(try await server.request(.get, "/v1/jobs?status=exploded", auth: .cookie(session)).status == 422)
            #expect(try await server.request(.post, "/v1/jobs/requeue", json: [String: String](), auth: .cookie(session)).status == 422)
        }
    }

    @Test func serveRunsWorkersThatDrainTheQueue() async throws {
        try await TestServer.run(workers: true) { server in
            let owner = try await server.createAccount()
            let job = try await server.runtime.jobQueue.enqueue(NewJob(type: "maintenance.prune", accountId: owner.accountId)).job
            var status: Job.Status?
            for _ in 0..<100 {
                status = try await server.runtime.jobQueue.repository.find(id: job.id, accountId: nil)?.status
                if status == .success { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status == .success)
        }
    }
}
