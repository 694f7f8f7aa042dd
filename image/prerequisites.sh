# Sourced by image/dev-run.sh and tests/run.sh: installs the Debian packages
# a development machine or CI needs, and checks for the Rust toolchain.
#
#   need_packages pkg...   install the missing ones (needs root when any is missing)
#   need_cargo             fail with a clear message when cargo is missing
#   need_cargo_deb         install cargo-deb (the pinned version) when it is missing

need_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "$0: these Debian packages are missing: ${missing[*]}; run as root (sudo $0) or install them first." >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

need_cargo() {
    if ! command -v cargo >/dev/null; then
        echo "$0: cargo is not installed; install Rust 1.95 or newer (rustup) first." >&2
        exit 1
    fi
}

# The Debian packages are made with this cargo-deb (image/packages.sh).
CARGO_DEB_VERSION=3.8.0

need_cargo_deb() {
    need_cargo
    if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
        cargo install cargo-deb --version "$CARGO_DEB_VERSION" --locked --quiet
    fi
}

# What building the workspace needs.
BUILD_PACKAGES=(build-essential pkg-config)

# What the kiosk (Slint) needs to build, and to run in a desktop window.
# Its fonts are embedded, so no font package is needed at run time.
KIOSK_PACKAGES=(pkg-config libfontconfig1-dev libxkbcommon-x11-0)
# Building the device's kiosk (--features linuxkms: DRM/KMS and libinput).
KIOSK_DEVICE_PACKAGES=(libudev-dev libinput-dev libxkbcommon-dev)
# Making the Debian packages: dpkg-shlibdeps finds their library depends.
PACKAGING_PACKAGES=(dpkg-dev file)
# Cross-building them for arm64 (image/packages.sh --arch arm64): the
# linker, and the kiosk's libraries for arm64 (Debian multiarch).
ARM64_CROSS_PACKAGES=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libudev-dev:arm64 libinput-dev:arm64 libxkbcommon-dev:arm64 libfontconfig-dev:arm64)

# What the test of the kiosk in a real window needs: an X server without a
# screen, a way to tap it, and the X libraries winit loads at run time.
KIOSK_TEST_PACKAGES=(xvfb xdotool libx11-6 libx11-xcb1 libxcursor1 libxrandr2 libxi6)

# What the Wi-Fi portal's namespace tests, browser test and benchmark need.
# ...and FreeRADIUS 3 with radclient for RADIUS accounts (tests/captive_radius.rs).
CAPTIVE_TEST_PACKAGES=(iproute2 nftables dnsmasq-base busybox curl python3 openssl chromium wrk apache2-utils opennds iptables freeradius freeradius-utils)

# What the catalog pull's tests need: the standard minisign tool, whose
# keys and signatures `anjungan catalog keygen|sign` and devices must match.
SYNC_TEST_PACKAGES=(minisign)

# What the hub's tests need: PostgreSQL's server binaries (each test starts
# a throw-away cluster of its own from /usr/lib/postgresql/*/bin).
HUB_TEST_PACKAGES=(postgresql)

# need_backports_packages pkg...: the same from bookworm-backports (QEMU
# there is new enough for the boot test's machines), adding that source to
# apt first.
need_backports_packages() {
    local missing=() p list=/etc/apt/sources.list.d/bookworm-backports.list
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        echo "$0: these Debian packages are missing: ${missing[*]}; run as root (sudo $0) or install them first." >&2
        exit 1
    fi
    if ! grep -rqs '^deb .*bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deb http://deb.debian.org/debian bookworm-backports main" >"$list"
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports "${missing[@]}" >/dev/null
}

# What building the device image needs (image/build.sh): the root file
# system, the partitions as files, the disk, its bmap and compression, and
# for arm64 on another machine, running arm64 programs under QEMU.
IMAGE_PACKAGES=(mmdebstrap dosfstools mtools fdisk e2fsprogs bmap-tools xz-utils binfmt-support)
IMAGE_BACKPORTS_PACKAGES=(qemu-user-static)
# What booting it needs (tests/image/): QEMU with UEFI firmware, SSH, and the
# test's own little web server (the pretend internet) and its forwarder,
# and SQLite's shell for the database a power cut left behind.
IMAGE_TEST_PACKAGES=(ovmf qemu-efi-aarch64 openssh-client busybox python3 curl sqlite3)
IMAGE_TEST_BACKPORTS_PACKAGES=(qemu-system-x86 qemu-system-arm qemu-utils)
