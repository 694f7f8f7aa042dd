# Phones on the free Wi-Fi, for the scripts tests/image runs inside the
# booted image (station.sh, phones.sh): each is one of mac80211_hwsim's
# radios moved into a network namespace of its own, where wpa_supplicant
# associates, busybox udhcpc asks for an address and option 114, and curl
# plays the phone. The host puts this file ahead of the script it sends
# (`bash -s` reads one stream, and the VM has no copy of tests/image).

portal=10.42.0.1
internet=203.0.113.10

wait_for() { # seconds command...
    local n=$1
    shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
    return 1
}

# phone_up RADIO NETNS SSID: the radio into the namespace, associated with
# SSID, with an address. Prints "mac: ", "associated: " and "address: "
# lines; the lease's variables stay in /run/phones/RADIO.lease. Fails when
# a step does, after printing what the step left behind.
phone_up() {
    local radio=$1 ns=$2 ssid=$3 dir=/run/phones phy hook
    phy=$(cat "/sys/class/net/$radio/phy80211/name")
    echo "mac: $(cat "/sys/class/net/$radio/address")"
    mkdir -p "$dir"
    ip netns add "$ns"
    iw phy "$phy" set netns name "$ns"
    ip netns exec "$ns" ip link set lo up
    ip netns exec "$ns" ip link set "$radio" up
    cat >"$dir/$radio.conf" <<CONF
ctrl_interface=$dir/$radio.wpa
network={
    ssid="$ssid"
    key_mgmt=NONE
    scan_ssid=1
}
CONF
    ip netns exec "$ns" wpa_supplicant -B -i "$radio" -c "$dir/$radio.conf" -P "$dir/$radio.pid" -f "$dir/$radio.log"
    # shellcheck disable=SC2317 # called through wait_for
    associated() { ip netns exec "$ns" wpa_cli -p "$dir/$radio.wpa" -i "$radio" status | grep -q '^wpa_state=COMPLETED'; }
    if wait_for 60 associated; then echo "associated: yes"; else
        echo "associated: no"
        tail -n 20 "$dir/$radio.log"
        return 1
    fi
    hook=$(udhcpc_hook)
    if ip netns exec "$ns" busybox udhcpc -i "$radio" -O 114 -s "$hook" -q -f -n -t 10 -T 2 >"$dir/$radio.udhcpc" 2>&1; then
        echo "address: $(sed -n 's/^ip=//p' "$dir/$radio.lease")"
    else
        echo "address: none"
        cat "$dir/$radio.udhcpc"
        return 1
    fi
}

# udhcpc_hook: the path of udhcpc's hook, written on first use. It must be
# executable, and /run is mounted noexec (initramfs-tools does so): it
# goes to /var/tmp.
udhcpc_hook() {
    local hook=/var/tmp/anjungan-phones/udhcpc.sh
    if [ ! -x "$hook" ]; then
        mkdir -p "${hook%/*}"
        cat >"$hook" <<'SCRIPT'
#!/bin/sh
# udhcpc's hook: configure the phone's address and keep what the server said.
case $1 in
bound | renew)
    ip addr flush dev "$interface"
    ip addr add "$ip/$mask" dev "$interface"
    ip route replace default via "$router"
    # No /etc/netns/*/resolv.conf: the root is read-only, and the phones
    # reach everything by address.
    env >"/run/phones/$interface.lease"
    ;;
esac
SCRIPT
        chmod 755 "$hook"
    fi
    echo "$hook"
}

# phone_join NETNS: the portal's page fetched and its join form sent, as a
# tap on "join" does; prints the answer's HTTP status.
phone_join() {
    local page csrf
    page=$(ip netns exec "$1" curl --silent --max-time 10 "http://$portal/")
    csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//; s/"$//')
    ip netns exec "$1" curl --silent --max-time 10 -o /dev/null -w '%{http_code}' \
        --data-urlencode "csrf=$csrf" --data-urlencode lang=id "http://$portal/join"
}
