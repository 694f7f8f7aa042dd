# Sourced by tests/image/boot-test.sh (amd64, in CI) and boot-arm64.sh: the
# card prepared as a technician would, the VM's uplink, SSH into it, and the
# checks both architectures must pass.

started=$SECONDS
phase() { echo "== image test: $1 (at $((SECONDS - started)) s)"; }

failures=0
# check NAME EXPECTED ACTUAL: exact, or an extended regular expression when
# EXPECTED starts with ~.
check() {
    local name=$1 want=$2 got=$3 ok=no
    if [[ $want == "~"* ]]; then
        [[ $got =~ ${want#"~"} ]] && ok=yes
    else
        [ "$got" = "$want" ] && ok=yes
    fi
    if [ $ok = yes ]; then
        echo "ok   $name: $got"
    else
        echo "FAIL $name: got \"$got\", want \"$want\""
        failures=$((failures + 1))
    fi
}

make_work() {
    work=$(mktemp -d "${TMPDIR:-/var/tmp}/anjungan-boot-test.XXXXXX")
    qemu_pid= web_pid=
    trap finish EXIT
    trap "exit 130" INT TERM
}

finish() {
    local rc=$?
    if [ $rc -ne 0 ] || [ "$failures" -ne 0 ]; then
        echo "== the serial console's last lines ($work/serial.log):"
        tail -n 60 "$work/serial.log" 2>/dev/null | sed 's/\r$//' || true
        if [ -n "${ssh_port:-}" ] && vm true 2>/dev/null; then
            echo "== failed units, and the journal of each unit of ours or failed that is not active:"
            vm 'systemctl --failed --no-legend --plain
                for u in $( (systemctl --failed --no-legend --plain | cut -d" " -f1
                    systemctl list-units --all --no-legend --plain "anjungan*" | cut -d" " -f1) | sort -u); do
                    systemctl -q is-active "$u" || sudo journalctl -b -u "$u" -n 20 --no-pager
                done' || true
        fi
    fi
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
    [ -n "$web_pid" ] && kill "$web_pid" 2>/dev/null
    if [ "${ANJUNGAN_IMAGE_KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
    [ "$failures" -eq 0 ] || exit 1
    exit $rc
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The device's configuration for the test: the interface's example keys,
# a time zone other than the default (so its application shows), and the
# pretend internet allowed although it shares the uplink's subnet (QEMU's
# user network forwards only addresses inside its own network, and the
# portal keeps joined guests out of the uplink's subnet otherwise).
test_config() {
    cat <<'TOML'
[device]
id = "boot-test-01"
name = "Boot test"
data_dir = "/var/lib/anjungan"
timezone = "Asia/Makassar"

[captive]
interface = "wlan0"
uplink = "eth0"
address = "10.42.0.1"
port = 80
firewall = "nftables"
auth = "click-through"
session_minutes = 60
admin_listen = "127.0.0.1:8081"
ssid = "Anjungan Uji"
allow_local = ["203.0.113.10/32:80"]
TOML
}

# prepare_card IMAGE ARCH: the raw disk in $work (IMAGE is the .img.xz, or
# an uncompressed .img), the technician's files on its FAT partition, a
# larger qcow2 overlay over it.
prepare_card() {
    local image=$1 start
    case $image in
    *.xz) xz -dc "$image" >"$work/disk.img" ;;
    *) cp --sparse=always "$image" "$work/disk.img" ;;
    esac
    # The image itself carries no identity: no host keys, no machine-id.
    start=$(partition_start "$work/disk.img" 2)
    check "image: SSH host keys" "" \
        "$(debugfs -R 'ls /etc/ssh' "$work/disk.img?offset=$((start * 512))" 2>/dev/null | tr ' ' '\n' | grep -c '^ssh_host_' | sed 's/^0$//')"
    check "image: machine-id" "uninitialized" \
        "$(debugfs -R 'cat /etc/machine-id' "$work/disk.img?offset=$((start * 512))" 2>/dev/null)"
    start=$(partition_start "$work/disk.img" 1)
    test_config >"$work/anjungan.toml"
    ssh-keygen -q -t ed25519 -N '' -C boot-test -f "$work/id"
    mcopy -i "$work/disk.img@@$((start * 512))" "$work/anjungan.toml" ::anjungan.toml
    mcopy -i "$work/disk.img@@$((start * 512))" "$work/id.pub" ::authorized_keys
    qemu-img create -q -f qcow2 -F raw -b "$work/disk.img" "$work/overlay.qcow2" 4G
}

# partition_start DISK N: the first sector of partition N.
partition_start() {
    sfdisk --dump "$1" | sed -n "s|^$1$2 : start= *\([0-9]*\),.*|\1|p"
}

# A web server on the loopback that every request to 203.0.113.10:80 in the
# VM reaches (QEMU's guestfwd runs busybox nc to it for each connection).
start_pretend_internet() {
    web_port=$(free_port)
    python3 -c '
import http.server, sys
class Internet(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"the pretend internet\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Internet).serve_forever()
' "$web_port" &
    web_pid=$!
}

# QEMU's user network as the device's uplink: documentation addresses only
# (TEST-NET-3), nothing routed outside (restrict=on), SSH in from the
# loopback, the pretend internet at 203.0.113.10:80.
uplink_netdev() {
    echo "user,id=up,net=203.0.113.0/24,host=203.0.113.2,restrict=on,hostfwd=tcp:127.0.0.1:$1-:22,guestfwd=tcp:203.0.113.10:80-cmd:busybox nc 127.0.0.1 $web_port"
}

vm() {
    ssh -q -i "$work/id" -p "$ssh_port" -o BatchMode=yes -o ConnectTimeout=10 \
        -o StrictHostKeyChecking=accept-new -o UserKnownHostsFile="$work/known_hosts" \
        technician@127.0.0.1 "$@"
}

# phone_script SCRIPT ARGS...: tests/image/SCRIPT run as root in the VM
# with phone.sh ahead of it (the phones' shared steps; see phone.sh).
phone_script() {
    local script=$1
    shift
    cat "$here/phone.sh" "$here/$script" | vm sudo bash -s "$@"
}

# wait_for_ssh PORT: until the technician's key logs in (or QEMU ends, or
# ANJUNGAN_BOOT_TIMEOUT seconds pass).
wait_for_ssh() {
    local booted_at=$SECONDS limit=${ANJUNGAN_BOOT_TIMEOUT:-600}
    until vm true 2>/dev/null; do
        if ! kill -0 "$qemu_pid" 2>/dev/null; then
            echo "QEMU ended before the device answered on SSH" >&2
            return 1
        fi
        if [ $((SECONDS - booted_at)) -gt "$limit" ]; then
            echo "the device did not answer on SSH within $limit s" >&2
            return 1
        fi
        sleep 5
    done
    echo "booted to SSH in $((SECONDS - booted_at)) s"
}

run_checks() {
    local ours unit
    # First boot applied.
    check "first boot: configuration" "$(cat "$work/anjungan.toml")" "$(vm sudo cat /etc/anjungan/anjungan.toml)"
    check "first boot: card's files renamed" "anjungan.toml.applied authorized_keys.applied" \
        "$(vm 'sudo ls /boot/firmware' | grep -E '^(anjungan\.toml|authorized_keys)' | sort | tr '\n' ' ' | sed 's/ $//')"
    check "first boot: technician's key" "$(cut -d' ' -f1,2 "$work/id.pub")" \
        "$(vm cat .ssh/authorized_keys | cut -d' ' -f1,2)"
    check "first boot: host name" "boot-test-01" "$(vm hostname)"
    check "first boot: time zone" "/usr/share/zoneinfo/Asia/Makassar" "$(vm readlink /etc/localtime)"
    check "first boot: machine-id" "~^[0-9a-f]{32}$" "$(vm cat /etc/machine-id)"
    check "first boot: host key the client saw is the device's" \
        "$(vm cat /etc/ssh/ssh_host_ed25519_key.pub | cut -d' ' -f1,2)" \
        "$(grep -m1 ssh-ed25519 "$work/known_hosts" | cut -d' ' -f2,3)"
    check "first boot: host keys made on this boot" "fresh" \
        "$(vm 'b=$(sed -n "s/^btime //p" /proc/stat); [ "$(stat -c %Y /etc/ssh/ssh_host_ed25519_key)" -ge "$b" ] && echo fresh || echo old')"
    check "no account has a password" "" "$(vm "sudo awk -F: '\$2 !~ /^[!*]/ {print \$1}' /etc/shadow")"
    check "password login refused" "publickey" \
        "$(ssh -p "$ssh_port" -o BatchMode=yes -o PreferredAuthentications=none -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null technician@127.0.0.1 true 2>&1 | tr -d '\r' | sed -n 's/.*Permission denied (\(.*\))\./\1/p')"
    check "data partition grown (bytes > 2 GiB)" "yes" \
        "$(vm 'b=$(lsblk -n -b -o SIZE "$(findmnt -n -o SOURCE /data)"); [ "$b" -gt 2147483648 ] && echo yes || echo "no: $b"')"
    check "file system of /var/lib/anjungan grown too" "yes" \
        "$(vm 'k=$(df --output=size -k /var/lib/anjungan | tail -n 1); [ "$k" -gt 2000000 ] && echo yes || echo "no: $k KiB"')"

    # A phone on the free Wi-Fi. The radios appear only now, as a USB
    # dongle might: the guest network's services must pick them up.
    local station
    station=$(phone_script station.sh "'Anjungan Uji'" 2>&1) || true
    result() { printf '%s\n' "$station" | sed -n "s/^$1: //p" | head -n 1; }
    check "wifi: access point on wlan0" "up" "$(result 'access point')"
    check "wifi: station associated" "yes" "$(result associated)"
    check "wifi: DHCP address" "~^10\\.42\\.0\\.[0-9]+$" "$(result address)"
    check "wifi: DHCP option 114" "http://10.42.0.1/api/captive" "$(result 'option 114')"
    check "wifi: portal listening" "~^after [0-9]+ s$" "$(result 'portal listening')"
    check "wifi: probe sent to the portal" "~^30[1237] http://10\\.42\\.0\\.1/" "$(result probe)"
    check "wifi: captive API before joining" '~"captive": ?true' "$(result capport)"
    check "wifi: device's SSH from the guest side" "unreachable" "$(result 'device ssh on the guest side')"
    check "wifi: join" "~^30[0-9]$" "$(result join)"
    check "wifi: the internet after joining" "the pretend internet" "$(result internet)"
    check "wifi: device's SSH on the uplink after joining" "unreachable" "$(result 'device ssh on the uplink after joining')"
    check "wifi: captive API after joining" '~"captive": ?false' "$(result 'capport after joining')"
    check "portal killed: the joined phone keeps the internet" "the pretend internet" "$(result 'internet while the portal restarts')"
    check "portal killed: listening again within 2 s (ms)" "~^(1?[0-9]{1,3})$" "$(result 'portal listening again after the kill' | sed 's/ ms$//')"
    check "portal killed: restarted by systemd" "1" "$(result 'portal restarted by systemd')"
    check "portal killed: the internet after its restart" "the pretend internet" "$(result "internet after the portal's restart")"

    # Every unit of ours: enabled ones active (now that there is a radio
    # for the guest network), all clean under verify.
    ours="anjungan-captive.service anjungan-dnsmasq.service anjungan-first-boot.service"
    ours+=" anjungan-hostapd.service anjungan-kiosk.service anjungan-network.service"
    ours+=" anjungan-sync.timer"
    check "units of ours enabled" "$ours" \
        "$(vm "systemctl list-unit-files --no-legend --plain 'anjungan*' | awk '\$2 == \"enabled\" {print \$1}' | sort | xargs")"
    for unit in $ours; do
        check "unit $unit" "active" "$(vm systemctl is-active "$unit")"
    done
    check "systemd-analyze verify (our units)" "" \
        "$(vm 'sudo systemd-analyze verify $(systemctl show -P FragmentPath $(systemctl list-unit-files --no-legend --plain "anjungan*" | cut -d" " -f1)) 2>&1')"
    check "nftables table inet anjungan_captive" "present" \
        "$(vm 'sudo nft list table inet anjungan_captive >/dev/null && echo present')"

    appliance_checks "$ours"

    if [ "$failures" -ne 0 ]; then
        echo "== the station's whole account:"
        printf '%s\n' "$station"
    fi
    echo "$failures check(s) failed"
}

# appliance_checks UNITS: the device looking after itself (issue 12):
# watchdogs, hardened units, the portal without root, the shared database,
# the bounded journal.
appliance_checks() {
    local ours=$1 unit pid before exposure
    if [ "${hardware_watchdog:-}" = yes ]; then
        check "watchdog: systemd holds /dev/watchdog0" "/dev/watchdog0" \
            "$(vm 'sudo find /proc/1/fd -lname /dev/watchdog0 -printf "%l\n"' | head -n 1)"
        check "watchdog: /dev/watchdog0 active" "active" "$(vm cat /sys/class/watchdog/watchdog0/state)"
        check "watchdog: its timeout (s)" "15" "$(vm cat /sys/class/watchdog/watchdog0/timeout)"
    fi
    check "watchdog: systemd's RuntimeWatchdogUSec" "15s" "$(vm systemctl show -P RuntimeWatchdogUSec)"

    # Hardening: every long-running unit of ours at most 2.0 (the one-shot
    # first boot does a root's work once, and is left out).
    for unit in $ours; do
        [ "$unit" = anjungan-first-boot.service ] && continue
        # A timer has no sandbox of its own; the service it starts is a
        # one-shot.
        case $unit in *.service) ;; *) continue ;; esac
        exposure=$(vm "sudo systemd-analyze security --no-pager $unit" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
        check "security: $unit exposure at most 2.0" "yes" \
            "$(awk -v e="$exposure" 'BEGIN { print (e != "" && e <= 2.0) ? "yes" : "no: " e }')"
    done
    check "units: Type=notify with a watchdog (portal, kiosk)" "notify 10s notify 10s" \
        "$(vm 'for u in anjungan-captive anjungan-kiosk; do systemctl show -P Type $u; systemctl show -P WatchdogUSec $u; done' | xargs)"
    pid=$(vm systemctl show -P MainPID anjungan-captive)
    check "portal: its own user and group" "anjungan-captive anjungan" "$(vm "ps -o user:20=,group:20= -p $pid" | xargs)"
    check "portal: only CAP_NET_ADMIN and CAP_NET_BIND_SERVICE (effective, ambient)" \
        "0000000000001400 0000000000001400" \
        "$(vm "sudo grep -E '^Cap(Eff|Amb)' /proc/$pid/status" | awk '{print $2}' | xargs)"
    check "portal: TasksMax room for nft children" "1024" "$(vm systemctl show -P TasksMax anjungan-captive)"
    check "admin token: the portal's, 0600" "anjungan-captive 600" "$(vm "sudo stat -c '%U %a' /var/lib/anjungan/admin.token")"

    # The database shared through the group: the kiosk's user and the
    # portal's each write (the portal wrote the phone's join already), then
    # every file of it is the group's to read and write.
    check "database: the kiosk's user writes" "ok" \
        "$(vm 'sudo -u anjungan anjungan voucher issue --minutes 5 >/dev/null && echo ok')"
    check "database: the portal's user writes" "ok" \
        "$(vm 'sudo -u anjungan-captive anjungan voucher issue --minutes 5 >/dev/null && echo ok')"
    check "database: files' group and modes" "anjungan.db anjungan 660 anjungan.db-shm anjungan 660 anjungan.db-wal anjungan 660" \
        "$(vm 'sudo sh -c "cd /var/lib/anjungan && stat -c \"%n %G %a\" anjungan.db anjungan.db-shm anjungan.db-wal"' | xargs)"
    check "database: data directory" "anjungan anjungan 2770" "$(vm "sudo stat -c '%U %G %a' /var/lib/anjungan")"

    # The kiosk stopped (SIGSTOP), as a hung UI thread: systemd's watchdog
    # kills it and starts it again.
    pid=$(vm systemctl show -P MainPID anjungan-kiosk)
    before=$(vm systemctl show -P NRestarts anjungan-kiosk)
    vm sudo kill -STOP "$pid"
    check "kiosk stopped: restarted by the watchdog" "restarted" \
        "$(vm "for i in \$(seq 60); do
            p=\$(systemctl show -P MainPID anjungan-kiosk)
            if [ \"\$p\" != $pid ] && [ \"\$p\" != 0 ] && systemctl -q is-active anjungan-kiosk; then echo restarted; exit; fi
            sleep 1
        done; echo 'not within 60 s'")"
    check "kiosk stopped: NRestarts went up by one" "$((before + 1))" "$(vm systemctl show -P NRestarts anjungan-kiosk)"
    check "kiosk stopped: the journal says why" "~Watchdog timeout" \
        "$(vm "sudo journalctl -b -u anjungan-kiosk --no-pager -o cat | grep -m1 'Watchdog timeout'")"

    # The journal: kept across reboots, and bounded.
    check "journal: persistent" "yes" "$(vm '[ -d /var/log/journal/$(cat /etc/machine-id) ] && echo yes')"
    check "journal: bounded (journald's own account)" "~max 64\.0M" \
        "$(vm "sudo journalctl -b -u systemd-journald --no-pager -o cat | grep 'System Journal' | tail -n 1")"
}
