#!/usr/bin/env bash
# Installs the system packages the tests run against (real servers and tools, never mocks): every test/setup/apt/*.txt
# lists the Debian packages of one concern (S3 gateway, Prometheus, ...). Runs apt-get only for what is missing, and only
# as root; otherwise it prints the command to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
shopt -s nullglob
lists=("$here"/apt/*.txt)
[ ${#lists[@]} -eq 0 ] && exit 0
mapfile -t wanted < <(cat "${lists[@]}" | sed 's/#.*//' | tr -s ' \t' '\n' | grep -v '^$' | sort -u)
missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "test setup: missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
  exit 1
fi
echo "test setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
