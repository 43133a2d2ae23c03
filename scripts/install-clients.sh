#!/usr/bin/env bash
# Debian packages the benchmarks need (needs root): the real clients the paper's programs are driven
# by, and valgrind for bench:instructions. Usage: scripts/install-clients.sh [package ...]
# (default: all the clients). Installs only what is missing.
set -euo pipefail
all=(wrk apache2-utils oggfwd libshout-tools vorbis-tools curl iperf libmemcached-tools telnet expect mosquitto-clients tcpdump tcpreplay)
wanted=("$@")
[ ${#wanted[@]} -eq 0 ] && wanted=("${all[@]}")
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=300 update -qq
apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
