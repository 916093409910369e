#!/usr/bin/env bash
# Finds redis-server on PATH, or installs it when it can (root with apt-get), or else prints the one
# command that installs it on this platform (one line on stderr) and exits 1. One script for both
# users: the test set-up (ensure-test-deps.sh, before `npm test`) and the sandbox (`npm start` with
# REDIS_URL unset runs a private redis-server and calls this when none is on PATH).
# REDIS_SERVER_NO_INSTALL=1 never installs, only says what to do (tests use it to act as non-root).
# Only bash built-ins besides apt-get, so that it also runs with a PATH of nothing but bash.
set -euo pipefail

command -v redis-server >/dev/null 2>&1 && exit 0

has_apt() { command -v apt-get >/dev/null 2>&1; }

if [[ $EUID -eq 0 ]] && has_apt && [[ ${REDIS_SERVER_NO_INSTALL:-} != 1 ]]; then
  echo "redis-server is not installed: installing it with apt-get"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
  command -v redis-server >/dev/null 2>&1 && exit 0
  echo "apt-get installed redis-server, but it is not on PATH" >&2
  exit 1
fi

if [[ $OSTYPE == darwin* ]]; then
  install="brew install redis"
elif has_apt; then
  install="$([[ $EUID -eq 0 ]] || echo "sudo ")apt-get install redis-server"
else
  install=""
fi
if [[ -n $install ]]; then
  echo "redis-server is not installed: run \`$install\` (or start a Redis with \`docker compose up -d redis\` and set REDIS_URL=redis://127.0.0.1:6379)" >&2
else
  echo "redis-server is not installed: start a Redis with \`docker compose up -d redis\` and set REDIS_URL=redis://127.0.0.1:6379 (or install redis-server)" >&2
fi
exit 1
