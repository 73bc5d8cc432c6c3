#!/usr/bin/env bash
# The project's test command (README, .ci/run): every package, race detector
# on. Nothing here needs a display: Fyne's test driver renders in memory.
# The first -race build compiles GLFW's C code (a few minutes on 2 cores);
# later runs reuse the Go build cache.
set -euo pipefail
cd "$(dirname "$0")"
go test -race -count=1 ./...
