#!/bin/bash
# Runs inside the booted image (as root, over SSH) for tests/image/boot-test.sh:
# a phone on the free Wi-Fi, made of the kernel's simulated radios.
#
#   station.sh SSID
#
# mac80211_hwsim gives two radios. The device's own services must notice
# the first (wlan0) appearing late and open the guest network on it; the
# second radio is moved into the network namespace "sta", where
# wpa_supplicant associates, busybox udhcpc asks for an address and option
# 114, and curl plays the phone's probe, its join and its browsing. Every
# result is printed as "name: value" for the test to judge.
set -uo pipefail
ssid=$1
portal=10.42.0.1
internet=203.0.113.10

wait_for() { # seconds command...
    local n=$1
    shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}
in_sta() { ip netns exec sta "$@"; }

modprobe mac80211_hwsim radios=2
wait_for 20 test -e /sys/class/net/wlan1 || { echo "radios: none"; exit 1; }
echo "radios: wlan0 wlan1"

ap_up() { iw dev wlan0 info | grep -q 'type AP' && ip -4 addr show dev wlan0 | grep -q "inet $portal/"; }
if wait_for 90 ap_up; then echo "access point: up"; else
    echo "access point: down"
    iw dev wlan0 info
    ip addr show dev wlan0
    exit 1
fi

phy=$(cat /sys/class/net/wlan1/phy80211/name)
ip netns add sta
iw phy "$phy" set netns name sta
in_sta ip link set lo up
in_sta ip link set wlan1 up
mkdir -p /run/sta
cat >/run/sta/wpa.conf <<CONF
ctrl_interface=/run/sta/wpa
network={
    ssid="$ssid"
    key_mgmt=NONE
    scan_ssid=1
}
CONF
in_sta wpa_supplicant -B -i wlan1 -c /run/sta/wpa.conf -P /run/sta/wpa.pid -f /run/sta/wpa.log
associated() { in_sta wpa_cli -p /run/sta/wpa -i wlan1 status | grep -q '^wpa_state=COMPLETED'; }
if wait_for 60 associated; then echo "associated: yes"; else
    echo "associated: no"
    tail -n 20 /run/sta/wpa.log
    exit 1
fi

# The hook must be executable, and /run is mounted noexec (initramfs-tools
# does so): it goes to the root file system's /var/tmp.
hook=$(mktemp -d /var/tmp/anjungan-station.XXXXXX)/udhcpc.sh
cat >"$hook" <<'SCRIPT'
#!/bin/sh
# udhcpc's hook: configure the station's address and keep what the server said.
case $1 in
bound | renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    ip route replace default via "$router"
    # No /etc/netns/sta/resolv.conf: the root is read-only, and the
    # station reaches everything by address.
    env >/run/sta/lease
    ;;
esac
SCRIPT
chmod 755 "$hook"
if in_sta busybox udhcpc -i wlan1 -O 114 -s "$hook" -q -f -n -t 10 -T 2 >/run/sta/udhcpc.log 2>&1; then
    echo "address: $(sed -n 's/^ip=//p' /run/sta/lease)"
    echo "router: $(sed -n 's/^router=//p' /run/sta/lease)"
    # udhcpc hands an option it has no name for over in hex.
    hex=$(sed -n 's/^opt114=//p' /run/sta/lease)
    echo "option 114: $(printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')")"
else
    echo "address: none"
    cat /run/sta/udhcpc.log
    journalctl -b -u anjungan-dnsmasq -n 15 --no-pager
    exit 1
fi

# The portal waits for the radio and its address in the process and
# listens within about half a second of them; a phone that associates in
# that moment probes before it listens (and, like a real one, probes
# again). The wait is printed so a slow start shows in the test's account.
# It binds before its table is in the kernel: the probe waits until the
# unit is active too (Type=notify: ready once it gates and listens).
bound() { ss -ltnH "src $portal:80" | grep -q .; }
listening() { systemctl is-active --quiet anjungan-captive && bound; }
waited=0
until listening || [ "$waited" -ge 30 ]; do sleep 1; waited=$((waited + 1)); done
if listening; then echo "portal listening: after ${waited} s"; else
    echo "portal listening: no"
    journalctl -b -u anjungan-captive -n 20 --no-pager
fi

curl_sta() { in_sta curl --silent --show-error --max-time 10 "$@"; }
probe=$(curl_sta -o /dev/null -w '%{http_code} %{redirect_url}' "http://$internet/generate_204" 2>/run/sta/probe.err)
echo "probe: $probe"
case $probe in 30?\ *) ;; *)
    echo "probe's error: $(cat /run/sta/probe.err)"
    ss -ltn
    nft list table inet anjungan_captive | head -n 40
    ;;
esac
echo "capport: $(curl_sta -H 'Accept: application/captive+json' "http://$portal/api/captive" | tr -d '\n')"
# The first bytes of the device's SSH server, or "unreachable".
ssh_banner() { in_sta timeout 5 bash -c "exec 3<>/dev/tcp/$1/22 && head -c 7 <&3" 2>/dev/null || echo unreachable; }
uplink=$(ip -4 -o addr show dev eth0 | awk '{sub(/\/.*/, "", $4); print $4; exit}')
echo "device ssh on the guest side: $(ssh_banner "$portal")"
page=$(curl_sta "http://$portal/")
csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
echo "join: $(curl_sta -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" --data-urlencode lang=id "http://$portal/join")"
echo "internet: $(curl_sta "http://$internet/")"
echo "device ssh on the uplink after joining: $(ssh_banner "$uplink")"
echo "capport after joining: $(curl_sta -H 'Accept: application/captive+json' "http://$portal/api/captive" | tr -d '\n')"

# The portal killed, as a crash would kill it: the joined phone keeps the
# internet (the kernel's table stays while no portal runs), and the portal
# listens again within 2 seconds (RestartSec, and no waiting at start).
old=$(systemctl show -P MainPID anjungan-captive)
restarts=$(systemctl show -P NRestarts anjungan-captive)
killed=$(date +%s%N)
systemctl kill -s KILL anjungan-captive
echo "internet while the portal restarts: $(curl_sta --max-time 5 "http://$internet/")"
while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
until bound || [ $(($(date +%s%N) - killed)) -gt 10000000000 ]; do sleep 0.05; done
echo "portal listening again after the kill: $((($(date +%s%N) - killed) / 1000000)) ms"
echo "portal restarted by systemd: $(($(systemctl show -P NRestarts anjungan-captive) - restarts))"
echo "internet after the portal's restart: $(curl_sta "http://$internet/")"
