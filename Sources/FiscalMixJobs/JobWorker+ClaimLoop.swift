import FiscalMixCore
import FiscalMixStorage
import Foundation
import Logging
import Synchronization

extension JobWorker {
    /// The worker's main loop. Each pass records the jobs that finished since the last pass and
    /// claims enough new ones to fill the free handlers (plus the prefetch), in one transaction:
    /// one commit per pass instead of two per job. A pass waits until it is worth a commit — a
    /// quarter of the capacity finished or free, or nothing else running — but never longer than
    /// `commitDelay` once something finished. After a claim comes up short the queue is taken as
    /// drained until an enqueue notification or the idle poll.
    func claimLoop() async {
        let capacity = options.concurrency + options.prefetch
        let threshold = max(1, capacity / 4)
        var drained = false
        var lastClaim = ContinuousClock.now
        while !stopping {
            startReady()
            if newWork.exchange(false, ordering: .relaxed) || ContinuousClock.now - lastClaim >= options.idlePoll { drained = false }
            let finishedCount = finished.withLock { $0.count }
            let running = inFlight.withLock { $0.count }
            let wanted = drained ? 0 : max(0, capacity - running - ready.withLock { $0.count })
            let due = finishedCount >= threshold || wanted >= threshold || (running == 0 && (finishedCount > 0 || wanted > 0))
            var failed = false
            if due {
                let done = finished.withLock { buffer in defer { buffer.removeAll() }; return buffer }
                do {
                    let now = clock.now()
                    let result = try await repository.completeAndClaim(done.map(\.completion), queue: options.queue, worker: options.workerName,
                                                                       limit: wanted, now: now,
                                                                       leaseUntil: now.addingTimeInterval(options.lease.seconds))
                    for (completion, type) in done where result.completed.contains(completion.jobId) {
                        metrics.count(JobMetrics.succeeded, type: type)
                    }
                    for (job, _) in result.claimed {
                        metrics.count(JobMetrics.claimed, type: job.type)
                        metrics.record(JobMetrics.waitTime, type: job.type, seconds: now.timeIntervalSince(job.runAt))
                    }
                    if wanted > 0 {
                        lastClaim = ContinuousClock.now
                        drained = result.claimed.count < wanted
                    }
                    ready.withLock { $0.append(contentsOf: result.claimed) }
                    startReady()
                    if wanted > 0 && result.claimed.count == wanted && running + result.claimed.count < capacity { continue }
                } catch {
                    // Keep the finished jobs for the next pass; their leases are still renewed.
                    finished.withLock { $0.insert(contentsOf: done, at: 0) }
                    failed = true
                    logger.error("job claim failed", metadata: ["queue": "\(options.queue)", "error": "\(String(reflecting: error))"])
                }
            }
            // Wait for a wake-up (a job finishing, an enqueue, shutdown): briefly when finished
            // jobs are waiting to be recorded, else up to the idle poll.
            let pending = !finished.withLock { $0.isEmpty }
            await wake.wait(timeout: pending && !failed ? options.commitDelay : options.idlePoll)
        }
    }

    /// Starts held jobs while handlers are free.
    func startReady() {
        while inFlight.withLock({ $0.count }) < options.concurrency,
              let (job, runId) = ready.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            start(job, runId: runId)
        }
    }
}
