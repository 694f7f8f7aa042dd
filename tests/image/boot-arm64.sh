#!/usr/bin/env bash
# The arm64 image's boot test: as tests/image/boot-test.sh, but the image
# boots in QEMU's generic arm64 machine (`-M virt -cpu cortex-a72`, TCG)
# from its own kernel and initrd, taken from its FAT partition (a Raspberry
# Pi's firmware does not run in QEMU). Not part of tests/run.sh: building the
# arm64 image runs every arm64 program under qemu-user, and booting emulates
# every instruction (README, "Device image", for the times).
#
#   sudo tests/image/boot-arm64.sh                  # builds packages and image first
#   sudo tests/image/boot-arm64.sh --image FILE.img.xz
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/image/prerequisites.sh"
. "$here/lib.sh"

image=
while [ $# -gt 0 ]; do
    case $1 in
    --image) image=${2:-}; shift 2 ;;
    *) echo "usage: $0 [--image FILE.img.xz|FILE.img]" >&2; exit 2 ;;
    esac
done
need_packages "${IMAGE_TEST_PACKAGES[@]}"
need_backports_packages "${IMAGE_TEST_BACKPORTS_PACKAGES[@]}"

make_work
if [ -z "$image" ]; then
    phase "build the arm64 image (packages included)"
    built_at=$SECONDS
    "$repo/image/build.sh" --arch arm64 --out "$work/out"
    echo "image built in $((SECONDS - built_at)) s"
    image=$(ls "$work"/out/anjungan-*-arm64.img.xz)
fi

phase "prepare the card"
prepare_card "$image" arm64
# The kernel and initrd raspi-firmware put on the FAT partition.
fat="$work/disk.img@@$(($(partition_start "$work/disk.img" 1) * 512))"
mcopy -i "$fat" '::vmlinuz-*' '::initrd.img-*' "$work/"
kernel=$(ls "$work"/vmlinuz-* | sort -V | tail -n 1)
initrd=$work/initrd.img-${kernel##*/vmlinuz-}

phase "boot"
start_pretend_internet
ssh_port=$(free_port)
qemu-system-aarch64 -machine virt -accel tcg -cpu cortex-a72 -smp 2 -m 1536 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "root=LABEL=anjungan-root ro rootwait net.ifnames=0 console=ttyAMA0" \
    -drive if=none,id=card,format=qcow2,file="$work/overlay.qcow2" -device virtio-blk-pci,drive=card \
    -device virtio-rng-pci -device virtio-gpu-pci \
    -netdev "$(uplink_netdev "$ssh_port")" -device virtio-net-pci,netdev=up \
    -nographic -monitor none -serial "file:$work/serial.log" &
qemu_pid=$!
wait_for_ssh "$ssh_port"

phase "checks"
run_checks
phase "done"
