#!/usr/bin/env bash
# Installs the Debian packages skiff needs to build and test, and only the
# missing ones: silent and quick when everything is there, so `make up` and
# `make test` can run it every time. Works as root, or through sudo.
#
#   scripts/install-deps.sh            install what is missing
#   scripts/install-deps.sh --check    list what is missing; exit 1 if any
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config make binutils
  clang libclang-rt-14-dev
  libzmq3-dev libmsgpack-dev libyaml-dev liblmdb-dev
  libcunit1-dev libmicrohttpd-dev libjansson-dev libgnutls28-dev
  python3 python3-kubernetes
)

missing_packages() {
  local pkg status
  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$pkg"
  done
}

as_root() {
  if [[ $(id -u) -eq 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    echo "install-deps: need root (or sudo) to run: $*" >&2
    exit 1
  fi
}

main() {
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: dpkg-query not found; this script supports Debian 12 only" >&2
    exit 1
  fi
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
  fi
  if [[ ${1:-} == --check ]]; then
    printf 'missing: %s\n' "${missing[*]}"
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The package lists of a fresh machine or container are often empty or
  # stale; refreshing them only when installing keeps the common path fast.
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

main "$@"
