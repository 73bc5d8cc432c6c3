#!/usr/bin/env bash
# Build Kruzhok and open the desktop app on a fresh Debian 12 machine.
# Installs the missing system packages Fyne needs, builds ./kruzhok, then
# starts the app. The database is encrypted under a password: on a first
# start the window asks for one, then offers the demo region. With
# KRUZHOK_PASSWORD set, the demo region is built (sealed under that
# password) before the window opens, and the window opens without asking.
# Go 1.26 must already be installed (https://go.dev/doc/install).
set -euo pipefail
cd "$(dirname "$0")"

# The Fyne headers, and what ./test.sh needs besides: Xvfb, Chromium for the
# catalogue's browser tests, poppler-utils to read PDFs back.
pkgs=(ca-certificates gcc libc6-dev pkg-config
  libgl1-mesa-dev libx11-dev libxcursor-dev libxrandr-dev libxinerama-dev libxi-dev libxxf86vm-dev
  xvfb xauth chromium poppler-utils fonts-dejavu-core)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! command -v go >/dev/null 2>&1; then
  echo "Go is not installed. Kruzhok needs Go 1.26 or newer:" >&2
  echo "  download it from https://go.dev/dl/ and follow https://go.dev/doc/install," >&2
  echo "  then make sure 'go version' works and run ./run.sh again." >&2
  exit 1
fi

echo "Building ./kruzhok (the first build compiles GLFW and takes a few minutes)..."
go build -o kruzhok .

DB="${XDG_CONFIG_HOME:-$HOME/.config}/kruzhok/kruzhok.db"
mkdir -p "$(dirname "$DB")"
if [ ! -f "$DB" ] && [ -n "${KRUZHOK_PASSWORD:-}" ]; then
  echo "Creating the demo database $DB (encrypted under KRUZHOK_PASSWORD)"
  ./kruzhok demo --data "$DB"
fi
exec ./kruzhok --data "$DB"
