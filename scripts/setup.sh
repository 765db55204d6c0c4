#!/usr/bin/env bash
# Installs what lpack needs on Debian 12, then configures and builds it into build/.
#   scripts/setup.sh            build dependencies only
#   scripts/setup.sh --tests    also everything the test suite runs (compilers for arm64 wheels,
#                               qemu, Go, Maven and Debian's Maven repository, yarn and pnpm)
# Idempotent: packages already installed are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" == "--tests" ] && with_tests=1

build_packages=(
  g++ cmake ninja-build pkg-config git
  libarchive-dev libzip-dev libssl-dev libseccomp-dev nlohmann-json3-dev libxxhash-dev
  libtbb-dev libtomlplusplus-dev libcli11-dev libdeflate-dev zlib1g-dev libcurl4-openssl-dev
  libgtest-dev
  python3 python3-pip zip unzip
)
test_packages=(
  libarchive-tools xxhash hyperfine
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static binfmt-support
  golang-go
  default-jdk-headless maven libmaven-compiler-plugin-java libmaven-resources-plugin-java
  libmaven-jar-plugin-java libmaven-dependency-plugin-java libmaven-install-plugin-java
  libsurefire-java junit4 libcommons-lang3-java gradle
  nodejs npm
  nginx-full protobuf-compiler curl
)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

wanted=("${build_packages[@]}")
[ $with_tests -eq 1 ] && wanted+=("${test_packages[@]}")
missing=()
for p in "${wanted[@]}"; do
  # node and npm may come from elsewhere than Debian (a newer Node is fine).
  if [ "$p" == nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$p" == npm ] && command -v npm >/dev/null; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo_if_needed apt-get update -qq
  # Packages with services (nginx-full, for the remote-cache tests) must not start them: the
  # tests start their own on free ports, and a busy port 80 would fail the install.
  no_start=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | sudo_if_needed tee /usr/sbin/policy-rc.d >/dev/null
    sudo_if_needed chmod 755 /usr/sbin/policy-rc.d
    no_start=1
  fi
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ $no_start -eq 1 ]; then sudo_if_needed rm -f /usr/sbin/policy-rc.d; fi
fi

if [ $with_tests -eq 1 ]; then
  # npm 10 or newer honours --cpu/--os when choosing optional platform packages.
  if [ "$(npm --version | cut -d. -f1)" -lt 10 ]; then sudo_if_needed npm install -g --silent npm@10 >/dev/null; fi
  # yarn and pnpm for the Node fixtures, from the npm registry.
  for tool in yarn pnpm; do
    command -v "$tool" >/dev/null || sudo_if_needed npm install -g --silent "$tool" >/dev/null
  done
  # arm64 binaries (Go bootstrap, test programs) run through qemu-user via binfmt_misc.
  if [ -d /proc/sys/fs/binfmt_misc ] && [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    sudo_if_needed mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  fi
  if command -v update-binfmts >/dev/null && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    sudo_if_needed update-binfmts --import qemu-aarch64 >/dev/null 2>&1 || true
    sudo_if_needed update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  fi
fi

cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build
echo "setup: built build/lpack"
