// Job-queue throughput on PostgreSQL or SQLite, release mode. Not part of the test suite.
//   swift run -c release fiscalmix-jobs-bench <database-url> [jobs]
//   swift run -c release fiscalmix-jobs-bench <database-url> drain <jobs>   (memory: fill, then drain with one worker)
// Prints one JSON object per figure, so Benchmarks/jobs.sh can put it beside pgqueuer's.
import FiscalMixCore
import FiscalMixJobs
import FiscalMixStorage
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
    var fields = ["\"figure\": \"\(name)\"", "\"jobs\": \(jobs)", "\"seconds\": \(String(format: "%.3f", seconds))",
                  "\"jobs_per_second\": \(Int(Double(jobs) / seconds))", "\"max_rss_mb\": \(maxRSSMegabytes())"]
    for (k, v) in extra.sorted(by: { $0.key < $1.key }) { fields.append("\"\(k)\": \(v)") }
    FileHandle.standardOutput.write(Data(("{" + fields.joined(separator: ", ") + "}\n").utf8))
}

/// Peak resident set (VmHWM) of this process, in MB.
func maxRSSMegabytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) else { return -1 }
    return kb / 1024
}

func elapsed(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

let database = try Database.open(url: url, logger: logger)
try await MigrationRunner(database: database, logger: logger).run()
/// Handler runs so far: the drain loop asks the database only once the handlers have seen every
/// job, so measuring does not load the database it measures (a count every 20 ms over a table of
/// 50,000 rows took a share of the CPU the queue competes for; pgqueuer's drain mode asks nothing).
let handled = Atomic<Int>(0)
let registry = JobRegistry([JobDefinition(type: "noop") { _ in handled.add(1, ordering: .relaxed) }])
let queue = JobQueue(database: database, registry: registry, clock: SystemWallClock())

func reset() async throws {
    try await database.execute("DELETE FROM job_runs")
    try await database.execute("DELETE FROM dead_letters")
    try await database.execute("DELETE FROM jobs")
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

/// Drains `n` queued jobs with one worker; returns the seconds it took.
func drain(_ n: Int, concurrency: Int, prefetch: Int) async throws -> Double {
    var options = JobWorker.Options()
    options.concurrency = concurrency
    options.prefetch = prefetch
    options.idlePoll = .milliseconds(200)
    if let passes = ProcessInfo.processInfo.environment["BENCH_PASSES"].flatMap(Int.init) { options.passesInFlight = passes }
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
    report("drain_c16_p84", jobs: jobCount, seconds: try await drain(jobCount, concurrency: 16, prefetch: 84))
    try await database.shutdown()
    exit(0)
}

// 0. The driver's round trip, for scale: `SELECT 1` through the pool.
report("round_trip_select1", jobs: 5000, seconds: try await elapsed {
    for _ in 0..<5000 { try await database.execute("SELECT 1") }
})

// BENCH_PROCESS="1:0 16:84" runs only the (concurrency:prefetch) drains it names, for A/B
// comparisons: no enqueue figures, no ceiling.
let namedRuns: [(Int, Int)]? = ProcessInfo.processInfo.environment["BENCH_PROCESS"].map { spec in
    spec.split(separator: " ").compactMap { pair in
        let parts = pair.split(separator: ":").compactMap { Int($0) }
        return parts.count == 2 ? (parts[0], parts[1]) : nil
    }
}
let processOnly = namedRuns != nil

// 1. Enqueue, one job per call and in batches of 1000.
if !processOnly {
    try await reset()
    let singles = min(jobCount, 5_000)
    report("enqueue_single", jobs: singles, seconds: try await elapsed {
        for i in 0..<singles { try await queue.enqueue(NewJob(type: "noop", payload: "{\"i\":\(i)}")) }
    })
    try await reset()
    report("enqueue_batched", jobs: jobCount, seconds: try await elapsed { try await fill(jobCount) })
}

// 2. Processing with 1, 4, 16 and 100 concurrent handlers (one worker; it claims as many jobs as it
// has free handlers), and 16 handlers claiming batches of 100 (prefetch 84), like pgqueuer's
// batch_size=100. Single-handler runs drain fewer jobs: they are slower by design.
for (concurrency, prefetch) in namedRuns ?? [(1, 0), (4, 0), (16, 0), (100, 0), (16, 84)] {
    try await reset()
    let n = concurrency == 1 ? min(jobCount, 10_000) : jobCount
    try await fill(n)
    let seconds = try await drain(n, concurrency: concurrency, prefetch: prefetch)
    report("process_c\(concurrency)" + (prefetch > 0 ? "_p\(prefetch)" : ""), jobs: n, seconds: seconds,
           extra: ["concurrency": "\(concurrency)", "prefetch": "\(prefetch)"])
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
                        let ids = try await database.query("""
                            UPDATE jobs SET status = 'running' WHERE id IN (
                              SELECT id FROM jobs WHERE status = 'queued' AND queue = 'default'
                              ORDER BY priority DESC, run_at LIMIT 100 FOR UPDATE SKIP LOCKED)
                            RETURNING id
                            """).map { try $0.decode(column: "id", as: UUID.self) }
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
