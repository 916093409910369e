import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    reporters: ["default", "./test/support/summary-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Integration tests share one Redis and bind ports; files run in parallel, tests inside a file in order.
    fileParallelism: true,
    pool: "forks",
  },
});
