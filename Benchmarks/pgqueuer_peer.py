"""pgqueuer, the peer of Benchmarks/jobs.sh: the same no-op workload on the same PostgreSQL.

    python Benchmarks/pgqueuer_peer.py <dsn> [jobs]

Prints one JSON object per figure, like fiscalmix-jobs-bench.
"""
import asyncio
import json
import resource
import sys
import time

import asyncpg
from pgqueuer import QueueManager
from pgqueuer.db import AsyncpgDriver
from pgqueuer.domain.types import QueueExecutionMode
from pgqueuer.queries import Queries


def report(figure, jobs, seconds, **extra):
    row = {"figure": figure, "jobs": jobs, "seconds": round(seconds, 3), "jobs_per_second": int(jobs / seconds),
           "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}
    row.update(extra)
    print(json.dumps(row), flush=True)


async def fill(queries, n):
    for start in range(0, n, 1000):
        k = min(1000, n - start)
        await queries.enqueue(["noop"] * k, [b"{}"] * k, [0] * k)


async def drain(dsn, batch_size):
    connection = await asyncpg.connect(dsn)
    qm = QueueManager(Queries(AsyncpgDriver(connection)))

    @qm.entrypoint("noop")
    async def noop(job):
        return None

    await qm.run(batch_size=batch_size, mode=QueueExecutionMode.drain)
    await connection.close()


async def main():
    dsn = sys.argv[1]
    jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    connection = await asyncpg.connect(dsn)
    queries = Queries(AsyncpgDriver(connection))
    try:
        await queries.uninstall()
    except Exception:
        pass
    await queries.install()

    singles = min(jobs, 5_000)
    start = time.perf_counter()
    for _ in range(singles):
        await queries.enqueue("noop", b"{}", 0)
    report("enqueue_single", singles, time.perf_counter() - start)
    await queries.clear_queue()

    start = time.perf_counter()
    await fill(queries, jobs)
    report("enqueue_batched", jobs, time.perf_counter() - start)

    for batch_size, n in ((100, jobs), (1, min(jobs, 10_000))):
        await queries.clear_queue()
        await fill(queries, n)
        start = time.perf_counter()
        await drain(dsn, batch_size)
        report(f"process_batch{batch_size}", n, time.perf_counter() - start, batch_size=batch_size)
    await connection.close()


asyncio.run(main())
