import FiscalMixApp
import FiscalMixCore
import FiscalMixTestSupport
import Foundation
import HTTPTypes
import Testing

@testable import FiscalMixDatabase
@testable import FiscalMixJobs

@Suite struct MetricsTests {
    /// The sample value of `name{labels}` in a Prometheus exposition, if present.
    static func sample(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    /// An operator's first scrape of a fresh server already has the queue-depth gauges, at zero.
    @Test func aFreshServerExposesItsQueuesAtZero() async throws {
        try await TestServer.run(configure: { $0.workerQueues = ["default", "exports"] }) { server in
            let scrape = try await server.request(.get, "/metrics")
            #expect(scrape.status == 200)
            for queue in ["default", "exports"] {
                for status in ["queued", "running"] {
                    #expect(Self.sample(scrape.text, "fiscalmix_jobs_queue_depth{queue=\"\(queue)\",status=\"\(status)\"}") == 0, "\(scrape.text)")
                }
            }
        }
    }

    @Test func jobCountersHistogramsAndQueueDepthAreExposedToAScraperWithTheToken() async throws {
        try await TestServer.run(workers: true, configure: { $0.metricsToken = "scrape-token-123" }) { server in
            let owner = try await server.createAccount()
            let queue = server.runtime.jobQueue
            let job = try await queue.enqueue(NewJob(type: "maintenance.prune", accountId: owner.accountId)).job
            let waiting = try await queue.enqueue(NewJob(type: "export.zip", runAt: server.clock.now().addingTimeInterval(3600))).job
            try await queue.enqueue(NewJob(type: "no.such.handler", maxAttempts: 1))
            for _ in 0..<200 {
                let done = try await queue.repository.find(id: job.id, accountId: nil)?.status == .success
                let failed = try await queue.repository.countByStatus()[.failed] == 1
                if done && failed { break }
                try await Task.sleep(for: .milliseconds(25))
            }

            let anonymous = try await server.request(.get, "/metrics")
            #expect(anonymous.status == 401 && anonymous.code == "metrics_token_required")
            let wrong = try await server.request(.get, "/metrics", auth: .bearer("scrape-token-124"))
            #expect(wrong.status == 401)

            let scrape = try await server.request(.get, "/metrics", auth: .bearer("scrape-token-123"))
            #expect(scrape.status == 200)
            #expect(scrape.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = scrape.text
            #expect(Self.sample(text, #"fiscalmix_jobs_enqueued_total{type="maintenance.prune"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_jobs_enqueued_total{type="export.zip"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_jobs_claimed_total{type="maintenance.prune"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_jobs_succeeded_total{type="maintenance.prune"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_jobs_failed_total{type="no.such.handler"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_job_duration_seconds_count{type="maintenance.prune"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_job_wait_seconds_count{type="maintenance.prune"}"#) == 1)
            #expect(Self.sample(text, #"fiscalmix_job_wait_seconds_bucket{type="maintenance.prune",le="3600.0"}"#) == 1)
            // The future job waits in the queue; nothing is running.
            #expect(Self.sample(text, #"fiscalmix_jobs_queue_depth{queue="default",status="queued"}"#) == 1)

            // The gauge follows the database: cancel the waiting job and scrape again.
            _ = try await queue.repository.cancel(id: waiting.id, accountId: nil, now: server.clock.now())
            let again = try await server.request(.get, "/metrics", auth: .bearer("scrape-token-123")).text
            #expect(Self.sample(again, #"fiscalmix_jobs_queue_depth{queue="default",status="queued"}"#) == 0)
            // No tenant data in labels: account ids never appear.
            #expect(!again.contains(owner.accountId.lowercased) && !again.contains(owner.accountId.uuidString))
        }
    }
}
