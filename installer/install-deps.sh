#!/usr/bin/env bash
# Installs every Debian 12 package that the AutoMoE Workbench needs to build, test and run.
# Idempotent: packages already present are skipped by apt; safe to run again. Needs root.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then exec sudo -E bash "$0" "$@"; fi
  echo "install-deps.sh: must run as root (or with sudo available)" >&2
  exit 2
fi

PACKAGES=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # engine: LibTorch (+ gloo headers for c10d, oneDNN headers for fp32 sgemm), JSON, tokenizer,
  # BLAS with a real kernel, tcmalloc for the executables' heap, zlib (CRC-32 checks of checkpoints)
  libtorch-dev libgloo-dev libdnnl-dev nlohmann-json3-dev libsentencepiece-dev libopenblas0-openmp
  libgoogle-perftools-dev zlib1g-dev
  # GUI: Qt 6 widgets + QCustomPlot (Qt 6 build), offscreen/X11 platform bits
  qt6-base-dev qt6-base-dev-tools libqcustomplot-dev libgl1-mesa-dev
  # headless GUI runs and screenshots; gettext tools for the corpus builder
  xvfb xauth gettext
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "install-deps.sh: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps.sh: done"
