#!/usr/bin/env bash
# Builds Anjungan's three Debian packages for one architecture, in release:
# anjungan (the command line, the shared user and data directory, the
# configuration), anjungan-captive (the portal and the guest network) and
# anjungan-kiosk (the touchscreen app, with the device's features: linuxkms,
# and gpio on arm64). Installs what it needs first (as root); arm64 is
# cross-built on an amd64 machine with Debian's multiarch libraries.
#
#   image/packages.sh --arch amd64|arm64 --out DIR
#
# Both architectures, in one command:
#
#   for a in amd64 arm64; do image/packages.sh --arch $a --out debs/$a || break; done
#
# The packages are DIR/anjungan_VERSION_ARCH.deb, DIR/anjungan-captive_...
# and DIR/anjungan-kiosk_...; `apt install ./DIR/anjungan*.deb` installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: $0 --arch amd64|arm64 --out DIR" >&2; exit 2; }
ARCH= OUT=
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) ARCH=${2:-}; shift 2 || usage ;;
        --out) OUT=${2:-}; shift 2 || usage ;;
        *) usage ;;
    esac
done
[ -n "$OUT" ] || usage

. image/prerequisites.sh
need_packages "${BUILD_PACKAGES[@]}" "${KIOSK_DEVICE_PACKAGES[@]}" "${PACKAGING_PACKAGES[@]}"
need_cargo_deb

case "$ARCH" in
    amd64)
        TRIPLE=x86_64-unknown-linux-gnu
        FEATURES=kiosk/linuxkms
        ELF=x86-64
        ;;
    arm64)
        TRIPLE=aarch64-unknown-linux-gnu
        FEATURES="kiosk/linuxkms kiosk/gpio"
        ELF=aarch64
        if ! dpkg --print-foreign-architectures | grep -qx arm64; then
            dpkg --add-architecture arm64
            apt-get update -qq
        fi
        need_packages "${ARM64_CROSS_PACKAGES[@]}"
        if command -v rustup >/dev/null; then rustup target add "$TRIPLE" >/dev/null 2>&1; fi
        # The linker and C compiler (SQLite is compiled in) for arm64, and
        # pkg-config looking at the arm64 libraries only.
        export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
        export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
        export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
        export PKG_CONFIG_ALLOW_CROSS=1
        export PKG_CONFIG_LIBDIR=/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig
        export PKG_CONFIG_SYSROOT_DIR=/
        ;;
    *) usage ;;
esac

# The host's own architecture builds without --target, where the tests'
# release builds are; another one goes to target/TRIPLE.
TARGET=()
if [ "$(dpkg --print-architecture)" != "$ARCH" ]; then TARGET=(--target "$TRIPLE"); fi

start=$SECONDS
cargo build --release --locked "${TARGET[@]}" -p anjungan -p captive -p kiosk \
    --no-default-features --features "$FEATURES"
echo "packages.sh: built for $ARCH in $((SECONDS - start)) s"

mkdir -p "$OUT"
for crate in anjungan captive kiosk; do
    cargo deb --no-build --locked "${TARGET[@]}" -p "$crate" --output "$OUT" --quiet
done

# Checks that need no installing: each program is for $ARCH, and the
# programs' packages want exactly this version of anjungan.
VERSION=$(cargo metadata --no-deps --format-version 1 |
    python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "anjungan"))')
check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
for pkg in anjungan anjungan-captive anjungan-kiosk; do
    deb="$OUT/${pkg}_${VERSION}_${ARCH}.deb"
    [ -f "$deb" ] || { echo "packages.sh: $deb was not made" >&2; exit 1; }
    dpkg-deb -x "$deb" "$check/$pkg"
    for bin in "$check/$pkg"/usr/bin/*; do
        file -b "$bin" | grep -q "ELF 64-bit.*$ELF" ||
            { echo "packages.sh: $bin in $deb is not an $ARCH program: $(file -b "$bin")" >&2; exit 1; }
    done
    if [ "$pkg" != anjungan ]; then
        dpkg-deb -f "$deb" Depends | grep -q "anjungan (= $VERSION)" ||
            { echo "packages.sh: $deb does not depend on anjungan (= $VERSION); set it in its Cargo.toml's depends" >&2; exit 1; }
    fi
done
ls -l "$OUT"/*_"${VERSION}_${ARCH}".deb
