#!/usr/bin/env bash
# Gradescope autograder set-up: runs once, when Gradescope builds the autograder image.
#
# The autograder zip holds this folder's files plus a `netgrade` binary built with
# `cargo build --release` (target/release/netgrade) and `config.env` naming the exercise.
# PREFIX (default /usr/local) is where netgrade is installed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
prefix="${PREFIX:-/usr/local}"

# Student programs in Python need python3.
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3
fi
mkdir -p "$prefix/bin"
# Execute-only: a student's program cannot read the binary (and the exercise specs it
# embeds), even where it runs on the host (--isolation none); in a namespace the view covers it.
install -m 0711 "$here/netgrade" "$prefix/bin/netgrade"
"$prefix/bin/netgrade" --version
