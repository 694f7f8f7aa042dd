#!/usr/bin/env bash
# The portal side by side with openNDS, in one run, each in its own
# namespace test bed (ours: tests/captive/testbed.sh; openNDS:
# ../shared/bench/opennds-testbed.sh). Prints a table with ratios.
#
#   sudo tests/captive/bench.sh            (release build of anjungan-captive)
#
# Needs: opennds iptables dnsmasq-base busybox wrk curl python3 openssl nftables
# Measures, for each: probe redirects per second and p99 latency (wrk, 16
# connections from one visitor: the portal's cap per address, 10 s); time from the first probe to the internet after a
# click-through; daemon memory idle and after 100,000 requests; and for the
# portal, the time to join with 1, 100, 1,000 and 5,000 visitors already
# joined.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
NDS_BED=${NDS_BED:-$ROOT/../shared/bench/opennds-testbed.sh}
WORK=$(mktemp -d /tmp/anjungan-bench.XXXXXX)
export P=bn- BASE=$WORK/bed
UA="Mozilla/5.0 (Linux; Android 10) bench"
DURATION=${DURATION:-10}
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY

cargo build --quiet --release -p captive -p anjungan --manifest-path "$ROOT/Cargo.toml"
cleanup() {
  BASE=$WORK/nds bash "$NDS_BED" teardown >/dev/null 2>&1 || true
  bash "$HERE/testbed.sh" teardown >/dev/null 2>&1 || true
  }
trap cleanup EXIT
BIN=$ROOT/target/release
export CAPTIVE=$BIN/anjungan-captive   # the bed's dnsmasq.conf (testbed.sh)

rss_kib() { ps -o rss= -p "$1" | tr -d ' '; }
now() { date +%s.%N; }
wrk_run() { # wrk_run NS URL -> "rps p99_ms"
  ip netns exec "$1" wrk -t2 -c16 -d"${DURATION}s" --timeout 5s --latency -H "User-Agent: $UA" "$2" >"$WORK/wrk.out" 2>&1
  local rps p99
  rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/wrk.out")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v/=1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v*=1000}; print v}' "$WORK/wrk.out")
  echo "$rps ${p99:-nan}"
}
requests_total() { awk '/requests in/ {print $1}' "$WORK/wrk.out"; }

# ---------------------------------------------------------------- openNDS
nds() { BASE=$WORK/nds bash "$NDS_BED" "$@"; }
nds teardown >/dev/null 2>&1 || true
nds setup >"$WORK/nds-setup.log" 2>&1
nds nds-start >"$WORK/nds-start.log" 2>&1
NDS_PID=$(cat "$WORK/nds/state/opennds.pid")
sleep 1
NDS_IDLE=$(rss_kib "$NDS_PID")
read -r NDS_RPS NDS_P99 < <(wrk_run client http://10.98.0.2/generate_204)
NDS_REQS=$(requests_total)
NDS_AFTER=$(rss_kib "$NDS_PID")
t0=$(now)
nds auth >"$WORK/nds-auth.log" 2>&1 || true
for i in $(seq 200); do
  [ "$(ip netns exec client curl -s -o /dev/null -m 2 -w '%{http_code}' http://10.98.0.2/generate_204)" = 204 ] && break
  sleep 0.01
done
NDS_JOIN=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.0f", (b-a)*1000}')
echo "openNDS: $NDS_RPS req/s, p99 $NDS_P99 ms, join $NDS_JOIN ms, RSS $NDS_IDLE -> $NDS_AFTER KiB" >&2
nds teardown >/dev/null 2>&1 || true

# ---------------------------------------------------------------- Anjungan
bash "$HERE/testbed.sh" teardown >/dev/null 2>&1 || true
bash "$HERE/testbed.sh" setup >"$WORK/bed-setup.log" 2>&1
start_portal() { # start_portal PRE_JOINED
  mkdir -p "$WORK/dev"
  rm -f "$WORK/dev/anjungan.db"*
  cat >"$WORK/dev/anjungan.toml" <<TOML
[device]
id = "bench"
data_dir = "$WORK/dev"
[captive]
interface = "wifi0"
uplink = "gw-wan"
address = "10.42.0.1"
firewall = "nftables"
max_visitors = 10000
dhcp_leases = "$BASE/leases"
TOML
  "$BIN/anjungan" --config "$WORK/dev/anjungan.toml" catalog status >/dev/null   # creates the schema
  if [ "$1" -gt 0 ]; then
    python3 - "$WORK/dev/anjungan.db" "$1" <<'PY'
import sqlite3, sys, time
db, n = sys.argv[1], int(sys.argv[2])
now = int(time.time())
c = sqlite3.connect(db)
rows = [("02:00:00:%02x:%02x:%02x" % (i >> 16, (i >> 8) & 255, i & 255),
         "10.%d.%d.%d" % (100 + (i >> 16), (i >> 8) & 255, i & 255), now, now + 3600, "click-through")
        for i in range(n)]
c.executemany("INSERT INTO wifi_session (mac, ip, started_at, expires_at, method) VALUES (?,?,?,?,?)", rows)
c.commit()
PY
  fi
  ip netns exec "${P}gw" "$BIN/anjungan-captive" --config "$WORK/dev/anjungan.toml" \
    >"$WORK/portal.log" 2>&1 &
  PORTAL_PID=$!
  for i in $(seq 200); do
    ip netns exec "${P}gw" curl -s -m 1 http://127.0.0.1:8081/api/status >/dev/null && return 0
    sleep 0.05
  done
  echo "portal did not start: $(cat "$WORK/portal.log")" >&2; exit 1
}
stop_portal() { kill -TERM "$PORTAL_PID"; wait "$PORTAL_PID" || true; ip netns exec "${P}gw" nft delete table inet anjungan_captive 2>/dev/null || true; }
join_ms() { # a click-through by v1, timed: the POST only
  local page csrf
  page=$(ip netns exec "${P}v1" curl -s -m 3 http://10.42.0.1/)
  csrf=$(printf '%s' "$page" | grep -o 'name="csrf" value="[^"]*"' | sed 's/.*value="//;s/"$//')
  ip netns exec "${P}v1" curl -s -o /dev/null -m 5 -w '%{time_total}' --data "csrf=$csrf&lang=id" http://10.42.0.1/join \
    | awk '{printf "%.1f", $1*1000}'
}

# An .db with the schema: let the daemon create it once.
mkdir -p "$WORK/dev"
start_portal 0
sleep 1
OUR_IDLE=$(rss_kib "$PORTAL_PID")
read -r OUR_RPS OUR_P99 < <(wrk_run "${P}v1" http://203.0.113.10/generate_204)
OUR_REQS=$(requests_total)
# Top up to at least 100,000 requests in all.
if [ "${OUR_REQS:-0}" -lt 100000 ]; then
  ip netns exec "${P}v1" ab -q -n $((100000 - OUR_REQS)) -c 50 -H "User-Agent: $UA" http://203.0.113.10/generate_204 >/dev/null 2>&1 || true
fi
OUR_AFTER=$(rss_kib "$PORTAL_PID")
t0=$(now)
ip netns exec "${P}v1" curl -s -o /dev/null -m 2 http://203.0.113.10/generate_204
ip netns exec "${P}v1" curl -s -o /dev/null -m 2 http://10.42.0.1/
join_ms >/dev/null
for i in $(seq 200); do
  [ "$(ip netns exec "${P}v1" curl -s -o /dev/null -m 2 -w '%{http_code}' http://203.0.113.10/generate_204)" = 204 ] && break
  sleep 0.01
done
OUR_JOIN=$(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.0f", (b-a)*1000}')
echo "anjungan: $OUR_RPS req/s, p99 $OUR_P99 ms, join $OUR_JOIN ms, RSS $OUR_IDLE -> $OUR_AFTER KiB" >&2
stop_portal

declare -A JOIN_AT
for n in 1 100 1000 5000; do
  start_portal "$n"
  JOIN_AT[$n]=$(join_ms)
  echo "join with $n joined: ${JOIN_AT[$n]} ms" >&2
  stop_portal
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 == 0) print "-"; else printf "%.1fx", a/b }'; }
printf '\n%-52s %14s %14s %10s\n' "measure" "anjungan" "openNDS" "ratio"
printf '%-52s %14s %14s %10s\n' "probe redirects/s (16 conn, ${DURATION} s)" "$OUR_RPS" "$NDS_RPS" "$(ratio "$OUR_RPS" "$NDS_RPS")"
printf '%-52s %14s %14s %10s\n' "p99 latency ms" "$OUR_P99" "$NDS_P99" "$(ratio "$NDS_P99" "$OUR_P99")"
printf '%-52s %14s %14s %10s\n' "first probe -> internet after click-through, ms" "$OUR_JOIN" "$NDS_JOIN" "$(ratio "$NDS_JOIN" "$OUR_JOIN")"
printf '%-52s %14s %14s %10s\n' "memory idle, KiB RSS" "$OUR_IDLE" "$NDS_IDLE" "$(ratio "$NDS_IDLE" "$OUR_IDLE")"
printf '%-52s %14s %14s %10s\n' "memory after requests, KiB RSS" "$OUR_AFTER" "$NDS_AFTER" "$(ratio "$NDS_AFTER" "$OUR_AFTER")"
printf '%-52s %14s %14s\n' "  (requests served before that)" "$((OUR_REQS > 100000 ? OUR_REQS : 100000))" "$NDS_REQS"
for n in 1 100 1000 5000; do
  printf '%-52s %14s %14s\n' "join (POST) ms with $n visitors already joined" "${JOIN_AT[$n]}" "-"
done
rm -rf "$WORK"
