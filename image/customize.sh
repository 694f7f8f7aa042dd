#!/bin/bash
# mmdebstrap's customize hook for image/build.sh: turns the bookworm root
# file system in $1 into Anjungan's, for architecture $2, with our packages
# from the .debs in $3. Runs on the build machine; the root is entered with
# chroot (mmdebstrap has mounted /proc, /sys and /dev there).
set -euo pipefail
root=$1
arch=$2
debs=$3
here=$(cd "$(dirname "$0")" && pwd)
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive "$@"; }

# Our packages, installed by apt as a technician would: this is the test
# that they install on a clean bookworm, and the build fails if they do not.
# apt needs names resolved inside the root, whose /etc/resolv.conf is by now
# systemd-resolved's link to a file that exists only on a running device:
# the build machine's file stands in while apt runs.
mkdir -p "$root/tmp/anjungan-debs"
cp "$debs"/*.deb "$root/tmp/anjungan-debs/"
mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.device"
cp -L /etc/resolv.conf "$root/etc/resolv.conf"
in_root sh -c 'apt-get install -y --no-install-recommends /tmp/anjungan-debs/*.deb'
mv "$root/etc/resolv.conf.device" "$root/etc/resolv.conf"
rm -rf "$root/tmp/anjungan-debs"

# The image's own files (common, then this architecture's).
cp -a "$here/rootfs/." "$root/"
[ -d "$here/rootfs-$arch" ] && cp -a "$here/rootfs-$arch/." "$root/"
chown -R root:root "$root/etc/sudoers.d" "$root/etc/ssh/sshd_config.d" "$root/usr/lib/anjungan-image" \
    "$root/etc/tmpfiles.d/anjungan-image.conf" "$root/usr/sbin/anjungan-maintenance"
chmod 0440 "$root/etc/sudoers.d/technician"
in_root visudo -c -q

# The technician logs in with the keys from the card only: the account has
# no password at all (locked), and neither has root.
in_root useradd --create-home --shell /bin/bash --comment "Anjungan technician" \
    --groups sudo,adm,systemd-journal technician
in_root passwd --lock technician >/dev/null
in_root passwd --lock root >/dev/null

# Boot files onto what becomes the FAT partition, through the same hooks
# that keep them current when a technician upgrades the kernel.
kernel=$(in_root sh -c 'linux-version list | linux-version sort | tail -n 1')
case $arch in
amd64)
    install -D -m 0644 "$root/usr/lib/systemd/boot/efi/systemd-bootx64.efi" \
        "$root/boot/firmware/EFI/BOOT/BOOTX64.EFI"
    in_root /etc/kernel/postinst.d/zz-anjungan-efi "$kernel" "/boot/vmlinuz-$kernel"
    in_root /etc/initramfs/post-update.d/zz-anjungan-efi "$kernel" "/boot/initrd.img-$kernel"
    ;;
arm64)
    # raspi-firmware writes cmdline.txt (with net.ifnames=0) and config.txt
    # from this file.
    sed -i -e 's|^#\?ROOTPART=.*|ROOTPART=LABEL=anjungan-root|' \
        -e 's|^#\?CONSOLES=.*|CONSOLES="ttyS1,115200 tty0"|' \
        "$root/etc/default/raspi-firmware"
    in_root env DEB_MAINT_PARAMS=configure /etc/kernel/postinst.d/z50-raspi-firmware "$kernel"
    in_root env DEB_MAINT_PARAMS=configure /etc/initramfs/post-update.d/z50-raspi-firmware "$kernel" "/boot/initrd.img-$kernel"
    ;;
esac

in_root systemctl enable anjungan-first-boot.service systemd-networkd.service
# Installed for a Wi-Fi uplink and for the boot test's station, run only
# when asked (wpa_supplicant@IFACE.service), never on its own.
in_root systemctl disable wpa_supplicant.service
# Nothing changes the read-only root behind the technician's back: apt's
# daily runs and dpkg's daily backup (to /var/backups) would only fail.
for timer in apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer; do
    if [ -e "$root/lib/systemd/system/$timer" ] || [ -e "$root/usr/lib/systemd/system/$timer" ]; then
        in_root systemctl disable "$timer"
    fi
done

# No secret and no identity is baked into the image: each device makes its
# own SSH host keys (anjungan-first-boot) and machine-id (build.sh marks it
# "uninitialized" after mmdebstrap, which empties it last).
rm -f "$root"/etc/ssh/ssh_host_*
rm -f "$root/var/lib/dbus/machine-id" "$root/var/lib/systemd/random-seed"
# D-Bus reads the machine-id through this link (what its tmpfiles.d would
# make at boot, which the read-only root does not allow).
ln -sfn /etc/machine-id "$root/var/lib/dbus/machine-id"
echo anjungan >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tanjungan\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
ln -sfn /usr/share/zoneinfo/Asia/Jakarta "$root/etc/localtime"
echo Asia/Jakarta >"$root/etc/timezone"

# The root is read-only on the device: what systemd-tmpfiles would make or
# fix on the root at each boot (directories under /var, /root's, /etc's
# links) is made here once, so that systemd-tmpfiles-setup has nothing to
# write there. /var/log, /var/tmp and /tmp are tmpfs and made at boot.
in_root systemd-tmpfiles --create --prefix=/var/lib --prefix=/var/cache --prefix=/var/spool \
    --prefix=/root --prefix=/home --prefix=/srv --prefix=/etc || true
