#!/usr/bin/env bash
# What the tests need besides node_modules: a Redis (REDIS_URL, else 127.0.0.1:6379) and Chromium
# for the sandbox console's browser test. Starts or installs them when it can (root with apt), and
# otherwise says exactly what to do. Runs before `npm test` (pretest) and from .ci/run.
set -euo pipefail

can_apt() { [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null 2>&1; }
apt_install() {
  echo "test deps: installing $* with apt"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

redis_answers() {
  if command -v redis-cli >/dev/null 2>&1; then
    redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG
  else
    # No client installed: speak RESP over bash's /dev/tcp.
    (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && IFS= read -r -t 2 line <&3 && [[ $line == +PONG* ]]) 2>/dev/null
  fi
}

# A REDIS_URL elsewhere is the caller's to provide; only the local default is started here.
if [[ -z "${REDIS_URL:-}" ]] && ! redis_answers; then
  # Finds or installs redis-server (the same step the sandbox uses), else says how, on stderr.
  here=${BASH_SOURCE[0]%/*}
  [[ $here == "${BASH_SOURCE[0]}" ]] && here=.
  bash "$here/ensure-redis-server.sh" || {
    echo "test deps: the tests need a Redis on 127.0.0.1:6379 (or REDIS_URL)." >&2
    exit 1
  }
  echo "test deps: starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 1 50); do redis_answers && break; sleep 0.2; done
  redis_answers || { echo "test deps: Redis did not start" >&2; exit 1; }
fi

# The browser test drives Debian's Chromium (playwright-core downloads no browser).
chromium_path="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [[ ! -x "$chromium_path" ]]; then
  if can_apt; then apt_install chromium fonts-noto-color-emoji; else
    echo "test deps: the browser test needs Chromium at $chromium_path: apt-get install chromium (or set CHROMIUM_PATH)." >&2
    exit 1
  fi
fi

# The App Home's Chinese screenshots (test/sandbox/home.browser.test.ts) need a CJK font: without
# one Chromium draws boxes. The assertions read text, so this only makes the artifacts readable.
if can_apt && command -v fc-list >/dev/null 2>&1 && ! fc-list :lang=zh 2>/dev/null | grep -q .; then
  apt_install fonts-wqy-microhei || echo "test deps: no CJK font installed; Chinese screenshots show boxes" >&2
fi
