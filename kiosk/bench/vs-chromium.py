#!/usr/bin/env python3
"""The kiosk against what regions install today: a Chromium kiosk showing an
equivalent HTML page of the same service. Both draw the service screen at
the same size with no display (the kiosk's `snapshot`, Chromium's
`--headless --screenshot`), from process start to the picture on disk.

Measured per run: time to first frame (start to picture written) and peak
resident memory of the whole process tree (Chromium runs several
processes; their RSS is summed, sampled every 5 ms). Prints the medians of
RUNS runs, side by side, and the ratios the kiosk must meet (a tenth of
Chromium's memory, a fifth of its time to first frame).

    kiosk/bench/vs-chromium.py [--kiosk PATH] [--service ID] [--size WxH] [--runs N]
"""

import argparse
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def tree_rss_kib(root_pid):
    """Resident memory of a process and all its descendants, in KiB."""
    children = {}
    rss = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss[int(entry)] = int(line.split()[1])
                        break
            children.setdefault(ppid, []).append(int(entry))
        except (OSError, ValueError):
            continue
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def measure(cmd, out, env=None):
    """Runs cmd until it exits; returns (seconds until `out` exists, peak KiB)."""
    if os.path.exists(out):
        os.remove(out)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    peak, first_frame = 0, None
    while True:
        peak = max(peak, tree_rss_kib(proc.pid))
        if first_frame is None and os.path.exists(out) and os.path.getsize(out) > 0:
            first_frame = time.perf_counter() - start
        if proc.poll() is not None:
            break
        time.sleep(0.005)
    if first_frame is None and os.path.exists(out):
        first_frame = time.perf_counter() - start
    if proc.returncode != 0 or first_frame is None:
        sys.exit(f"vs-chromium: {cmd[0]} failed (exit {proc.returncode}); run it by hand to see why")
    return first_frame, peak


def service_html(bundle, service_id, lang):
    """The same service as the kiosk's screen, as a region's web kiosk page
    would show it: plain HTML and CSS, no scripts."""
    s = next(x for x in bundle["services"] if x["id"] == service_id)
    t = lambda text: html.escape((text or {}).get(lang) or (text or {}).get("id", ""))
    office = next((o for o in bundle["offices"] if o["id"] == s.get("office")), None)
    fee = s.get("fee")
    fee_text = "Gratis" if fee and fee["amount"] == 0 else (f"Rp {fee['amount']:,}".replace(",", ".") if fee else "-")
    items = "".join(f"<li>{t(r)}</li>" for r in s["requirements"])
    steps = "".join(f"<li>{t(p)}</li>" for p in s["procedure"])
    return f"""<!doctype html><html lang="{lang}"><meta charset="utf-8">
<style>
body{{margin:0;font-family:'Noto Sans',sans-serif;background:#eef2f5;color:#17202a}}
header{{background:#0a4f96;color:#fff;padding:14px 20px;font-size:24px;font-weight:bold}}
main{{display:flex;gap:20px;padding:20px}} section{{flex:1}} aside{{width:30%}}
h1{{font-size:32px}} h2{{color:#0a4f96;font-size:24px;margin-bottom:4px}} p,li{{font-size:20px}}
.card{{background:#fff;border:1px solid #c3ccd5;border-radius:10px;padding:16px}}
button{{font-size:22px;padding:16px;width:48%;border-radius:10px}}
</style>
<header>{t(next(c for c in bundle['categories'] if c['id'] == s['category'])['name'])}</header>
<main><section>
<h1>{t(s['name'])}</h1><p>{t(s.get('summary'))}</p>
<h2>Persyaratan</h2><ul>{items}</ul><h2>Prosedur</h2><ol>{steps}</ol>
<h2>Jangka waktu</h2><p>{t(s.get('duration'))}</p><h2>Biaya</h2><p><b>{fee_text}</b></p>
<h2>Produk layanan</h2><p>{t(s.get('product'))}</p><h2>Pengaduan</h2><p>{t(s.get('complaints'))}</p>
<div class="card"><h2>Tempat pelayanan</h2><p><b>{t(office['name']) if office else ''}</b><br>{html.escape(office['address']) if office else ''}</p></div>
</section><aside><div class="card"><p><b>Lanjutkan di ponsel</b></p>
<p>{html.escape(s.get('online_url', ''))}</p></div><p><button>Cetak</button> <button>Survei</button></p></aside></main>
</html>"""


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--kiosk", default=os.path.join(root, "target/release/anjungan-kiosk"))
    p.add_argument("--anjungan", default=os.path.join(root, "target/release/anjungan"))
    p.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    p.add_argument("--service", default="ktp-el-baru")
    p.add_argument("--size", default="1280x800")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    for prog in (a.kiosk, a.anjungan):
        if not os.access(prog, os.X_OK):
            sys.exit(f"vs-chromium: {prog} is missing; build it with `cargo build --release -p kiosk -p anjungan`")
    if not shutil.which(a.chromium):
        sys.exit("vs-chromium: chromium is not installed; apt-get install chromium")
    width, height = a.size.split("x")

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HOME=tmp, ANJUNGAN_CONFIG=os.path.join(tmp, "none.toml"))
        with open(env["ANJUNGAN_CONFIG"], "w") as f:
            f.write(f'[device]\ndata_dir = "{tmp}/data"\n')
        bundle = json.loads(subprocess.run([a.anjungan, "catalog", "export"], env=env,
                                           check=True, capture_output=True).stdout)
        page = os.path.join(tmp, "service.html")
        with open(page, "w") as f:
            f.write(service_html(bundle, a.service, "id"))

        kiosk_png, chromium_png = os.path.join(tmp, "kiosk.png"), os.path.join(tmp, "chromium.png")
        kiosk_cmd = [a.kiosk, "snapshot", "--screen", f"service:{a.service}", "--lang", "id",
                     "--size", a.size, "--out", kiosk_png]
        chromium_cmd = [a.chromium, "--headless", "--no-sandbox", "--disable-gpu",
                        "--no-first-run", "--disable-extensions", "--hide-scrollbars",
                        f"--user-data-dir={tmp}/chromium-profile",
                        f"--window-size={width},{height}", f"--screenshot={chromium_png}",
                        "file://" + page]
        measure(kiosk_cmd, kiosk_png, env)  # warm the page cache for both
        measure(chromium_cmd, chromium_png, env)
        kiosk = [measure(kiosk_cmd, kiosk_png, env) for _ in range(a.runs)]
        chromium = [measure(chromium_cmd, chromium_png, env) for _ in range(a.runs)]

    k_time = statistics.median(t for t, _ in kiosk)
    c_time = statistics.median(t for t, _ in chromium)
    k_mem = statistics.median(m for _, m in kiosk) / 1024
    c_mem = statistics.median(m for _, m in chromium) / 1024
    version = subprocess.run([a.chromium, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"service {a.service} at {a.size}, median of {a.runs} runs; {version}")
    print()
    print(f"| {'':28} | {'anjungan-kiosk':>14} | {'chromium':>10} | {'kiosk / chromium':>16} | {'goal':>6} | {'met':>3} |")
    print(f"|{'-' * 30}|{'-' * 16}:|{'-' * 11}:|{'-' * 17}:|{'-' * 7}:|{'-' * 4}:|")
    for name, k, c, unit, goal in (
        ("time to first frame", k_time * 1000, c_time * 1000, "ms", 0.2),
        ("peak resident memory", k_mem, c_mem, "MiB", 0.1),
    ):
        ratio = k / c
        print(f"| {name:28} | {k:>10.0f} {unit:>3} | {c:>6.0f} {unit:>3} | {ratio:>16.3f} | {goal:>6} | {'yes' if ratio <= goal else 'no':>3} |")


if __name__ == "__main__":
    main()
