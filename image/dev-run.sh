#!/usr/bin/env bash
# Runs Anjungan on a development machine on its built-in defaults with the
# demo catalog: no configuration file, no set-up. Installs the Debian
# packages it needs first (as root).
#
#   sudo image/dev-run.sh
#
# Until the kiosk and the Wi-Fi portal land, this shows the catalog in use
# and lets you search it as the kiosk will: type what a citizen would type,
# one query a line; Ctrl-D ends.
set -euo pipefail
cd "$(dirname "$0")/.."

. image/prerequisites.sh
need_packages "${BUILD_PACKAGES[@]}"
need_cargo

cargo build --release --quiet -p anjungan
bin=target/release/anjungan
# Built-in defaults: no --config, and no file from the environment.
unset ANJUNGAN_CONFIG
"$bin" catalog status
echo
echo "Search the catalog as a citizen would (one query a line, Ctrl-D to end):"
while IFS= read -r -p "> " query; do
    [ -n "${query// }" ] || continue
    "$bin" catalog search "$query" --limit 5
done
echo
