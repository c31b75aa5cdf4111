import FiscalMixCore
import FiscalMixDatabase
import FiscalMixJobs
// Job-queue throughput on PostgreSQL or SQLite, release mode. Not part of the test suite.
//   swift run -c release fiscalmix-jobs-bench <database-url> [jobs]
//   swift run -c release fiscalmix-jobs-bench <database-url> drain <jobs>   (memory: fill, then drain with one worker)
// Prints one JSON object per figure, so Benchmarks/jobs.sh can put it beside pgqueuer's.
import FiscalMixSchemaBaseline
import Foundation
import Logging
import SQLKit
import ServiceLifecycle
import Synchronization

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: fiscalmix-jobs-bench <database-url> [jobs]\n".utf8))
    exit(2)
}
let url = arguments[1]
let drainOnly = arguments.count > 3 && arguments[2] == "drain"
let jobCount = drainOnly ? Int(arguments[3]) ?? 1_000_000 : (arguments.count > 2 ? Int(arguments[2]) ?? 50_000 : 50_000)
let logger: Logger = {
    var logger = Logger(label: "bench")
    logger.logLevel = .warning
    return logger
}()

func report(_ name: String, jobs: Int, seconds: Double, extra: [String: String] = [:]) {
    var fields = [
        "\"figure\": \"\(name)\"", "\"jobs\": \(jobs)", "\"seconds\": \(String(format: "%.3f", seconds))",
        "\"jobs_per_second\": \(Int(Double(jobs) / seconds))", "\"max_rss_mb\": \(maxRSSMegabytes())",
    ]
    for (k, v) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(k)\": \(v)") }
    FileHandle.standardOutput.write(Data(("{" + fields.joined(separator: ", ") + "}\n").utf8))
}

/// Peak resident set (VmHWM) of this process, in MB.
func maxRSSMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
        let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
    else { return -1 }
    return kb / 1024
}

func elapsed(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    return (ContinuousClock.now - start).seconds
}

let database = try Database.open(url: url, logger: logger)
try await MigrationRunner(database: database, history: try MigrationHistory(BaselineSchema.migrations), logger: logger).run()
/// Handler runs so far: the drain loop asks the database only once the handlers have seen every
/// job, so measuring does not load the database it measures (a count every 20 ms over a table of
/// 50,000 rows took a share of the CPU the queue competes for; pgqueuer's drain mode asks nothing).
let handled = Atomic<Int>(0)
let registry = JobRegistry([JobDefinition(type: "noop") { _ in handled.add(1, ordering: .relaxed) }])
let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())

/// Empties the queue before a figure, as pgqueuer's `clear_queue` does (TRUNCATE) before each of
/// its drains: a drain that starts behind the dead rows of the last one walks their entries at the
/// head of the claim index until autovacuum (at most once a minute) removes them, so each figure
/// would depend on when autovacuum last ran.
func reset() async throws {
    if database.dialect == .postgres {
        // CASCADE: every table that refers to jobs (all empty in the benchmark's database).
        try await database.execute("TRUNCATE jobs CASCADE")
    } else {
        try await database.execute("DELETE FROM job_runs")
        try await database.execute("DELETE FROM dead_letters")
        try await database.execute("DELETE FROM jobs")
    }
}

func fill(_ n: Int) async throws {
    var batch: [NewJob] = []
    for i in 0..<n {
        batch.append(NewJob(type: "noop", payload: "{\"i\":\(i)}"))
        if batch.count == 1000 { try await queue.enqueueBatch(batch); batch.removeAll(keepingCapacity: true) }
    }
    if !batch.isEmpty { try await queue.enqueueBatch(batch) }
}

func succeeded() async throws -> Int {
    try await JobRepository(database: database).countByStatus()[.success] ?? 0
}

/// One drain's worker settings; its figure is named after them (`process_c16_p84`,
/// `process_c100_p300_b100_x4`: claims of at most 100, four passes in flight).
struct DrainRun {
    var concurrency: Int
    var prefetch = 0
    var claimBatch: Int?
    var passes: Int?

    var figure: String {
        "process_c\(concurrency)" + (prefetch > 0 ? "_p\(prefetch)" : "") + (claimBatch.map { "_b\($0)" } ?? "")
            + (passes.map { "_x\($0)" } ?? "")
    }

    /// `c:p[:batch[:passes]]`, as BENCH_PROCESS names them.
    init?(_ spec: Substring) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count >= 2, let concurrency = parts[0], let prefetch = parts[1] else { return nil }
        self.init(
            concurrency: concurrency, prefetch: prefetch, claimBatch: parts.count > 2 ? parts[2] : nil,
            passes: parts.count > 3 ? parts[3] : nil)
    }

    init(concurrency: Int, prefetch: Int = 0, claimBatch: Int? = nil, passes: Int? = nil) {
        (self.concurrency, self.prefetch, self.claimBatch, self.passes) = (concurrency, prefetch, claimBatch, passes)
    }
}

/// Drains `n` queued jobs with one worker; returns the seconds it took.
func drain(_ n: Int, _ run: DrainRun) async throws -> Double {
    var options = JobWorker.Options()
    options.concurrency = run.concurrency
    options.prefetch = run.prefetch
    options.claimBatch = run.claimBatch
    if let passes = run.passes { options.passesInFlight = passes }
    options.idlePoll = .milliseconds(200)
    let worker = JobWorker(database: database, registry: registry, logger: logger, options: options)
    let group = ServiceGroup(configuration: .init(services: [worker], logger: logger))
    handled.store(0, ordering: .relaxed)
    return try await elapsed {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            while handled.load(ordering: .relaxed) < n { try await Task.sleep(for: .milliseconds(5)) }
            while try await succeeded() < n { try await Task.sleep(for: .milliseconds(5)) }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }
}

if drainOnly {
    // Memory under a long drain: the peak RSS of this process (producer and worker) while one
    // worker works through `jobCount` jobs.
    try await reset()
    report("fill", jobs: jobCount, seconds: try await elapsed { try await fill(jobCount) })
    // The most jobs in flight of the benchmark's drains: claims of 100, room for four.
    let run = DrainRun(concurrency: 100, prefetch: 300, claimBatch: 100, passes: 4)
    report(run.figure.replacingOccurrences(of: "process", with: "drain"), jobs: jobCount, seconds: try await drain(jobCount, run))
    try await database.shutdown()
    exit(0)
}

// 0. The driver's round trip, for scale: `SELECT 1` through the pool.
report(
    "round_trip_select1", jobs: 5000,
    seconds: try await elapsed {
        for _ in 0..<5000 { try await database.execute("SELECT 1") }
    })

// BENCH_PROCESS="1:0 16:84 100:300:100:4" runs only the (concurrency:prefetch[:claim batch[:passes]])
// drains it names, for A/B comparisons: no enqueue figures, no ceiling.
let namedRuns: [DrainRun]? = ProcessInfo.processInfo.environment["BENCH_PROCESS"].map { spec in
    spec.split(separator: " ").compactMap(DrainRun.init)
}
let processOnly = namedRuns != nil

// 1. Enqueue, one job per call and in batches of 1000.
if !processOnly {
    try await reset()
    let singles = min(jobCount, 5_000)
    report(
        "enqueue_single", jobs: singles,
        seconds: try await elapsed {
            for i in 0..<singles { try await queue.enqueue(NewJob(type: "noop", payload: "{\"i\":\(i)}")) }
        })
    try await reset()
    report("enqueue_batched", jobs: jobCount, seconds: try await elapsed { try await fill(jobCount) })
}

// 2. Processing with 1, 4, 16 and 100 concurrent handlers (one worker; it claims as many jobs as it
// has free handlers); 16 handlers claiming batches of 100 (prefetch 84); and claims of at most 100
// with room for four of them (prefetch 300) and four passes in flight, so a claim overlaps the
// running of the jobs before it — as pgqueuer's batch_size=100 does, whose worker keeps dequeuing
// batches while earlier ones run (no cap on its tasks by default). Single-handler runs drain fewer
// jobs: they are slower by design.
let defaultRuns = [
    DrainRun(concurrency: 1), DrainRun(concurrency: 4), DrainRun(concurrency: 16), DrainRun(concurrency: 100),
    DrainRun(concurrency: 16, prefetch: 84), DrainRun(concurrency: 100, prefetch: 300, claimBatch: 100, passes: 4),
]
for run in namedRuns ?? defaultRuns {
    try await reset()
    let n = run.concurrency == 1 ? min(jobCount, 10_000) : jobCount
    try await fill(n)
    let seconds = try await drain(n, run)
    var extra = ["concurrency": "\(run.concurrency)", "prefetch": "\(run.prefetch)"]
    if let batch = run.claimBatch { extra["claim_batch"] = "\(batch)" }
    report(run.figure, jobs: n, seconds: seconds, extra: extra)
}

// 3. The raw SQL ceiling (PostgreSQL): 16 connections each looping a bare SKIP LOCKED claim of
// 100 and a bulk completion, with no runs, leases or bookkeeping.
if database.dialect == .postgres && !processOnly {
    try await reset()
    try await fill(jobCount)
    let seconds = try await elapsed {
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for _ in 0..<16 {
                tasks.addTask {
                    while true {
                        let ids = try await database.query(
                            """
                            UPDATE jobs SET status = 'running' WHERE id IN (
                              SELECT id FROM jobs WHERE status = 'queued' AND queue = 'default'
                              ORDER BY priority DESC, run_at LIMIT 100 FOR UPDATE SKIP LOCKED)
                            RETURNING id
                            """
                        ).map { try $0.decode(column: "id", as: UUID.self) }
                        if ids.isEmpty { return }
                        try await database.execute("UPDATE jobs SET status = 'success' WHERE id IN (\(binds: ids))")
                    }
                }
            }
            try await tasks.waitForAll()
        }
    }
    report("raw_sql_ceiling", jobs: jobCount, seconds: seconds)
}
try await database.shutdown()
