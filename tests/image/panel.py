#!/usr/bin/env python3
"""The kiosk's screen in the boot test, seen and touched from outside the VM
through QEMU's QMP socket (python3's standard library only):

  panel.py dump SOCKET OUT.ppm          the screen now (QMP screendump)
  panel.py tap SOCKET X Y               a tap at pixel X,Y of the screen
                                        (the virtual tablet: absolute)
  panel.py ppm IN.png OUT.ppm [DEGREES]  a snapshot as the panel shows it
                                        (turned clockwise DEGREES)
  panel.py size A                       WIDTHxHEIGHT
  panel.py same A B                     share of pixels A and B agree on
  panel.py black A                      share of black pixels
  panel.py tile A                       X Y inside the first category
                                        tile of a home screen

A and B are PPM (QEMU's screendump) or PNG (anjungan-kiosk snapshot)."""

import json
import socket
import struct
import sys
import tempfile
import time
import zlib


def qmp(path, command, arguments=None):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    f = s.makefile("rwb")

    def call(execute, args=None):
        msg = {"execute": execute}
        if args is not None:
            msg["arguments"] = args
        f.write(json.dumps(msg).encode() + b"\n")
        f.flush()
        while True:
            reply = json.loads(f.readline())
            if "return" in reply:
                return reply["return"]
            if "error" in reply:
                raise SystemExit(f"QMP {execute}: {reply['error']}")
            # An event: not our answer.

    json.loads(f.readline())  # the greeting
    call("qmp_capabilities")
    try:
        return call(command, arguments)
    finally:
        s.close()


def read_ppm(path):
    data = open(path, "rb").read()
    fields, pos = [], 0
    # P6 WIDTH HEIGHT MAXVAL, separated by whitespace, then the pixels.
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P6" and fields[3] == b"255", "a P6 PPM with 8-bit samples"
    w, h = int(fields[1]), int(fields[2])
    return w, h, data[pos + 1:pos + 1 + w * h * 3]


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "8-bit RGB(A), not interlaced"
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    bpp = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    out, prev, i = bytearray(), bytearray(stride), 0
    for _ in range(h):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        prev = line
        if bpp == 4:
            out += bytes(v for k, v in enumerate(line) if k % 4 != 3)
        else:
            out += line
    return w, h, bytes(out)


def read(path):
    return read_png(path) if path.endswith(".png") else read_ppm(path)


def turn(w, h, px, degrees):
    """The picture turned clockwise, as a rotated panel shows it."""
    for _ in range(degrees // 90):
        out = bytearray(len(px))
        # Pixel (x, y) goes to (h - 1 - y, x) of the h-wide result.
        for y in range(h):
            for x in range(w):
                i, o = (y * w + x) * 3, (x * h + (h - 1 - y)) * 3
                out[o:o + 3] = px[i:i + 3]
        w, h, px = h, w, bytes(out)
    return w, h, px


def same(a, b):
    wa, ha, pa = read(a)
    wb, hb, pb = read(b)
    if (wa, ha) != (wb, hb):
        return f"0 (sizes differ: {wa}x{ha} and {wb}x{hb})"
    # The panel's pixel format may keep fewer bits a channel than the
    # snapshot (RGB565: steps of 8); a colour within that is the same.
    agree = sum(
        1 for i in range(0, len(pa), 3)
        if abs(pa[i] - pb[i]) <= 8 and abs(pa[i + 1] - pb[i + 1]) <= 8 and abs(pa[i + 2] - pb[i + 2]) <= 8
    )
    return f"{agree / (wa * ha):.4f}"


def black(a):
    w, h, p = read(a)
    dark = sum(1 for i in range(0, len(p), 3) if p[i] < 8 and p[i + 1] < 8 and p[i + 2] < 8)
    return f"{dark / (w * h):.4f}"


def tile(a):
    """The middle of the first category tile of a home screen: the first
    row, from the top, with a white run that starts at the left margin
    and spans a third to a half of the width (the search field spans more,
    the header is blue); then down the tile's white left padding to its
    bottom."""
    w, h, p = read(a)
    white = lambda x, y: p[(y * w + x) * 3:(y * w + x) * 3 + 3] == b"\xff\xff\xff"
    for y in range(h):
        x = 0
        while x < w // 20 and not white(x, y):
            x += 1
        if x >= w // 20:
            continue
        end = x
        while end < w and white(end, y):
            end += 1
        if not w // 4 <= end - x <= w * 55 // 100:
            continue
        bottom = y
        while bottom < h and white(x + 5, bottom):
            bottom += 1
        if bottom - y >= 40:
            return f"{(x + end) // 2} {(y + bottom) // 2}"
    raise SystemExit(f"no category tile found in {a}")


def main(argv):
    if len(argv) >= 3 and argv[0] == "dump":
        # The virtio GPU (id=panel in boot-test.sh), not q35's default VGA
        # where the kernel's console is.
        qmp(argv[1], "screendump", {"filename": argv[2], "device": "panel"})
        return
    if len(argv) == 4 and argv[0] == "tap":
        return tap(argv[1], float(argv[2]), float(argv[3]))
    if argv and argv[0] == "ppm" and len(argv) in (3, 4):
        w, h, p = turn(*read(argv[1]), int(argv[3]) if len(argv) == 4 else 0)
        with open(argv[2], "wb") as f:
            f.write(b"P6\n%d %d\n255\n" % (w, h) + p)
        return
    if len(argv) == 2 and argv[0] == "size":
        w, h, _ = read(argv[1])
        print(f"{w}x{h}")
        return
    if len(argv) == 3 and argv[0] == "same":
        print(same(argv[1], argv[2]))
        return
    if len(argv) == 2 and argv[0] == "black":
        print(black(argv[1]))
        return
    if len(argv) == 2 and argv[0] == "tile":
        print(tile(argv[1]))
        return
    raise SystemExit(__doc__)


def tap(sock, x, y):
    # The screen's size, from a fresh screendump: the tablet's axes span it.
    with tempfile.TemporaryDirectory() as d:
        qmp(sock, "screendump", {"filename": f"{d}/size.ppm", "device": "panel"})
        w, h, _ = read_ppm(f"{d}/size.ppm")
    ax = round(x * 32767 / (w - 1))
    ay = round(y * 32767 / (h - 1))
    move = lambda x, y: [{"type": "abs", "data": {"axis": "x", "value": x}},
                         {"type": "abs", "data": {"axis": "y", "value": y}}]
    # To the tablet bound to the panel's console (boot-test.sh: display=panel):
    # without a console, QEMU gives each event to the first input handler of
    # its kind, and q35's PS/2 mouse takes the button events.
    send = lambda events: qmp(sock, "input-send-event", {"device": "panel", "events": events})
    # The finger lands beside the point and settles on it: the kernel drops
    # an axis value equal to the last one, and a kiosk started since that
    # last tap would see a button with no position.
    send(move(ax + 1 if ax < 32767 else ax - 1, ay))
    time.sleep(0.1)
    send(move(ax, ay))
    time.sleep(0.2)
    send([{"type": "btn", "data": {"down": True, "button": "left"}}])
    time.sleep(0.2)
    send([{"type": "btn", "data": {"down": False, "button": "left"}}])


if __name__ == "__main__":
    main(sys.argv[1:])
