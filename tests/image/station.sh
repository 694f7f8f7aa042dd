#!/bin/bash
# Runs inside the booted image (as root, over SSH) for tests/image/boot-test.sh:
# a phone on the free Wi-Fi, made of the kernel's simulated radios.
#
#   cat phone.sh station.sh | bash -s SSID
#
# mac80211_hwsim gives six radios. The device's own services must notice
# the first (wlan0) appearing late and open the guest network on it; the
# second becomes a phone in the network namespace "sta" (phone.sh), and
# curl plays its probe, its join and its browsing. The other four wait
# for the power cut (phones.sh). Every result is printed as "name: value"
# for the test to judge.
set -uo pipefail
ssid=$1
# phone.sh comes ahead of this script: wait_for, phone_up, phone_join.

in_sta() { ip netns exec sta "$@"; }

# Six radios: this phone's and the power cut's four (readonly.sh, phones.sh).
modprobe mac80211_hwsim radios=6
wait_for 20 test -e /sys/class/net/wlan5 || { echo "radios: none"; exit 1; }
echo "radios: wlan0..wlan5"

ap_up() { iw dev wlan0 info | grep -q 'type AP' && ip -4 addr show dev wlan0 | grep -q "inet $portal/"; }
if wait_for 90 ap_up; then echo "access point: up"; else
    echo "access point: down"
    iw dev wlan0 info
    ip addr show dev wlan0
    exit 1
fi

if ! phone_up wlan1 sta "$ssid"; then
    journalctl -b -u anjungan-dnsmasq -n 15 --no-pager
    exit 1
fi
lease=/run/phones/wlan1.lease
echo "router: $(sed -n 's/^router=//p' "$lease")"
# udhcpc hands an option it has no name for over in hex.
hex=$(sed -n 's/^opt114=//p' "$lease")
echo "option 114: $(printf '%b' "$(printf '%s' "$hex" | sed 's/../\\x&/g')")"

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
probe=$(curl_sta -o /dev/null -w '%{http_code} %{redirect_url}' "http://$internet/generate_204" 2>/run/phones/probe.err)
echo "probe: $probe"
case $probe in 30?\ *) ;; *)
    echo "probe's error: $(cat /run/phones/probe.err)"
    ss -ltn
    nft list table inet anjungan_captive | head -n 40
    ;;
esac
echo "capport: $(curl_sta -H 'Accept: application/captive+json' "http://$portal/api/captive" | tr -d '\n')"
# The first bytes of the device's SSH server, or "unreachable".
ssh_banner() { in_sta timeout 5 bash -c "exec 3<>/dev/tcp/$1/22 && head -c 7 <&3" 2>/dev/null || echo unreachable; }
uplink=$(ip -4 -o addr show dev eth0 | awk '{sub(/\/.*/, "", $4); print $4; exit}')
echo "device ssh on the guest side: $(ssh_banner "$portal")"
echo "join: $(phone_join sta)"
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
