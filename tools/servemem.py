#!/usr/bin/env python3
"""Goroutines and memory of a real `worker serve` over time, on the shared load site.

    python3 tools/servemem.py --worker BIN [--sources 200] [--items 15] [--minutes 3.5]
                              [--every 15] [--schedule '@every 5s'] [--warm] [--dir DIR]

Generates the site of ../shared/tools/bench (SOURCES RSS feeds x ITEMS article pages, served by
its srv/ with Last-Modified), starts ../shared/tools/fakeslack.py as Slack, and runs
`BIN serve` on every feed at SCHEDULE. --warm records the site with one `BIN run-once` first,
so serve starts on a filled database. Every EVERY seconds it reads /metrics (go_goroutines,
process_resident_memory_bytes, heap in use, passes) and VmRSS from /proc, and prints one JSON
line; the samples are also written to DIR/samples.json. The last line compares the first and
the last sample.
"""
import argparse
import importlib.util
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("WORKER_SHARED", os.path.join(HERE, "..", "..", "shared"))
BENCH = os.path.join(SHARED, "tools", "bench")


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def load_bench():
    spec = importlib.util.spec_from_file_location("bench", os.path.join(BENCH, "bench.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def metrics(port):
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()

    def val(name):
        m = re.search(r"^" + re.escape(name) + r"(?:\{[^}]*\})? ([0-9.e+]+)$", body, re.M)
        return float(m.group(1)) if m else 0.0

    def total(name):
        return sum(float(x) for x in re.findall(r"^" + re.escape(name) + r"\{[^}]*\} ([0-9.e+]+)$", body, re.M))

    return {"goroutines": int(val("go_goroutines")),
            "rss_mb": round(val("process_resident_memory_bytes") / 2**20, 1),
            "heap_inuse_mb": round(val("go_memstats_heap_inuse_bytes") / 2**20, 1),
            "passes": int(val("worker_run_duration_seconds_count")),
            "fetches": int(total("worker_source_fetches_total")),
            "alerts_sent": int(total("worker_alerts_sent_total")),
            "pending": int(val("worker_outbox_pending"))}


def vmrss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--worker", required=True)
    ap.add_argument("--sources", type=int, default=200)
    ap.add_argument("--items", type=int, default=15)
    ap.add_argument("--minutes", type=float, default=3.5)
    ap.add_argument("--every", type=float, default=15)
    ap.add_argument("--schedule", default="@every 5s")
    ap.add_argument("--warm", action="store_true")
    ap.add_argument("--dir", default="")
    a = ap.parse_args()
    work = a.dir or tempfile.mkdtemp(prefix="servemem-")
    os.makedirs(work, exist_ok=True)
    site = os.path.join(work, "site")
    feeds = load_bench().make_site(site, a.sources, a.items)
    srv_bin = os.path.join(work, "srv")
    subprocess.run(["go", "build", "-o", srv_bin, "./srv"], cwd=BENCH, check=True)
    port, kport, lport = free_port(), free_port(), free_port()
    for root, _, files in os.walk(site):
        for f in files:
            if f == "feed.xml":
                p = os.path.join(root, f)
                body = open(p).read().replace("PORT", str(port))
                open(p, "w").write(body)
    procs = [subprocess.Popen([srv_bin, "-addr", f"127.0.0.1:{port}", "-dir", site]),
             subprocess.Popen([sys.executable, os.path.join(SHARED, "tools", "fakeslack.py"), "--port", str(kport),
                               "--token", "xoxb-b"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    time.sleep(1)
    db = os.path.join(work, "w.db")
    for suffix in ("", "-wal", "-shm", ".backup"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    cfg = (f"schedule: '{a.schedule}'\ndatabase: {db}\n"
           f"slack:\n  token: xoxb-b\n  channel: C0BENCH01\n  api_url: http://127.0.0.1:{kport}/api/\n"
           f"http:\n  allow_private_networks: true\n  per_host_concurrency: 8\n  per_host_rate: 0\n"
           f"alerts:\n  max_age: 0\nsources:\n" +
           "".join(f"  - name: s{i}\n    type: feed\n    url: http://127.0.0.1:{port}{f}\n" for i, f in enumerate(feeds)))
    cp = os.path.join(work, "w.yaml")
    open(cp, "w").write(cfg)
    log = open(os.path.join(work, "serve.log"), "w")
    samples = []
    try:
        if a.warm:
            r = subprocess.run([a.worker, "run-once", "--config", cp, "--log-format", "json"], stdout=log, stderr=log)
            print(f"warm-up run-once exit {r.returncode}", flush=True)
        serve = subprocess.Popen([a.worker, "serve", "--config", cp, "--listen", f"127.0.0.1:{lport}",
                                  "--log-format", "json"], stdout=log, stderr=log)
        procs.append(serve)
        deadline = time.time() + 30
        while True:
            try:
                metrics(lport)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        start = time.time()
        while time.time() - start <= a.minutes * 60:
            m = metrics(lport)
            m["t"] = round(time.time() - start)
            m["vmrss_mb"] = vmrss(serve.pid)
            samples.append(m)
            print(json.dumps(m), flush=True)
            time.sleep(a.every)
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            p.wait(timeout=15)
    json.dump(samples, open(os.path.join(work, "samples.json"), "w"), indent=1)
    first, last = samples[0], samples[-1]
    print(f"serve over {last['t']} s at {a.schedule}, {a.sources} feeds, {last['passes']} passes: goroutines "
          f"{first['goroutines']} -> {last['goroutines']}, RSS {first['vmrss_mb']} -> {last['vmrss_mb']} MB "
          f"(folder {work})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
