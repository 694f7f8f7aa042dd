#!/usr/bin/env bash
# Runs Anjungan's whole test suite on a Debian bookworm machine, installing
# what it needs first. Run as root (tests that build network namespaces and
# firewall rules need it; everything else runs as any user).
#
#   sudo tests/run.sh
#
# CI (.ci/run) calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

. image/prerequisites.sh
need_packages "${BUILD_PACKAGES[@]}" "${KIOSK_PACKAGES[@]}"
need_packages "${KIOSK_TEST_PACKAGES[@]}"
need_packages "${CAPTIVE_TEST_PACKAGES[@]}"
need_packages "${SYNC_TEST_PACKAGES[@]}"
need_packages "${HUB_TEST_PACKAGES[@]}"
need_cargo

# One build from scratch gains nothing from incremental data, which took
# 9 GB of CI's disk.
export CARGO_INCREMENTAL=0

# Each phase says how long the run has taken so far, and how much disk is
# left: CI's time and disk are budgets.
phase() {
    echo "== $1 (at ${SECONDS} s; $(df -h --output=avail . | tail -1 | tr -d ' ') free)"
}

phase formatting
cargo fmt --all -- --check

phase lints
cargo clippy --workspace --all-targets --quiet -- -D warnings

phase "tests (benchmarks run once each, as smoke tests)"
# A test that lacks root, a browser or a tool fails here instead of skipping
# (tests::can_run): a suite that tests nothing must not pass.
export ANJUNGAN_TEST_STRICT=1
# The end-to-end tests build the programs they run with this same selection,
# so that building them is a no-op here (tests/src/lib.rs, `program`).
export ANJUNGAN_TEST_BUILD="--workspace --all-targets"
cargo test $ANJUNGAN_TEST_BUILD

phase "device image: build the amd64 packages and image, boot it in QEMU"
# Its own phases and times are printed as it goes (tests/image/lib.sh).
tests/image/boot-test.sh
phase "done"
