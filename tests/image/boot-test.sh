#!/usr/bin/env bash
# The device image's boot test: boots the amd64 image in QEMU (TCG, UEFI by
# OVMF) as a technician would first start a device, and checks it over SSH,
# including a real Wi-Fi association of a simulated phone inside the VM.
#
#   sudo tests/image/boot-test.sh                   # builds packages and image first
#   sudo tests/image/boot-test.sh --image FILE.img.xz
#
# What it does:
# - puts a test anjungan.toml and a throw-away authorized_keys on the image's
#   FAT partition (mtools, at the partition's offset), as a technician would;
# - boots it from a qcow2 overlay larger than the image (the data partition
#   must grow), serial console logged, QEMU's user network as the uplink
#   (net 203.0.113.0/24, documentation addresses; restrict=on: nothing
#   outside), SSH forwarded from a free port of 127.0.0.1, and
#   203.0.113.10:80 forwarded to a small web server of this test on the
#   loopback: the pretend internet;
# - checks the first boot (configuration, key, host name, time zone,
#   machine-id, fresh host keys, no password, grown data partition), every
#   unit of ours active and clean under `systemd-analyze verify`, the
#   nftables table, and then runs tests/image/station.sh in the VM: the
#   guest network on a simulated radio, a station that associates, gets an
#   address and option 114, is sent to the portal, joins and reaches the
#   pretend internet, and keeps it while the portal is killed and back;
# - checks the appliance's self-care (issue 12): systemd keeping QEMU's
#   i6300esb watchdog, the kiosk restarted by its watchdog after SIGSTOP,
#   every unit of ours at most 2.0 in `systemd-analyze security`, the
#   portal as its own user with two capabilities, the database shared with
#   the kiosk, the bounded persistent journal;
# - the kiosk on the panel (tests/image/panel.sh): QEMU's screen and a
#   virtual tablet through QMP: the home screen as its snapshot, a tap,
#   rotation = 90, screen_hours dark and a waking tap.
# - then (readonly.sh) the read-only root and a technician's package by
#   anjungan-maintenance, and a power cut: QEMU killed during catalog
#   imports, survey answers, queue numbers and four more phones' joins
#   (phones.sh), the cut disk's file systems and database checked, and a
#   second boot with the clock in 2020 that finds every committed answer
#   and number, one whole catalog, every phone whose join was answered
#   still let out and the last known time.
# On failure it prints the serial console's tail and the journal of the
# failed units. ANJUNGAN_IMAGE_KEEP=1 keeps the work directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/image/prerequisites.sh"
. "$here/lib.sh"
. "$here/readonly.sh"
. "$here/panel.sh"

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
    phase "build the amd64 image (packages included)"
    built_at=$SECONDS
    "$repo/image/build.sh" --arch amd64 --out "$work/out"
    echo "image built in $((SECONDS - built_at)) s"
    image=$(ls "$work"/out/anjungan-*-amd64.img.xz)
fi

phase "prepare the card"
prepare_card "$image" amd64

phase "boot"
start_pretend_internet
ssh_port=$(free_port)
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$work/vars.fd"
# The panel: the virtio GPU (id=panel) and a virtio tablet bound to its
# console, the one display (-vga none): with q35's VGA as well, the kiosk
# took whichever card /dev/dri listed first (Slint's linuxkms takes the
# first with a connected output), and half the boots drew on the VGA.
qemu-system-x86_64 -machine q35 -accel "${ANJUNGAN_QEMU_ACCEL:-tcg}" -cpu max -smp 2 -m 1536 \
    -drive if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
    -drive if=pflash,format=raw,unit=1,file="$work/vars.fd" \
    -drive if=virtio,format=qcow2,file="$work/overlay.qcow2" \
    -vga none -device virtio-rng-pci -device virtio-gpu-pci,id=panel -device virtio-tablet-pci,display=panel \
    -qmp "unix:$work/qmp.sock,server=on,wait=off" \
    -device i6300esb -action watchdog=none \
    -netdev "$(uplink_netdev "$ssh_port")" -device virtio-net-pci,netdev=up \
    -nographic -monitor none -serial "file:$work/serial.log" &
qemu_pid=$!
wait_for_ssh "$ssh_port"

phase "checks"
# QEMU's i6300esb above: systemd must keep it. Its expiry does nothing
# (-action watchdog=none): a TCG guest on a loaded builder can be starved
# for longer than the 15 s a real board gets, and a reset mid-test would
# prove nothing about the device.
hardware_watchdog=yes
run_checks
panel_checks
readonly_checks
power_cut_checks
phase "done"
echo "the boot test took $((SECONDS - started)) s"
