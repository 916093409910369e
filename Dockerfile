# Three stages: production dependencies only, the build (which needs the dev dependencies), and
# the runtime image, which takes node_modules from the first and dist/ from the second.
# test/main/deploy-files.test.ts checks this file; .ci/run builds and starts it where Docker runs.
FROM node:20-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
# build:production leaves out src/sandbox and dev/ (the Slack emulator, the Tencent simulator):
# the image carries no stand-in; `node dist/main.js sandbox` says so in one line.
RUN npm run build:production

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production PORT=3000
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
COPY policies ./policies
USER node
EXPOSE 3000
# node:20-slim has no curl: ask /healthz with Node's own fetch, on whatever PORT the bot listens.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js", "all"]
