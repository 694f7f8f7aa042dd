# Sourced by tests/image/boot-test.sh after run_checks (lib.sh): the
# read-only root, a power cut and a boot without a real-time clock (issue
# 12, items 4, 5 and 7).
#
# readonly_checks: the root mounted read-only, scratch and logs in RAM, the
# state that must last on the data partition, no failed unit, and a
# technician's package installed with anjungan-maintenance (the root
# read-only again after it).
#
# power_cut_checks: while catalog imports (two large bundles, alternating),
# survey answers, queue numbers and the joins of four more phones
# (phones.sh) run in the VM, each printed to the host as it returns, QEMU
# is killed (no shutdown) as soon as two joins are answered. On a copy
# of the cut disk: both ext4 file systems clean once their journals are
# replayed, and the database's integrity_check ok. Then the same disk
# boots again with its clock years in the past (QEMU's -rtc base, as a
# device without a real-time clock): the clock is the last known time
# again, every answer committed before the cut is there, and so is every
# queue number (the next one follows them on the same day), the catalog is
# one of the two whole, the phone joined in run_checks and every phone
# whose join was answered are still let out with at most their hour (and
# nobody else but the phone whose join was under way), no answer is dated
# with a wrong day, the root read-only and the technician's package kept.

readonly_checks() {
    check "read-only root: / mounted ro" "ro" "$(vm findmnt -n -o OPTIONS / | cut -d, -f1)"
    check "read-only root: writing to /usr refused" "~Read-only file system" \
        "$(vm 'sudo touch /usr/anjungan-probe 2>&1 || true')"
    check "read-only root: /tmp, /var/tmp, /var/log in RAM" "tmpfs tmpfs tmpfs" \
        "$(vm 'for d in /tmp /var/tmp /var/log; do findmnt -n -o FSTYPE "$d"; done' | xargs)"
    check "data partition: mounted on /data" "ext4 LABEL=anjungan-data" \
        "$(vm 'echo $(findmnt -n -o FSTYPE /data) LABEL=$(lsblk -n -o LABEL "$(findmnt -n -o SOURCE /data)")')"
    check "data partition: what must last bound from it" \
        "/var/lib/anjungan:[/anjungan] /var/lib/systemd:[/system/systemd] /var/lib/misc:[/system/misc] /var/log/journal:[/system/journal]" \
        "$(vm 'for d in /var/lib/anjungan /var/lib/systemd /var/lib/misc /var/log/journal; do
                echo "$d:$(findmnt -n -o SOURCE "$d" | sed "s/^[^[]*//")"; done' | xargs)"
    check "journal: on the data partition, with its limits" "~max 64\.0M" \
        "$(vm "sudo journalctl -b -u systemd-journald --no-pager -o cat | grep 'System Journal (/var/log/journal' | tail -n 1")"
    check "first boot: machine-id written to the root (not from /run)" "written" \
        "$(vm 'mountpoint -q /etc/machine-id && echo "still from /run" || echo written')"
    check "no failed unit" "" "$(vm systemctl --failed --no-legend --plain)"

    # A technician's package: a small one made here (the VM has no
    # archive to reach), installed by apt-get with the root writable for
    # that command only.
    local pkg=$work/probe
    mkdir -p "$pkg/DEBIAN" "$pkg/usr/share/anjungan-boot-test-probe"
    printf 'Package: anjungan-boot-test-probe\nVersion: 1\nArchitecture: all\nMaintainer: Anjungan boot test <root@localhost>\nDescription: boot test probe\n A package a technician installs.\n' \
        >"$pkg/DEBIAN/control"
    echo installed >"$pkg/usr/share/anjungan-boot-test-probe/probe"
    dpkg-deb --root-owner-group -b "$pkg" "$work/probe.deb" >/dev/null
    vm 'cat >/tmp/probe.deb' <"$work/probe.deb"
    check "maintenance: refused to change the root without it" "~Read-only file system" \
        "$(vm 'sudo dpkg -i /tmp/probe.deb 2>&1 || true' | tr '\n' ' ')"
    check "maintenance: apt-get install with anjungan-maintenance" "install ok installed" \
        "$(vm 'sudo anjungan-maintenance apt-get install -y /tmp/probe.deb >/tmp/probe.log 2>&1 || cat /tmp/probe.log >&2
               dpkg-query -W -f "\${Status}" anjungan-boot-test-probe')"
    check "maintenance: the root read-only again after it" "root file system: read-only" \
        "$(vm sudo anjungan-maintenance status)"
    # Two sessions at once: the one that made the root writable ends
    # first, while the other still runs; the last to end makes it
    # read-only. (Before the lock, the first made it read-only under the
    # second.)
    check "maintenance: two sessions at once (the root while the second runs alone, after both)" "writable read-only" \
        "$(vm 'd=$(mktemp -d) m=/usr/sbin/anjungan-maintenance
               sudo $m sh -c "until [ -e $d/a ]; do sleep 0.2; done" 2>/dev/null &
               first=$!
               for i in $(seq 100); do $m status | grep -q writable && break; sleep 0.2; done
               sudo $m sh -c "touch $d/in; until [ -e $d/b ]; do sleep 0.2; done" 2>/dev/null &
               for i in $(seq 100); do [ -e $d/in ] && break; sleep 0.2; done
               touch $d/a; wait $first
               alone=$($m status)
               touch $d/b; wait
               echo ${alone##* } $($m status | sed "s/.* //"); rm -rf $d')"
}

# responses_in ARGS...: how many survey answers `anjungan survey report
# --json ARGS` counts.
responses_in() {
    vm "sudo -u anjungan anjungan survey report --json $*" |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["responses"])' 2>/dev/null
}

# The let-out elements of the portal's set "joined", a line each:
# "MAC SECONDS-LEFT".
joined_set() {
    vm 'sudo nft list set inet anjungan_captive joined' | python3 -c '
import re, sys
def seconds(s):
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(float(n) * units[u] for n, u in re.findall(r"([0-9]+)(ms|d|h|m|s)", s))
element = r"([0-9a-f]{2}(?::[0-9a-f]{2}){5}) \. [0-9.]+[^,}]*?expires ((?:[0-9]+(?:ms|d|h|m|s))+)"
for mac, left in re.findall(element, sys.stdin.read()):
    print(mac, int(seconds(left)))'
}

# let_out SET: "N max-seconds" of joined_set's lines: how many, and the
# longest time one has left.
let_out() {
    printf '%s\n' "$1" | awk 'NF { n++; if ($2 > m) m = $2 } END { print n + 0, m + 0 }'
}

# joins_kept SET FIRST PHONES-UP JOINS: whether every phone whose join
# was answered before the cut (JOINS, "sta2 sta3") is in the set after it
# (SET, joined_set's lines) with at most its hour left, and nobody else but
# the phone joined before (FIRST, a MAC) and the one whose join was under
# way at the cut. PHONES-UP: phones.sh up's lines, for their MACs.
joins_kept() {
    python3 - "$@" <<'PY'
import sys
elements, first, up, joins = sys.argv[1:5]
left = dict(line.split() for line in elements.splitlines() if line.strip())
macs = {}
for line in up.splitlines():
    name, _, rest = line.partition(" ")
    if rest.startswith("mac: "):
        macs[name] = rest[len("mac: "):]
order = sorted(macs)
answered = joins.split()
wrong = []
for phone in answered:
    mac = macs.get(phone, "?")
    if mac not in left:
        wrong.append(f"{phone} ({mac}) not let out")
    elif not 0 < int(left[mac]) <= 3600:
        wrong.append(f"{phone} ({mac}) with {left[mac]} s left")
# The join under way at the cut: the one after the last answered.
following = order[order.index(answered[-1]) + 1:] if answered and answered[-1] in order else []
under_way = following[0] if following else None
allowed = {first} | {macs.get(p) for p in answered} | ({macs[under_way]} if under_way else set())
wrong += [f"{mac} let out without a join" for mac in left if mac not in allowed]
if wrong or not answered:
    print("no: " + ("; ".join(wrong) or "no join answered"))
else:
    extra = f"; {under_way}'s, under way, " + ("let out too" if macs[under_way] in left else "not") if under_way else ""
    print(f"yes ({len(answered)} answered{extra})")
PY
}

# numbers_today: the VM's local day and how many numbers of prefix A
# (the demo catalog's KTP-el services) `anjungan queue status` counts on it.
numbers_today() {
    vm 'echo $(date +%F) $(sudo -u anjungan anjungan queue status --json)' | python3 -c '
import json, sys
day, _, status = sys.stdin.read().partition(" ")
print(day, next((s["taken"] for s in json.loads(status) if s["prefix"] == "A"), 0))'
}

# A queue ticket as the kiosk takes it: the next number, for real.
take_number='sudo -u anjungan anjungan receipt --ticket ktp-el-baru --out /tmp/cut-ticket.bin'

power_cut_checks() {
    local catalog_pid survey_pid queue_pid joins_pid qemu_cmd committed numbers joins before_answers before_set before_let_out
    local before_numbers after_numbers after_set t_cut zone today began first_phone phones_up addressed
    phase "power cut: catalog imports, survey answers, queue numbers and joins under way"
    # Two large bundles: the demo catalog and 1500 services more, named
    # cut-a-N in one and cut-b-N in the other.
    vm 'sudo -u anjungan anjungan catalog export' >"$work/catalog.json"
    python3 - "$work" <<'PY'
import copy, json, sys
work = sys.argv[1]
base = json.load(open(f"{work}/catalog.json"))
for name in "ab":
    bundle = copy.deepcopy(base)
    template = base["services"][0]
    for n in range(1500):
        s = copy.deepcopy(template)
        s["id"] = f"cut-{name}-{n}"
        s["name"] = {"id": f"Layanan uji {name} {n}"}
        bundle["services"].append(s)
    json.dump(bundle, open(f"{work}/cut-{name}.json", "w"))
PY
    vm 'cat >/tmp/cut-a.json' <"$work/cut-a.json"
    vm 'cat >/tmp/cut-b.json' <"$work/cut-b.json"
    vm 'printf "u1,u2,u3,u4,u5,u6,u7,u8,u9\n4,4,3,4,3,4,4,3,4\n" >/tmp/cut-form.csv; chmod 0644 /tmp/cut-*'
    check "power cut: bundle imports" "imported" \
        "$(vm 'sudo -u anjungan anjungan catalog import /tmp/cut-a.json >/dev/null && echo imported')"
    before_answers=$(responses_in)
    before_numbers=$(numbers_today)
    before_set=$(joined_set)
    before_let_out=$(let_out "$before_set")
    check "power cut: the phone let out before it (elements, seconds left)" "~^1 [0-9]+$" "$before_let_out"
    first_phone=$(printf '%s\n' "$before_set" | awk 'NR == 1 { print $1 }')
    # Four more phones, associated and with addresses, whose joins the cut
    # will come in the middle of.
    phones_up=$(phone_script phones.sh up "'Anjungan Uji'" 2>&1) || true
    addressed=$(printf '%s\n' "$phones_up" | sed -n 's/^\(sta[0-9]\) address: 10\.42\.[0-9.]*$/\1/p' | xargs)
    check "power cut: four more phones on the Wi-Fi, each with an address" "sta2 sta3 sta4 sta5" "$addressed"
    [ "$addressed" = "sta2 sta3 sta4 sta5" ] || printf '%s\n' "$phones_up"

    # Each line reaches the host only once its command has returned: what
    # the host has, was committed.
    vm 'while :; do
            sudo -u anjungan anjungan catalog import /tmp/cut-b.json >/dev/null && echo b
            sudo -u anjungan anjungan catalog import /tmp/cut-a.json >/dev/null && echo a
        done' >"$work/cut-catalog.log" 2>&1 &
    catalog_pid=$!
    vm 'while :; do
            sudo -u anjungan anjungan survey import --again /tmp/cut-form.csv >/dev/null && echo answer
        done' >"$work/cut-survey.log" 2>&1 &
    survey_pid=$!
    vm "while :; do $take_number && echo number; done" >"$work/cut-queue.log" 2>&1 &
    queue_pid=$!
    local waited=0
    until [ "$(grep -c . "$work/cut-catalog.log")" -ge 3 ] && [ "$(grep -c answer "$work/cut-survey.log")" -ge 5 ] &&
        [ "$(grep -c number "$work/cut-queue.log")" -ge 5 ]; do
        sleep 1
        waited=$((waited + 1))
        [ $waited -lt 300 ] || break
    done
    # The joins last: the cut comes as soon as the portal has answered two,
    # while the third is under way (and, most likely, an import).
    phone_script phones.sh join >"$work/cut-joins.log" 2>&1 &
    joins_pid=$!
    waited=0
    until [ "$(grep -c '^joined' "$work/cut-joins.log")" -ge 2 ] || [ $waited -ge 600 ]; do
        sleep 0.1
        waited=$((waited + 1))
    done

    phase "power cut: QEMU killed"
    mapfile -d '' qemu_cmd </proc/"$qemu_pid"/cmdline
    t_cut=$(date +%s)
    kill -KILL "$qemu_pid"
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
    wait "$catalog_pid" "$survey_pid" "$queue_pid" "$joins_pid" 2>/dev/null || true
    committed=$(grep -c answer "$work/cut-survey.log" || true)
    numbers=$(grep -c '^number$' "$work/cut-queue.log" || true)
    joins=$(sed -n 's/^joined //p' "$work/cut-joins.log" | xargs)
    check "power cut: answers, imports, queue numbers and joins answered before it" "~^[1-9][0-9]* [1-9][0-9]* [1-9][0-9]* [1-9]$" \
        "$committed $(grep -c '^[ab]$' "$work/cut-catalog.log" || true) $numbers $(wc -w <<<"$joins")"
    echo "committed before the cut: $committed survey answers, $numbers queue numbers, $(grep -c '^[ab]$' "$work/cut-catalog.log") catalog imports (last: $(grep '^[ab]$' "$work/cut-catalog.log" | tail -n 1)), the joins of ${joins:-no phone} (of sta2..sta5)"
    check "power cut: no phone's join refused" "" "$(grep '^refused' "$work/cut-joins.log" | xargs)"

    cut_disk_checks

    phase "power cut: booting again, the clock in 2020"
    "${qemu_cmd[@]}" -rtc base=2020-01-01T00:00:00 &
    qemu_pid=$!
    wait_for_ssh "$ssh_port"
    # The radios again (the simulated ones are gone with the reboot): the
    # portal reconciles its sessions once it has its interface, after
    # waiting up to 20 s for a time synchronisation that cannot come here.
    vm 'sudo modprobe mac80211_hwsim radios=6
        for i in $(seq 120); do systemctl -q is-active anjungan-captive && exit; sleep 1; done' || true

    check "no clock: the last known time again (not more than 2 min before the cut)" "yes" \
        "$(vm 'date +%s' | awk -v cut="$t_cut" '{ print ($1 >= cut - 120) ? "yes" : "no: " $1 " for a cut at " cut }')"
    check "after the cut: root read-only, the technician's package kept" "ro install ok installed" \
        "$(vm 'echo $(findmnt -n -o OPTIONS / | cut -d, -f1) $(dpkg-query -W -f "\${Status}" anjungan-boot-test-probe)')"
    check "after the cut: every committed answer there" "yes" \
        "$(responses_in | awk -v b="$before_answers" -v c="$committed" '{ print ($1 >= b + c && $1 <= b + c + 1) ? "yes" : "no: " $1 " for " b " + " c }')"
    # Every number taken before the cut (one more if the cut came between
    # its commit and its line), counted on the day it was taken; across
    # Makassar's midnight (16:00 UTC) the day's count starts again.
    after_numbers=$(numbers_today)
    check "after the cut: every queue number committed before it there" "~^yes" \
        "$(echo "$before_numbers $after_numbers" | awk -v c="$numbers" '{
            if ($1 != $3) print "yes (not compared: the day changed from " $1 " to " $3 ")"
            else print ($4 >= $2 + c && $4 <= $2 + c + 1) ? "yes" : "no: " $4 " for " $2 " + " c }')"
    check "after the cut: the catalog one of the two, whole" "~^(1500 0|0 1500)$" \
        "$(vm 'sudo -u anjungan anjungan catalog export' | python3 -c '
import json, sys
ids = [s["id"] for s in json.load(sys.stdin)["services"]]
print(sum(i.startswith("cut-a-") for i in ids), sum(i.startswith("cut-b-") for i in ids))')"
    after_set=$(joined_set)
    check "after the cut: the phone joined before it still let out, its hour not extended" "yes" \
        "$(printf '%s\n' "$after_set" | awk -v m="$first_phone" -v b="$before_let_out" '
            $1 == m { found = 1; ok = $2 > 0 && $2 <= 3600; left = $2 }
            END { print (found && ok) ? "yes" : "no: " (found ? left " s left" : m " not in the set") " (before: " b ")" }')"
    check "after the cut: every phone whose join was answered before it let out, for at most its hour" "~^yes" \
        "$(joins_kept "$after_set" "$first_phone" "$phones_up" "$joins")"
    zone=$(vm 'timedatectl show -p Timezone --value')
    today=$(TZ=$zone date +%F)
    # Every answer of this test was given since the test began, perhaps
    # the day before "today" (midnight in Makassar is 16:00 UTC).
    began=$(TZ=$zone date -d "@$(($(date +%s) - SECONDS))" +%F)
    vm 'sudo -u anjungan anjungan survey import --again /tmp/cut-form.csv >/dev/null 2>&1 ||
        { printf "u1,u2,u3,u4,u5,u6,u7,u8,u9\n4,4,3,4,3,4,4,3,4\n" >/tmp/form.csv; chmod 0644 /tmp/form.csv
          sudo -u anjungan anjungan survey import --again /tmp/form.csv >/dev/null; }'
    check "no clock: an answer after the boot is dated since the test began ($began..$today)" "yes" \
        "$(responses_in --from "$began" --to "$today" | awk -v b="$before_answers" -v c="$committed" '{ print ($1 >= b + c + 1) ? "yes" : "no: " $1 }')"
    check "no clock: no answer dated before the test began ($began)" "0" \
        "$(responses_in --from 2000-01-01 --to "$(date -d "$began -1 day" +%F)")"
    vm "$take_number"
    check "no clock: a queue number after the boot follows today's numbers ($today)" "yes" \
        "$(numbers_today | awk -v t="$today" -v a="$after_numbers" '{
            split(a, was, " "); print ($1 == t && $2 == (was[1] == $1 ? was[2] : 0) + 1) ? "yes" : "no: " $0 " (after the boot: " a ")" }')"
    check "after the cut: units of ours active" "active active active active active" \
        "$(vm 'systemctl is-active anjungan-captive anjungan-dnsmasq anjungan-first-boot anjungan-network anjungan-kiosk' | xargs)"
    check "after the cut: no failed unit" "" "$(vm systemctl --failed --no-legend --plain)"
}

# cut_disk_checks: on a copy of the disk as the cut left it, each ext4 file
# system put through what the next boot's fsck does (e2fsck -p), then a full check
# that changes nothing; the database taken out of the copy and checked by
# SQLite.
cut_disk_checks() {
    local part start size dev rc
    qemu-img convert -O raw "$work/overlay.qcow2" "$work/cut.raw"
    for part in 2:root 3:data; do
        start=$(partition_start "$work/cut.raw" "${part%%:*}")
        size=$(sfdisk --dump "$work/cut.raw" | sed -n "s|^$work/cut.raw${part%%:*} : .*size= *\([0-9]*\),.*|\1|p")
        dev=$(losetup --find --show --offset $((start * 512)) --sizelimit $((size * 512)) "$work/cut.raw")
        # What the next boot's fsck does: the journal replayed and the
        # orphan list (files deleted while open) released, nothing else.
        rc=0
        e2fsck -p "$dev" >"$work/preen-${part#*:}.log" 2>&1 || rc=$?
        check "power cut: ${part#*:} file system: the boot's fsck (e2fsck -p) passes" "~^[01]$" "$rc"
        [ "$rc" -le 1 ] || cat "$work/preen-${part#*:}.log"
        rc=0
        e2fsck -f -n "$dev" >"$work/fsck-${part#*:}.log" 2>&1 || rc=$?
        check "power cut: ${part#*:} file system clean after it (e2fsck -fn)" "0" "$rc"
        [ "$rc" = 0 ] || cat "$work/fsck-${part#*:}.log"
        if [ "${part#*:}" = data ]; then
            mkdir -p "$work/cut-db"
            for f in anjungan.db anjungan.db-wal; do
                debugfs -R "dump /anjungan/$f $work/cut-db/$f" "$dev" 2>/dev/null
            done
            check "power cut: PRAGMA integrity_check" "ok" \
                "$(sqlite3 "$work/cut-db/anjungan.db" 'PRAGMA integrity_check' 2>&1)"
        fi
        losetup -d "$dev"
    done
    rm -f "$work/cut.raw"
}
