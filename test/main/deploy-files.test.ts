import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { environmentSchema } from "../../src/config/environment.schema.js";

/** docker-compose.yml, the Dockerfile and the CI's image step, checked without a Docker daemon. */
const root = new URL("../../", import.meta.url);
const readText = (path: string) => readFileSync(new URL(path, root), "utf8");

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}
const composeText = readText("docker-compose.yml");
const compose = parse(composeText) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};

/** Variables the bot cannot start without (HTTP mode, both roles). */
const REQUIRED = [
  "SLACK_BOT_TOKEN",
  "SLACK_SIGNING_SECRET",
  "TENCENTCLOUD_SECRET_ID",
  "TENCENTCLOUD_SECRET_KEY",
];
const SECRET_NAME = /TOKEN|SECRET|KEY|PASSWORD/;

describe("docker-compose.yml", () => {
  const { redis, bot } = compose.services;

  it("has Redis and the bot", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["bot", "redis"]);
  });

  it("runs Redis with AOF on and noeviction, on a volume, with a health check", () => {
    const command = redis?.command ?? [];
    const flag = (name: string) => command[command.indexOf(name) + 1];
    expect(command[0]).toBe("redis-server");
    expect(flag("--appendonly")).toBe("yes");
    expect(flag("--maxmemory-policy")).toBe("noeviction");
    expect(redis?.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(Object.keys(compose.volumes ?? {})).toContain("redis-data");
    // Reachable from this machine only.
    for (const port of redis?.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:/);
  });

  it("starts the bot after Redis is healthy and checks the bot's /healthz on its PORT", () => {
    expect(bot?.build).toBeDefined();
    expect(bot?.command).toEqual(["node", "dist/main.js", "all"]);
    expect(bot?.depends_on?.redis?.condition).toBe("service_healthy");
    const port = bot?.environment?.PORT ?? "3000";
    expect(bot?.healthcheck?.test.join(" ")).toContain(`:${port}/healthz`);
    expect(bot?.ports).toContain(`${port}:${port}`);
    expect(bot?.environment?.REDIS_URL).toBe("redis://redis:6379");
  });

  it("fails fast on every required variable, with a message", () => {
    for (const name of REQUIRED) {
      expect(bot?.environment?.[name], name).toMatch(new RegExp(`^\\$\\{${name}:\\?.+\\}$`));
    }
  });

  it("sets only variables the bot reads, and no secret inline", () => {
    const known = Object.keys(environmentSchema.shape);
    for (const [name, value] of Object.entries(bot?.environment ?? {})) {
      expect(known, `${name} is not read by the bot`).toContain(name);
      if (SECRET_NAME.test(name)) expect(value, name).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
    }
    expect(composeText).not.toMatch(/xox[abp]-\w|AKID\w{8,}/);
  });

  it("describes the app/worker split", () => {
    expect(composeText).toMatch(/#\s+command: \["node", "dist\/main\.js", "app"\]/);
    expect(composeText).toMatch(/#\s+command: \["node", "dist\/main\.js", "worker"\]/);
  });
});

describe("Dockerfile", () => {
  const text = readText("Dockerfile").replace(/\\\n\s*/g, " ");
  const lines = text.split("\n").filter((l) => l.trim() && !l.trim().startsWith("#"));
  const stages: string[][] = [];
  for (const line of lines) {
    if (/^FROM /i.test(line)) stages.push([]);
    stages.at(-1)?.push(line);
  }
  const runtime = stages.at(-1) ?? [];

  it("is multi-stage: the build with dev dependencies, the runtime without", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain("npm run build:production");
    const deps = stages.find((s) => s.some((l) => /npm ci .*--omit=dev/.test(l)));
    expect(deps, "a stage installs production dependencies only").toBeDefined();
    const depsName = deps?.[0]?.match(/ AS (\w+)/i)?.[1];
    expect(runtime).toContain(`COPY --from=${depsName} /app/node_modules ./node_modules`);
  });

  it("runs as node, carries no stand-ins or sources, and checks /healthz on PORT", () => {
    expect(runtime.filter((l) => /^USER /.test(l))).toEqual(["USER node"]);
    for (const line of runtime.filter((l) => /^COPY /.test(l))) {
      expect(line).not.toMatch(/\b(dev|test|src|bench)\b\s/);
    }
    const healthcheck = runtime.find((l) => /^HEALTHCHECK /.test(l)) ?? "";
    expect(healthcheck).toContain("/healthz");
    expect(healthcheck).toContain("process.env.PORT");
    expect(healthcheck).not.toContain("curl");
    expect(runtime.at(-1)).toBe('CMD ["node", "dist/main.js", "all"]');
  });

  it("keeps local secrets and stand-ins out of the build context", () => {
    const ignored = readText(".dockerignore").split("\n");
    for (const entry of ["node_modules", ".env", "bot.config.yml", "dev", "test"])
      expect(ignored).toContain(entry);
  });
});

describe("the CI's image step (scripts/docker-smoke.sh)", () => {
  it("is part of .ci/run", () => {
    expect(readText(".ci/run")).toMatch(/^bash scripts\/docker-smoke\.sh$/m);
  });

  it("without a Docker daemon says so and succeeds", () => {
    const bin = mkdtempSync(join(tmpdir(), "cbs-no-docker-"));
    // A docker client whose daemon is not there, as `docker info` fails without one.
    writeFileSync(join(bin, "docker"), "#!/bin/sh\necho 'Cannot connect to the Docker daemon' >&2\nexit 1\n");
    chmodSync(join(bin, "docker"), 0o755);
    const run = spawnSync("bash", ["scripts/docker-smoke.sh"], {
      cwd: new URL(".", root).pathname,
      env: { PATH: `${bin}:/usr/bin:/bin` },
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe("docker: no daemon here; image build skipped");
  });
});
