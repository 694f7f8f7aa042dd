#!/usr/bin/env bash
# Builds Anjungan's device image: a card a technician writes with Raspberry Pi
# Imager or bmaptool (README, "For technicians").
#
#   sudo image/build.sh --arch arm64|amd64 --out DIR [--debs DIR] [--url-base URL]
#
# Writes DIR/anjungan-VERSION-ARCH.img.xz, its .bmap, SHA256SUMS and
# os_list.json (for Raspberry Pi Imager). Without --debs it first builds our
# Debian packages with image/packages.sh; with it, it installs the .debs
# found there. --url-base is where the files will be published (os_list.json
# needs absolute addresses); without it the entries name the files only.
#
# The root file system comes from Debian bookworm by mmdebstrap; the
# partitions are built as files (mkfs.vfat + mcopy, mkfs.ext4 -d) and put
# into the disk image with sfdisk and dd: no loop devices, no mounts of our
# own. Layout:
#   1. FAT "ANJUNGAN" (256 MiB, /boot/firmware): arm64: the Raspberry Pi
#      firmware, kernel, initrd, DTBs, config.txt, cmdline.txt; amd64:
#      systemd-boot as EFI/BOOT/BOOTX64.EFI, kernel and initrd. The
#      technician's first-boot files go here too.
#   2. ext4 "anjungan-root": the system, mounted read-only.
#   3. ext4 "anjungan-data" (/data): the database and spool (bound to
#      /var/lib/anjungan) and the system's state that must last (the
#      journal, systemd's clock file, DHCP leases); last, so that first
#      boot can grow it to fill the card.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

usage() { echo "usage: $0 --arch arm64|amd64 --out DIR [--debs DIR] [--url-base URL]" >&2; exit 2; }
arch= out= debs= url_base=
while [ $# -gt 0 ]; do
    case $1 in
    --arch) arch=${2:-}; shift 2 ;;
    --out) out=${2:-}; shift 2 ;;
    --debs) debs=${2:-}; shift 2 ;;
    --url-base) url_base=${2%/}/; shift 2 ;;
    -h | --help) usage ;;
    *) echo "$0: unknown argument $1" >&2; usage ;;
    esac
done
case $arch in amd64 | arm64) ;; *) usage ;; esac
[ -n "$out" ] || usage
if [ "$(id -u)" -ne 0 ]; then
    echo "$0: mmdebstrap needs root to build the root file system; run it with sudo." >&2
    exit 1
fi
. "$here/prerequisites.sh"
need_packages "${IMAGE_PACKAGES[@]}"
need_backports_packages "${IMAGE_BACKPORTS_PACKAGES[@]}"

mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d "${TMPDIR:-/var/tmp}/anjungan-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
started=$SECONDS
step() { echo "== image: $1 (at $((SECONDS - started)) s)"; }

version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$repo/Cargo.toml" | head -n 1)
name=anjungan-$version-$arch
# The same sources give the same files: dates inside come from the commit.
SOURCE_DATE_EPOCH=$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)
export SOURCE_DATE_EPOCH

if [ -z "$debs" ]; then
    step "packages"
    debs=$work/debs
    "$here/packages.sh" --arch "$arch" --out "$debs"
fi
debs=$(cd "$debs" && pwd)
if ! ls "$debs"/*.deb >/dev/null 2>&1; then
    echo "$0: no .deb files in $debs; build them with image/packages.sh --arch $arch --out $debs" >&2
    exit 1
fi

packages=(
    systemd systemd-sysv systemd-timesyncd systemd-resolved udev dbus
    initramfs-tools zstd kmod iproute2 iw wpasupplicant
    hostapd dnsmasq-base nftables openssh-server sudo
    fdisk e2fsprogs dosfstools ca-certificates
    busybox curl less nano wireless-regdb
    # The zones [device] timezone names (and the image's Asia/Jakarta):
    # not in the apt variant, and without it /etc/localtime points nowhere.
    tzdata
)
case $arch in
amd64) packages+=(linux-image-amd64 systemd-boot-efi) ;;
# Pi 4 / 400 / CM4: Debian's kernel with its bcm2711 DTBs, the Pi's boot
# firmware and its Wi-Fi chip's firmware. (A Pi 5 needs Raspberry Pi's
# kernel; see README.)
arm64) packages+=(linux-image-arm64 raspi-firmware firmware-brcm80211) ;;
esac

# Another architecture's programs run under qemu-user through binfmt_misc;
# a machine without systemd (a container, CI) has not registered it.
if [ "$arch" = arm64 ] && [ "$(uname -m)" != aarch64 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
    mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
    /usr/lib/systemd/systemd-binfmt /usr/lib/binfmt.d/qemu-aarch64.conf
fi

step "root file system (mmdebstrap, bookworm, $arch)"
rootfs=$work/rootfs
mmdebstrap --mode=root --variant=apt --architectures="$arch" \
    --components=main,non-free-firmware \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --customize-hook="\"$here/customize.sh\" \"\$1\" $arch \"$debs\"" \
    bookworm "$rootfs" http://deb.debian.org/debian

step "partitions"
# mmdebstrap leaves /etc/machine-id empty, which systemd takes for a
# stateless system; "uninitialized" makes the first boot a first boot
# (ConditionFirstBoot) that writes this device's own machine-id.
echo uninitialized >"$rootfs/etc/machine-id"
# The FAT and the data partition get what the root file system holds at
# their mount points; those stay as empty directories in the root.
mkdir -p "$work/boot" "$work/data/anjungan" "$work/data/system"
cp -a "$rootfs/boot/firmware/." "$work/boot/"
find "$rootfs/boot/firmware" -mindepth 1 -delete
# The data partition (/data) holds the product's data, bound to
# /var/lib/anjungan, and the system's state that must outlive a reboot on a
# read-only root (etc/fstab binds each): systemd's (timesyncd's clock file,
# random seed, timers), dnsmasq's leases, the journal. Each directory keeps
# its owner and mode; the root's copies stay as empty mount points.
mkdir -p "$rootfs/var/lib/anjungan" "$rootfs/var/log/journal" "$rootfs/data"
cp -a "$rootfs/var/lib/anjungan/." "$work/data/anjungan/"
chown --reference="$rootfs/var/lib/anjungan" "$work/data/anjungan"
chmod --reference="$rootfs/var/lib/anjungan" "$work/data/anjungan"
find "$rootfs/var/lib/anjungan" -mindepth 1 -delete
for dir in var/lib/systemd:systemd var/lib/misc:misc var/log/journal:journal; do
    mkdir -p "$rootfs/${dir%%:*}"
    cp -a "$rootfs/${dir%%:*}" "$work/data/system/${dir#*:}"
    find "$rootfs/${dir%%:*}" -mindepth 1 -delete
done
# journald's own directory: the group systemd-journal reads it (as
# tmpfiles.d/systemd.conf would set it up); the image's group id, not the
# build machine's.
chgrp "$(awk -F: '$1 == "systemd-journal" { print $3 }' "$rootfs/etc/group")" "$work/data/system/journal"
chmod 2755 "$work/data/system/journal"
# Logs other than the journal go to RAM (a tmpfs on /var/log): its
# directories are made on each boot (tmpfiles.d/anjungan-image.conf).
find "$rootfs/var/log" -mindepth 1 -not -path "$rootfs/var/log/journal" -delete

mib=$((1024 * 1024))
boot_mib=256
# Room for upgrades: half again what is installed, at least 512 MiB.
used_mib=$(($(du -sx --block-size=1M "$rootfs" | cut -f1)))
root_mib=$((used_mib + (used_mib / 2 > 512 ? used_mib / 2 : 512)))
data_mib=128

mkfs.vfat -F 32 -n ANJUNGAN -C "$work/boot.img" $((boot_mib * 1024)) >/dev/null
mcopy -s -p -m -i "$work/boot.img" "$work/boot/"* ::/
truncate -s "${root_mib}M" "$work/root.img"
# 4 KiB blocks and the default inode ratio, as for a file system of the
# card's size: mke2fs would take these small files for "small" ones (1 KiB
# blocks), and the data partition keeps its blocks when it grows.
mkfs.ext4 -q -T default -b 4096 -L anjungan-root -d "$rootfs" "$work/root.img"
truncate -s "${data_mib}M" "$work/data.img"
# The data partition's own root directory is root's (0755); the product's
# directory inside keeps the owner and mode the packages gave it.
mkfs.ext4 -q -T default -b 4096 -L anjungan-data -m 1 -E root_owner=0:0 \
    -d "$work/data" "$work/data.img"
rm -rf "$rootfs"

step "disk"
disk=$work/$name.img
# 1 MiB before the first partition, 1 MiB after the last (GPT's backup).
truncate -s $(((1 + boot_mib + root_mib + data_mib + 1) * mib)) "$disk"
case $arch in
# UEFI wants GPT with an EFI system partition.
amd64) label=gpt boot_type=U ;;
# The Pi's boot ROM reads MBR with a FAT32 (LBA) partition.
arm64) label=dos boot_type=c ;;
esac
sfdisk --quiet "$disk" <<PARTITIONS
label: $label
start=1MiB, size=${boot_mib}MiB, type=$boot_type
size=${root_mib}MiB, type=L
size=${data_mib}MiB, type=L
PARTITIONS
offset=1
for part in boot root data; do
    dd if="$work/$part.img" of="$disk" bs=1M seek=$offset conv=notrunc,sparse status=none
    size=$(($(stat -c %s "$work/$part.img") / mib))
    offset=$((offset + size))
    rm -f "$work/$part.img"
done

step "bmap, compression, checksums"
bmaptool -q create -o "$out/$name.img.bmap" "$disk"
extract_size=$(stat -c %s "$disk")
extract_sha256=$(sha256sum "$disk" | cut -d' ' -f1)
# -3: about 7% larger than -6 in a little over half the time (measured on
# this image's root file system), which matters on a 2-core builder.
xz -T0 -3 --stdout "$disk" >"$out/$name.img.xz"
rm -f "$disk"
install -m 0644 "$here/anjungan-icon.png" "$out/anjungan-icon.png"
case $arch in
arm64) devices='["pi4-64bit"]' description="Public-service kiosk and free Wi-Fi portal for Raspberry Pi 4, 400 and CM4 (64-bit)" ;;
amd64) devices='[]' description="Public-service kiosk and free Wi-Fi portal for UEFI PCs (64-bit)" ;;
esac
cat >"$out/os_list.json" <<JSON
{
  "os_list": [
    {
      "name": "Anjungan $version ($arch)",
      "description": "$description",
      "icon": "${url_base}anjungan-icon.png",
      "url": "${url_base}$name.img.xz",
      "extract_size": $extract_size,
      "extract_sha256": "$extract_sha256",
      "image_download_size": $(stat -c %s "$out/$name.img.xz"),
      "release_date": "$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)",
      "devices": $devices
    }
  ]
}
JSON
(cd "$out" && sha256sum "$name.img.xz" "$name.img.bmap" os_list.json anjungan-icon.png >SHA256SUMS)
step "done: $out/$name.img.xz ($((extract_size / mib)) MiB, $(($(stat -c %s "$out/$name.img.xz") / mib)) MiB compressed)"
