/** The raw-BullMQ baseline: empty jobs through a Queue and a Worker on the same Redis, fresh prefix. */
import { randomUUID } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";

export interface BaselineResult {
  jobs: number;
  concurrency: number;
  seconds: number;
  jobsPerSecond: number;
}

export async function measureRawBullmq(jobs: number, concurrency: number): Promise<BaselineResult> {
  const url = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `bench-raw-${randomUUID().slice(0, 8)}`;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const workerConnection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue("raw", { connection, prefix });
  let done = 0;
  let finish: () => void = () => undefined;
  const finished = new Promise<void>((r) => {
    finish = r;
  });
  const worker = new Worker(
    "raw",
    async () => {
      if (++done === jobs) finish();
    },
    { connection: workerConnection, prefix, concurrency, autorun: false, removeOnComplete: { count: 0 } },
  );
  try {
    for (let i = 0; i < jobs; i += 1000)
      await queue.addBulk(
        Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => ({ name: "empty", data: { i: i + k } })),
      );
    const started = performance.now();
    void worker.run();
    await finished;
    const seconds = (performance.now() - started) / 1000;
    return { jobs, concurrency, seconds, jobsPerSecond: jobs / seconds };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
    workerConnection.disconnect();
  }
}
