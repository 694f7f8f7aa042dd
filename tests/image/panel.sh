# Sourced by tests/image/boot-test.sh: the kiosk on the panel (issue 12,
# items 1 and 2), seen and touched from outside the VM through QEMU's QMP
# socket ($work/qmp.sock; tests/image/panel.py): QEMU's virtio GPU is the
# panel, its virtio tablet the touchscreen (absolute coordinates).
#
# - the screen (`screendump`) is the home screen, pixel for pixel as
#   `anjungan-kiosk snapshot` renders it at the screen's size in the VM;
# - a tap on a category tile opens it (the screen is that category's
#   snapshot);
# - [kiosk] rotation = 90: the portrait layout (the portrait snapshot
#   turned clockwise), and a tap on the tile where it is drawn opens it;
# - [kiosk] screen_hours with now outside them: the screen is black; a tap
#   on the tile wakes it to the home screen and opens nothing.
# Each step polls the screen (a few seconds under TCG), never a long sleep.

panel_tool=$here/panel.py

# panel_snapshot NAME SCREEN WxH [DEGREES]: `anjungan-kiosk snapshot` in the
# VM, as the kiosk's user (its database, its configuration), to
# $work/NAME.png and, turned as the panel shows it, $work/NAME.ppm.
panel_snapshot() {
    vm "f=\$(mktemp -u /tmp/snapshot.XXXXXX.png)
        sudo -u anjungan anjungan-kiosk snapshot --screen $2 --size $3 --out \$f >&2 && sudo cat \$f; sudo rm -f \$f" \
        >"$work/$1.png"
    python3 "$panel_tool" ppm "$work/$1.png" "$work/$1.ppm" "${4:-0}"
}

# panel_wait NAME: until the screen matches $work/NAME.ppm in at least 98%
# of its pixels (or 60 s pass); prints the share last seen. The screen
# is left in $work/screen.ppm.
panel_wait() {
    local share=0 until=$((SECONDS + 60))
    while [ $SECONDS -lt $until ]; do
        python3 "$panel_tool" dump "$work/qmp.sock" "$work/screen.ppm" || return 1
        share=$(python3 "$panel_tool" same "$work/screen.ppm" "$work/$1.ppm")
        awk -v s="$share" 'BEGIN { exit !(s >= 0.98) }' && break
        sleep 1
    done
    echo "$share"
}

# panel_config LINES: the test configuration with a [kiosk] section of
# LINES; the kiosk restarted to read it (systemd waits for its first frame).
panel_config() {
    { cat "$work/anjungan.toml"; printf '\n[kiosk]\n%s\n' "$1"; } |
        vm 'sudo anjungan-maintenance tee /etc/anjungan/anjungan.toml >/dev/null'
    vm sudo systemctl restart anjungan-kiosk
}

panel_checks() {
    local size tile x y share hour hours
    phase "the kiosk on the panel"
    python3 "$panel_tool" dump "$work/qmp.sock" "$work/screen.ppm"
    size=$(python3 "$panel_tool" size "$work/screen.ppm")
    check "panel: the virtio GPU's screen" "1280x800" "$size"
    check "panel: the virtual tablet, a libinput device" "~virtio_input|Tablet" \
        "$(vm 'grep -h "^N: Name" /proc/bus/input/devices' | grep -m1 -i -E 'tablet|virtio')"

    panel_snapshot home home "$size"
    panel_snapshot category category:kependudukan "$size"
    # A kiosk left alone goes from home to its attract screen after
    # idle_reset_seconds (90): started afresh, it shows home.
    vm sudo systemctl restart anjungan-kiosk
    share=$(panel_wait home)
    check "panel: the screen is the home screen (share of pixels as its snapshot)" "~^(0\.9[89]|1\.0)" "$share"
    tile=$(python3 "$panel_tool" tile "$work/home.png")
    python3 "$panel_tool" tap "$work/qmp.sock" $tile
    share=$(panel_wait category)
    check "panel: a tap on a category tile opens it (share as its snapshot)" "~^(0\.9[89]|1\.0)" "$share"

    # Portrait: the picture turned clockwise on the landscape panel, and the
    # tile tapped where it is drawn: a window point (x, y) is at
    # (height - 1 - y, x) of the panel.
    panel_snapshot home-portrait home 800x1280 90
    panel_snapshot category-portrait category:kependudukan 800x1280 90
    panel_config 'rotation = 90'
    check "panel: rotation = 90, the tablet's libinput calibration (udev)" "0 1 0 -1 0 1" \
        "$(vm 'for d in /dev/input/event*; do udevadm info -q property "$d"; done' |
            sed -n 's/^LIBINPUT_CALIBRATION_MATRIX=//p' | sort -u | head -n 1)"
    share=$(panel_wait home-portrait)
    check "panel: rotation = 90 shows the portrait layout (share as its snapshot)" "~^(0\.9[89]|1\.0)" "$share"
    read -r x y <<<"$(python3 "$panel_tool" tile "$work/home-portrait.png")"
    python3 "$panel_tool" tap "$work/qmp.sock" $((1280 - 1 - y)) "$x"
    share=$(panel_wait category-portrait)
    check "panel: rotation = 90, a tap lands on the tile drawn there (share)" "~^(0\.9[89]|1\.0)" "$share"

    # Screen hours with now outside them: an hour that starts two hours
    # from now.
    hour=$(vm date +%-H)
    hours=$(printf 'mon-sun %02d:00-%02d:00' $(((hour + 2) % 24)) $(((hour + 3) % 24)))
    panel_config "screen_hours = [\"$hours\"]"
    # systemd's restart returned after the first frame; a few more looks
    # for a slow TCG guest.
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        python3 "$panel_tool" dump "$work/qmp.sock" "$work/screen.ppm"
        share=$(python3 "$panel_tool" black "$work/screen.ppm")
        [ "$share" = 1.0000 ] && break
        sleep 1
    done
    check "panel: outside screen_hours ($hours) the screen is black (share)" "1.0000" "$share"
    python3 "$panel_tool" tap "$work/qmp.sock" $tile
    share=$(panel_wait home)
    check "panel: a tap wakes the dark screen to home (share)" "~^(0\.9[89]|1\.0)" "$share"
    # The waking tap pressed nothing: still home a moment later.
    sleep 2
    python3 "$panel_tool" dump "$work/qmp.sock" "$work/screen.ppm"
    check "panel: the waking tap opened nothing (share as home)" "~^(0\.9[89]|1\.0)" \
        "$(python3 "$panel_tool" same "$work/screen.ppm" "$work/home.ppm")"
    check "panel: the kiosk's journal, no error of the screen" "" \
        "$(vm "sudo journalctl -b -u anjungan-kiosk --no-pager -o cat | grep -i -m3 'backlight\|panicked'")"

    cat "$work/anjungan.toml" | vm 'sudo anjungan-maintenance tee /etc/anjungan/anjungan.toml >/dev/null'
    vm sudo systemctl restart anjungan-kiosk
}
