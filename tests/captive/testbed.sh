#!/usr/bin/env bash
# The captive portal's namespace test bed (Debian bookworm, root): one device,
# two visitors on its "Wi-Fi", the office LAN's router and a pretend internet.
#
#   v1 ns ─ v1-eth0 ┐
#                   ├─ bridge wifi0 10.42.0.1/24 [gw ns: dnsmasq, anjungan-captive] gw-wan 10.98.0.1/24 ─ in-eth0 10.98.0.2/24 [inet ns]
#   v2 ns ─ v2-eth0 ┘
#
#   The inet namespace plays two parts: the office LAN's router, 10.98.0.2,
#   with DNS :53 (every name -> 203.0.113.10) and an "admin page" on :80
#   that guests must never reach; and the internet behind it, 203.0.113.10
#   (a public-looking address routed through the router), with HTTP :80 and
#   HTTPS :443.
#
# Usage: P=<prefix> BASE=<dir> CAPTIVE=<anjungan-captive> testbed.sh setup|dhcp VISITOR|teardown
#   Namespaces are "${P}gw", "${P}v1", "${P}v2", "${P}inet": several beds run
#   side by side with different prefixes. All traffic stays inside them.
#   dnsmasq on the device runs with the file a device gets at boot
#   (`anjungan-captive network-files`, by CAPTIVE), made for the bed's
#   interface and lease file, plus NETWORK_TOML's [captive] lines if set
#   (a test's walled garden).
# Needs: iproute2 nftables dnsmasq-base busybox curl python3 openssl
set -euo pipefail

P=${P:?set P to a short prefix for the namespace names}
BASE=${BASE:?set BASE to a directory for the bed state}
HERE=$(cd "$(dirname "$0")" && pwd)
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy no_proxy NO_PROXY

nsx() { local ns=$1; shift; ip netns exec "$P$ns" "$@"; }
bg_in() { # bg_in NAME NS CMD...: a daemon in NS, its PID remembered
  local name=$1 ns=$2; shift 2
  ip netns exec "$P$ns" "$@" >"$BASE/$name.log" 2>&1 &
  echo $! >"$BASE/$name.pid"
}

setup() {
  mkdir -p "$BASE"
  for ns in gw v1 v2 inet; do ip netns add "$P$ns"; nsx "$ns" ip link set lo up; done
  nsx gw ip link add wifi0 type bridge
  # The radio is no bridge on a device: with br_netfilter loaded (Docker
  # loads it) bridged frames would also go through the ip hooks, and the
  # portal's shaping would miss uploads (its IFB redirect). Per namespace.
  for f in iptables ip6tables arptables; do
    nsx gw sh -c "[ ! -w /proc/sys/net/bridge/bridge-nf-call-$f ] || echo 0 >/proc/sys/net/bridge/bridge-nf-call-$f"
  done
  for v in v1 v2; do
    ip link add "$P$v-ap" netns "${P}gw" type veth peer name eth0 netns "$P$v"
    nsx gw ip link set "$P$v-ap" master wifi0 up
    # Like hostapd's ap_isolate=1: visitors reach the device, not each other.
    nsx gw bridge link set dev "$P$v-ap" isolated on
    nsx "$v" ip link set eth0 up
    mkdir -p "/etc/netns/$P$v"
    echo "nameserver 10.42.0.1" >"/etc/netns/$P$v/resolv.conf"
  done
  ip link add gw-wan netns "${P}gw" type veth peer name in-eth0 netns "${P}inet"
  nsx gw ip addr add 10.42.0.1/24 dev wifi0
  nsx gw ip link set wifi0 up
  nsx gw ip addr add 10.98.0.1/24 dev gw-wan
  nsx gw ip link set gw-wan up
  nsx gw ip route add default via 10.98.0.2
  # Forwarding stays off, as on a device at boot: the portal switches it on
  # once its table is in the kernel (a test that joins proves it did).
  nsx gw sysctl -qw net.ipv4.ip_forward=0
  nsx inet ip addr add 10.98.0.2/24 dev in-eth0
  nsx inet ip addr add 203.0.113.10/32 dev in-eth0
  nsx inet ip link set in-eth0 up

  # The pretend internet: every probe's "online" answer, a page, and HTTPS.
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pretend.internet \
    -keyout "$BASE/inet.key" -out "$BASE/inet.crt" >/dev/null 2>&1
  cat >"$BASE/inet.py" <<'PY'
import http.server, socketserver, ssl, sys, threading
ONLINE = {
    "/generate_204": None, "/gen_204": None,
    "/hotspot-detect.html": b"<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>",
    "/connecttest.txt": b"Microsoft Connect Test",
    "/canonical.html": b"<meta http-equiv=\"refresh\" content=\"0;url=https://support.mozilla.org/kb/captive-portal\"/>",
    "/success.txt": b"success\n",
    "/check_network_status.txt": b"NetworkManager is online\n",
}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        path = self.path.split("?")[0]
        if path in ONLINE and ONLINE[path] is None:
            self.send_response(204); self.send_header("Content-Length", "0"); self.end_headers(); return
        body = ONLINE.get(path, b"<html><body><h1 id=\"inet\">hello from the pretend internet</h1></body></html>\n")
        self.send_response(200); self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
class Router(H):
    def do_GET(self):
        body = b"<html><body><h1 id=\"router\">router admin page</h1></body></html>\n"
        self.send_response(200); self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True; request_queue_size = 1024
plain = S(("203.0.113.10", 80), H)
tls = S(("203.0.113.10", 443), H)
router = S(("10.98.0.2", 80), Router)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER); ctx.load_cert_chain(sys.argv[1], sys.argv[2])
tls.socket = ctx.wrap_socket(tls.socket, server_side=True)
threading.Thread(target=tls.serve_forever, daemon=True).start()
threading.Thread(target=router.serve_forever, daemon=True).start()
plain.serve_forever()
PY
  bg_in inet_http inet python3 "$BASE/inet.py" "$BASE/inet.crt" "$BASE/inet.key"
  bg_in inet_dns inet dnsmasq -k -u root -C /dev/null --no-resolv --no-hosts --bind-interfaces \
    --listen-address=10.98.0.2 --address=/#/203.0.113.10 --pid-file=

  # The device's dnsmasq, with the file the device's own configuration
  # makes (the defaults but for the bed's interface and lease file).
  cat >"$BASE/network.toml" <<TOML
[captive]
interface = "wifi0"
uplink = "gw-wan"
address = "10.42.0.1"
dhcp_leases = "$BASE/leases"
${NETWORK_TOML:-}
TOML
  "${CAPTIVE:?set CAPTIVE to the anjungan-captive program}" --config "$BASE/network.toml" \
    network-files --out "$BASE/network"
  : >"$BASE/leases"
  bg_in gw_dnsmasq gw dnsmasq -k -u root -C "$BASE/network/dnsmasq.conf" --no-resolv --no-hosts \
    --server=10.98.0.2 --pid-file=

  for i in $(seq 100); do
    nsx inet python3 -c 'import socket;[socket.create_connection(a,1) for a in [("203.0.113.10",80),("203.0.113.10",443),("10.98.0.2",80)]]' 2>/dev/null && break
    sleep 0.1
  done
  for i in $(seq 100); do   # DHCP only once the device's dnsmasq listens
    nsx gw ss -Hlun 'sport = :67' | grep -q . && break
    sleep 0.1
  done
  for v in v1 v2; do dhcp "$v"; done
  for v in v1 v2; do
    grep -q '^ip=' "$BASE/lease-$v" 2>/dev/null || { echo "testbed: $v got no DHCP lease: $(cat "$BASE/udhcpc-$v.log")" >&2; exit 1; }
  done
}

# A visitor takes an address by DHCP (busybox udhcpc, asking for option 114).
dhcp() {
  local v=$1
  cat >"$BASE/udhcpc.sh" <<'SH'
#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface" ;;
  bound|renew) ip addr flush dev "$interface"; ip addr add "$ip/$mask" dev "$interface"
               ip route replace default via "$router" dev "$interface"
               env | grep -E '^(ip|router|dns|opt114)=' >"$LEASE_OUT" ;;
esac
SH
  chmod +x "$BASE/udhcpc.sh"
  LEASE_OUT="$BASE/lease-$v" nsx "$v" busybox udhcpc -i eth0 -s "$BASE/udhcpc.sh" -O 114 -q -n -t 10 -T 1 \
    >"$BASE/udhcpc-$v.log" 2>&1
}

teardown() {
  # "crowd": the many visitors of tests/tests/captive_bed/crowd.rs, if any.
  for ns in gw v1 v2 inet crowd; do
    for p in $(ip netns pids "$P$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null || true; done
  done
  sleep 0.3
  for ns in gw v1 v2 inet crowd; do
    for p in $(ip netns pids "$P$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    ip netns del "$P$ns" 2>/dev/null || true
  done
  rm -rf "/etc/netns/${P}v1" "/etc/netns/${P}v2"
  rmdir /etc/netns 2>/dev/null || true
}

case "${1:-}" in
  setup) setup ;;
  dhcp) dhcp "$2" ;;
  teardown) teardown ;;
  *) echo "usage: P=prefix BASE=dir $0 setup|dhcp VISITOR|teardown" >&2; exit 2 ;;
esac
