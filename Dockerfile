FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
# build:production leaves out src/sandbox and dev/ (the Slack emulator, the Tencent simulator):
# the image carries no stand-in; `node dist/main.js sandbox` says so in one line.
RUN npm run build:production && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json manifest.yml ./
COPY policies ./policies
USER node
EXPOSE 3000
CMD ["node", "dist/main.js", "all"]
