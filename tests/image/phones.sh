#!/bin/bash
# Runs inside the booted image (as root, over SSH) for the power cut of
# tests/image/readonly.sh: four more phones, on the radios wlan2..wlan5 that
# station.sh loaded, in the namespaces sta2..sta5 (phone.sh).
#
#   cat phone.sh phones.sh | bash -s up SSID  # each associated, with an address
#   cat phone.sh phones.sh | bash -s join     # their joins, one after another
#
# "up" prints each phone's lines with its namespace in front ("sta2 mac:
# ..."). "join" prints "joined staN" as soon as the portal has answered a
# join with its redirect: a line the host has is a join the portal
# answered before the cut.
set -uo pipefail
phones="2 3 4 5"
case ${1:-} in
up)
    # One after another: four phones set up at once under TCG lost two
    # DHCP acknowledgements (each udhcpc gave up after three requests).
    for n in $phones; do
        phone_up "wlan$n" "sta$n" "$2" 2>&1 | sed "s/^/sta$n /"
    done
    ;;
join)
    for n in $phones; do
        code=$(phone_join "sta$n")
        case $code in 30?) echo "joined sta$n" ;; *) echo "refused sta$n: $code" ;; esac
    done
    ;;
*)
    echo "usage: phones.sh up SSID | join" >&2
    exit 2
    ;;
esac
