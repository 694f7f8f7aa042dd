#!/usr/bin/env bash
# Runs Anjungan on a development machine on its built-in defaults with the
# demo catalog: no configuration file, no set-up. Installs the Debian
# packages it needs first (as root).
#
#   sudo image/dev-run.sh
#
# With a display (X11 or Wayland), this opens the kiosk in a window. Without
# one, it says how to render the kiosk's screens to pictures, then lets you
# search the catalog as the kiosk does: one query a line; Ctrl-D ends.
set -euo pipefail
cd "$(dirname "$0")/.."

. image/prerequisites.sh
need_packages "${BUILD_PACKAGES[@]}" "${KIOSK_PACKAGES[@]}"
need_cargo

cargo build --release --quiet -p anjungan -p kiosk
bin=target/release/anjungan
kiosk=target/release/anjungan-kiosk
# Built-in defaults: no --config, and no file from the environment.
unset ANJUNGAN_CONFIG
"$bin" catalog status
echo
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "Opening the kiosk in a window (close it to stop)."
    exec "$kiosk"
fi
echo "No display here, so the kiosk cannot open a window. Render its screens instead:"
echo "  $kiosk snapshot --screen home --lang id --size 1280x800 --out home.png"
echo "  $kiosk snapshot --screen service:ktp-el-baru --lang en --size 1080x1920 --out service.png"
echo "  $kiosk snapshot --screen 'search:akta lahir' --size 800x480 --large-text --out search.png"
echo
echo "Search the catalog as a citizen would (one query a line, Ctrl-D to end):"
while IFS= read -r -p "> " query; do
    [ -n "${query// }" ] || continue
    "$bin" catalog search "$query" --limit 5
done
echo
