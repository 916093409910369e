import { defineConfig } from "vitest/config";

/**
 * `npm run contract:tencent`: the CloudApi contract against real Tencent Cloud. Not part of
 * `npm test` (its files do not end in `.test.ts`); it needs credentials and fixtures from the
 * environment (see tencent-real.contract.ts).
 */
export default defineConfig({
  test: {
    include: ["test/contract/*.contract.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
