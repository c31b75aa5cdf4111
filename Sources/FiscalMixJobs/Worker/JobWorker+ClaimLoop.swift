import FiscalMixCore
import FiscalMixDatabase
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
    ///
    /// `Options.passesInFlight` loops run at once, so one pass can be recorded while another
    /// waits for the database (a pass is one statement on one connection, which PostgreSQL runs
    /// on one core). They share the buffers; the jobs a pass asks for are reserved in `claiming`
    /// until they are held in `ready`, so together they never lease more than the capacity.
    func claimLoop() async {
        let capacity = options.concurrency + options.prefetch
        let threshold = max(1, capacity / 4)
        var drained = false
        var lastClaim = ContinuousClock.now
        // When the finished jobs waiting to be recorded must be committed, whether or not more
        // have joined them: `commitDelay` after the first of them was seen.
        var commitBy: ContinuousClock.Instant?
        // How many jobs a pass would claim now, and whether one is worth a commit yet.
        func passState() -> (wanted: Int, running: Int, due: Bool) {
            let finishedCount = finished.withLock { $0.count }
            let running = inFlight.withLock { $0.count }
            let wanted = drained ? 0 : max(0, capacity - running - ready.withLock { $0.count } - claiming.withLock { $0.reserved + $0.completing })
            let due =
                finishedCount >= threshold || wanted >= threshold || (running == 0 && (finishedCount > 0 || wanted > 0))
                || (finishedCount > 0 && commitBy.map { ContinuousClock.now >= $0 } ?? false)
            return (wanted, running, due)
        }
        while !stopping {
            startReady()
            if newWork.load(ordering: .relaxed) || ContinuousClock.now - lastClaim >= options.idlePoll { drained = false }
            let (wantedNow, running, due) = passState()
            var failed = false
            if due {
                let (wanted, done) = reserveClaim(upTo: wantedNow, capacity: capacity)
                commitBy = nil
                if wanted > 0 || !done.isEmpty {
                    do {
                        let now = clock.now()
                        let result = try await repository.completeAndClaim(
                            done.map(\.completion), queue: options.queue,
                            worker: options.workerName, limit: wanted, now: now,
                            leaseUntil: now.addingTimeInterval(options.lease.seconds))
                        countSucceeded(done, completed: result.completed)
                        for (job, _) in result.claimed {
                            metrics.count(JobMetrics.claimed, type: job.type)
                            metrics.record(JobMetrics.waitTime, type: job.type, seconds: now.timeIntervalSince(job.runAt))
                        }
                        if wanted > 0 {
                            lastClaim = ContinuousClock.now
                            drained = result.claimed.count < wanted
                        }
                        ready.withLock { $0.append(contentsOf: result.claimed) }
                        releaseClaim(wanted, completing: done.count)
                        startReady()
                        if wanted > 0 && result.claimed.count == wanted && running + result.claimed.count < capacity { continue }
                    } catch {
                        // Keep the finished jobs for the next pass (their leases are still renewed),
                        // back in the buffer before this pass stops counting them.
                        finished.withLock { $0.insert(contentsOf: done, at: 0) }
                        releaseClaim(wanted, completing: done.count)
                        failed = true
                        logger.error("job claim failed", metadata: ["queue": "\(options.queue)", "error": "\(String(reflecting: error))"])
                    }
                }
            }
            if !failed {
                // What happened during the pass may already make the next one due: handlers
                // finished (a single handler always has), or an enqueue notice arrived that a
                // loop without room left untaken (its wake-up went to that loop). No wait then.
                if newWork.load(ordering: .relaxed) { drained = false }
                if passState().due { continue }
            }
            // Finished jobs waiting to be recorded: give others up to `commitDelay` to join them —
            // but no longer than it takes a quarter of the capacity to finish (each finishing job
            // wakes the loop, which then finds the pass due). One timer per pass, not per wait.
            // Otherwise wait for a wake-up: a job finishing, an enqueue, shutdown, the ticker.
            if !failed && commitBy == nil && !finished.withLock({ $0.isEmpty }) {
                commitBy = ContinuousClock.now + options.commitDelay
                let (delay, wake) = (options.commitDelay, self.wake)
                Task {
                    try? await Task.sleep(for: delay)
                    wake.signal()
                }
            }
            await wake.wait()
        }
    }

    /// Reserves room for up to `wanted` jobs for one pass and takes the finished jobs it will
    /// complete, under the lock any other loop takes to do the same; returns how many it may
    /// claim. Every leased job is counted somewhere — held, in a handler, finished and waiting,
    /// or being completed by another pass — so together the passes never lease past `capacity`;
    /// the jobs this pass completes free their room in the same statement that claims.
    /// The order of the reads matters: a job moves from `ready` to `inFlight` to `finished`, so
    /// reading in that order sees it at least once. The enqueue notice is taken only by a pass
    /// that claims: a loop with no room left leaves it to one that has.
    func reserveClaim(upTo wanted: Int, capacity: Int) -> (reserved: Int, done: [(completion: JobRepository.Completion, type: String)]) {
        claiming.withLock { claiming in
            let held = ready.withLock { $0.count }
            let running = inFlight.withLock { $0.count }
            let done = finished.withLock { buffer in
                defer { buffer.removeAll() }; return buffer
            }
            let free = max(0, capacity - held - running - claiming.reserved - claiming.completing)
            let reserved = min(wanted, free, options.claimBatch.map { max(1, $0) } ?? .max)
            claiming.reserved += reserved
            claiming.completing += done.count
            if reserved > 0 { newWork.store(false, ordering: .relaxed) }
            return (reserved, done)
        }
    }

    /// Gives back a pass's reservation once its jobs are held in `ready` (or the pass failed).
    func releaseClaim(_ reserved: Int, completing: Int) {
        claiming.withLock {
            $0.reserved -= reserved
            $0.completing -= completing
        }
    }

    /// Wakes the claim loop every idle-poll interval, so it looks for due jobs (retries, delayed
    /// runs) that no notification announces. One timer for the worker's life.
    func tickerLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: options.idlePoll)
            wake.signal()
        }
    }

    /// Starts held jobs while handlers are free.
    /// Checked and started under the in-flight lock (taken before `ready`'s, everywhere), so
    /// concurrent callers never exceed the concurrency.
    func startReady() {
        inFlight.withLock { tasks in
            while tasks.count < options.concurrency, let (job, runId) = ready.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                launch(job, runId: runId, into: &tasks)
            }
        }
    }
}
