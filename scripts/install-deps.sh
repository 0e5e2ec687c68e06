#!/usr/bin/env bash
# Installs (as root, with apt-get) every Debian 12 package analysisd needs to
# build, test and run; does nothing when all of them are already installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache make pkgconf lld
  libcaf-dev librestinio-dev libasio-dev libfmt-dev libhttp-parser-dev libpcre2-dev
  nlohmann-json3-dev libboost-filesystem-dev libssl-dev zlib1g-dev
  googletest libgtest-dev
  clang-14 libclang-rt-14-dev
  libcli11-dev libcurl4-openssl-dev prometheus-cpp-dev libspdlog-dev libsystemd-dev help2man dpkg-dev
  curl python3 procps patch
  python3-yaml python3-jsonschema openapi-specification
  postgresql libpq-dev
  iproute2
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
