#!/usr/bin/env bash
# Installs the Debian packages hds needs, only those that are missing. Safe to run again.
# Extra package names given as arguments are installed too (bench/run.sh adds time and python3-torch).
set -euo pipefail
PACKAGES=(
  build-essential cmake git pkg-config
  libeigen3-dev libyaml-cpp-dev libhdf5-dev libfmt-dev doctest-dev libcli11-dev
  zlib1g-dev libssl-dev curl
  libopenmpi-dev openmpi-bin
  python3 python3-numpy python3-h5py python3-matplotlib python3-torch
  python3-dev pybind11-dev python3-yaml python3-pandas python3-xarray python3-h5netcdf python3-pytest
  "$@"
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "hds: installing Debian packages: ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
