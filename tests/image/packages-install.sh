#!/usr/bin/env bash
# The Debian packages' life on a clean Debian bookworm (a throw-away
# mmdebstrap chroot, as root): install, upgrade to a newer version keeping a
# technician's change to the conffile and the data, remove keeping the
# data, purge deleting it and the user and group.
#
#   tests/image/packages-install.sh DEB_DIR     # DEB_DIR from image/packages.sh --arch amd64
#
# The newer version is the same packages repacked with a higher version
# (and a changed shipped conffile): what is tested is the packaging, not the
# programs. Prints "N passed, 0 failed" and exits 0, or names the first
# check that failed and exits 1.
set -euo pipefail

DEBS=$(cd "${1:?usage: $0 DEB_DIR}" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../../image/prerequisites.sh"
need_packages mmdebstrap

WORK=$(mktemp -d)
ROOT=$WORK/root
cleanup() {
    umount "$ROOT/proc" 2>/dev/null || umount -l "$ROOT/proc" 2>/dev/null || true
    # Never into a file system still mounted in the chroot.
    rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT

passed=0
check() { # check DESCRIPTION COMMAND...: COMMAND run in the chroot must succeed
    local what=$1; shift
    if in_root "$@" >"$WORK/check.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok: $what"
    else
        echo "FAILED: $what" >&2
        cat "$WORK/check.log" >&2
        echo "$passed passed, 1 failed"
        exit 1
    fi
}
in_root() { chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
apt_in_root() {
    in_root apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
        >>"$WORK/apt.log" 2>&1 || { cat "$WORK/apt.log" >&2; echo "$passed passed, 1 failed"; exit 1; }
}

start=$SECONDS
# BOOKWORM_TAR=FILE keeps the clean chroot between runs (made when missing).
if [ -n "${BOOKWORM_TAR:-}" ] && [ -f "$BOOKWORM_TAR" ]; then
    mkdir -p "$ROOT" && tar -C "$ROOT" -xf "$BOOKWORM_TAR"
else
    mmdebstrap --quiet --variant=apt bookworm "$ROOT" >"$WORK/mmdebstrap.log" 2>&1 ||
        { cat "$WORK/mmdebstrap.log" >&2; exit 1; }
    if [ -n "${BOOKWORM_TAR:-}" ]; then tar -C "$ROOT" -cf "$BOOKWORM_TAR" .; fi
fi
# mmdebstrap made the device nodes; only /proc is mounted.
mount -t proc proc "$ROOT/proc"
echo "clean bookworm in $((SECONDS - start)) s"

# The newer version: every package repacked as VERSION+1, depending on the
# same newer anjungan, with a line added to the shipped anjungan.toml.
mkdir -p "$ROOT/debs/old" "$ROOT/debs/new"
cp "$DEBS"/anjungan*.deb "$ROOT/debs/old/"
for deb in "$ROOT"/debs/old/*.deb; do
    x=$WORK/repack
    rm -rf "$x"
    dpkg-deb -R "$deb" "$x"
    old=$(dpkg-deb -f "$deb" Version)
    sed -i -e "s/^Version: .*/Version: ${old}+1/" \
        -e "s/anjungan (= ${old})/anjungan (= ${old}+1)/" "$x/DEBIAN/control"
    if [ -f "$x/etc/anjungan/anjungan.toml" ]; then
        echo "## (a newer version's comment)" >>"$x/etc/anjungan/anjungan.toml"
    fi
    # dpkg-deb -b recomputes nothing but the archive: refresh md5sums.
    (cd "$x" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0 md5sum >DEBIAN/md5sums)
    dpkg-deb --root-owner-group -b "$x" "$ROOT/debs/new/" >/dev/null
done

# ---- install
apt_in_root update
# A device has systemd (and the units' check needs systemd-analyze).
apt_in_root install systemd
debs() { (cd "$ROOT" && ls "debs/$1"/anjungan*.deb | sed 's|^|/|'); }
# shellcheck disable=SC2046 # one word per package file
apt_in_root install $(debs old)
check "the three packages are installed" dpkg-query -W anjungan anjungan-captive anjungan-kiosk
check "the user and group anjungan exist" sh -c 'getent passwd anjungan && getent group anjungan'
check "the portal's own user, in the group anjungan" sh -c '[ "$(id -gn anjungan-captive)" = anjungan ]'
check "the data directory is 2770 anjungan:anjungan" \
    sh -c '[ "$(stat -c %a:%U:%G /var/lib/anjungan)" = 2770:anjungan:anjungan ]'
check "the database was made by postinst, 0660 in the group" \
    sh -c '[ "$(stat -c %a:%G /var/lib/anjungan/anjungan.db)" = 660:anjungan ]'
check "anjungan.toml is a conffile" sh -c 'dpkg-query -W -f "\${Conffiles}" anjungan | grep -q /etc/anjungan/anjungan.toml'
check "the units are enabled" sh -c 'for u in anjungan-network anjungan-hostapd anjungan-dnsmasq anjungan-captive anjungan-kiosk; do
    [ -L /etc/systemd/system/multi-user.target.wants/$u.service ] || { echo "$u not enabled"; exit 1; }; done'
check "anjungan-network runs before systemd-networkd" \
    test -L /etc/systemd/system/systemd-networkd.service.wants/anjungan-network.service
check "the units verify" sh -c 'cd /usr/lib/systemd/system && systemd-analyze verify --man=no anjungan-network.service anjungan-hostapd.service anjungan-dnsmasq.service anjungan-captive.service anjungan-kiosk.service 2>&1 | grep -v "^$" | (! grep .)'
check "dnsmasq-base made the user anjungan-dnsmasq.service runs dnsmasq as" getent passwd dnsmasq
check "nothing switches forwarding on before the portal's table gates it" sh -c '! grep -rqs ip_forward /usr/lib/sysctl.d /etc/sysctl.d /etc/sysctl.conf'
check "the network files are made from anjungan.toml" sh -c 'anjungan-captive network-files --out /tmp/net &&
    grep -qx "interface=wlan0" /tmp/net/hostapd.conf && grep -qx "ap_isolate=1" /tmp/net/hostapd.conf &&
    grep -q "^dhcp-option=114,\"http://10.42.0.1/api/captive\"" /tmp/net/dnsmasq.conf &&
    grep -qx "Address=10.42.0.1/24" /tmp/net/50-anjungan-guest.network'

# A technician with sudo (root, umask 022) makes the database files: the
# kiosk's user can still write them.
check "root's database files stay the group's" sh -c 'rm -f /var/lib/anjungan/anjungan.db*; umask 022;
    anjungan database migrate && anjungan voucher issue --count 1 --minutes 5 >/dev/null &&
    runuser -u anjungan -- anjungan voucher issue --count 1 --minutes 5 >/dev/null &&
    for f in /var/lib/anjungan/anjungan.db /var/lib/anjungan/anjungan.db-wal /var/lib/anjungan/anjungan.db-shm; do
        [ ! -e "$f" ] || [ "$(stat -c %a:%G "$f")" = 660:anjungan ] || { ls -l /var/lib/anjungan; exit 1; }; done'

# ---- the technician's changes, then the upgrade
in_root sed -i 's/^# id = .*/id = "uji-paket-01"/' /etc/anjungan/anjungan.toml
# shellcheck disable=SC2046
apt_in_root install $(debs new)
check "the upgrade installed the newer version" sh -c 'dpkg-query -W -f "\${Version}\n" anjungan anjungan-captive anjungan-kiosk | grep -c "+1$" | grep -qx 3'
check "the changed conffile is kept" grep -qx 'id = "uji-paket-01"' /etc/anjungan/anjungan.toml
check "the configuration in force is the technician's" sh -c 'anjungan config show | grep -q "uji-paket-01"'
check "the data is kept and the schema is current" sh -c '[ "$(anjungan database migrate)" = "/var/lib/anjungan/anjungan.db: schema up to date" ] &&
    runuser -u anjungan -- anjungan voucher issue --count 1 --minutes 5 >/dev/null'

# ---- remove, then purge
apt_in_root remove anjungan-kiosk anjungan-captive anjungan
check "remove keeps the data" test -f /var/lib/anjungan/anjungan.db
check "remove keeps the user" getent passwd anjungan
check "remove keeps the configuration" test -f /etc/anjungan/anjungan.toml
apt_in_root purge anjungan-kiosk anjungan-captive anjungan
check "purge deletes the data" test ! -e /var/lib/anjungan
check "purge deletes the configuration" test ! -e /etc/anjungan
check "purge deletes the user and group" sh -c '! getent passwd anjungan && ! getent group anjungan'
check "purge deletes the portal's user" sh -c '! getent passwd anjungan-captive'

echo "packages-install: $((SECONDS - start)) s"
echo "$passed passed, 0 failed"
