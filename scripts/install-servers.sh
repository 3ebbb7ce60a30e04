#!/usr/bin/env bash
# Installs the real servers the integration tests start on loopback (nginx,
# redis-server, openssl) from Debian's packages when they are missing.
# Without root or apt-get it only says what is missing; the tests then skip
# locally, and fail under CI=true.
set -u
missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "install-servers: missing ${missing[*]} and no root to install them; those tests will skip (fail under CI=true)" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-servers: missing ${missing[*]} and no apt-get; install them with your package manager" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null 2>&1 || true
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian packages start system services; the tests start their own on other ports.
$sudo service nginx stop >/dev/null 2>&1 || true
$sudo service redis-server stop >/dev/null 2>&1 || true
echo "install-servers: installed ${missing[*]}"
