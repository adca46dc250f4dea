#!/usr/bin/env python3
"""Development-level evaluation of `worker run-once` over a labelled article set.

    devsite.py --worker PATH/TO/worker [--mode token|webhook] [--no-rerun]
               [--summary-only] [--keep DIR] SET_DIR

SET_DIR is a labelled set in the corpus format (labels.json + articles/, see
shared/corpus/FORMAT.md). The tool builds a static news site from it in a temporary folder:
the articles split over 3-4 feeds (RSS 2.0 and Atom, by language, then by outlet), each item
dated from its label's `published` (no date where that is null). It serves the site with
`python3 -m http.server` on loopback, starts shared/tools/fakeslack.py (bot token or incoming
webhook), writes a config (fresh database, `alerts: max_age: 0`, private networks allowed) and
runs `worker run-once`, then once more, which must post nothing.

Every top-level alert and thread reply is mapped, through the article URL it links, to the
article's label and so to its `development`. The report gives:

- developments alerted / developments with a headline (labelled non-empty `development`);
- developments posted more than once at top level, with the stages posted: an alert whose
  stage is a step forward from the latest alerted one (announced -> testing -> launched ->
  expanded, halted from any, any after halted) counts as a step, any other as a duplicate;
- top-level alerts matching no development, with the article id;
- threads N/M: of the M alerted developments with further coverage, N have every other
  article of theirs as a reply in one of their own alerts' threads (bot token only);
- posts made by the second run.

The last line is a one-line summary. The exit code is 0 when the measurement was made
(whatever it found), 1 when the site, Slack stand-in or worker could not be run, 2 for bad
input.
"""
import argparse
import datetime
import html
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from xml.sax.saxutils import escape as xml_escape

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "xoxb-devsite-secret"
WEBHOOK_PATH = "/webhook/T0DEVSITE/B0DEVSITE/devsite-secret"
SECRETS = (TOKEN, "devsite-secret")
STAGES = ("announced", "testing", "launched", "expanded", "halted")
CLEAN_ENV = ("SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_WEBHOOK_URL", "WORKER_DATABASE", "WORKER_CONFIG")


class SetupError(Exception):
    """Something the measurement needs could not be started or read."""


# ---- the labelled set ------------------------------------------------------------------------

def load_labels(set_dir):
    path = os.path.join(set_dir, "labels.json")
    try:
        with open(path, encoding="utf-8") as f:
            labels = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(f"{path}: {e}") from e
    if not isinstance(labels, list):
        raise ValueError(f"{path}: want a JSON array of labels")
    seen = set()
    for i, l in enumerate(labels):
        for key in ("id", "file", "lang", "url", "title"):
            if not isinstance(l.get(key), str) or not l[key]:
                raise ValueError(f"{path}: labels[{i}]: `{key}` is missing or empty")
        if l["id"] in seen:
            raise ValueError(f"{path}: labels[{i}]: id {l['id']} appears twice")
        seen.add(l["id"])
        if not os.path.isfile(os.path.join(set_dir, l["file"])):
            raise ValueError(f"{path}: labels[{i}] ({l['id']}): file {l['file']} does not exist")
        pub = l.get("published")
        if pub is not None and pub_time(pub) is None:
            raise ValueError(f"{path}: labels[{i}] ({l['id']}): published {pub!r} is not YYYY-MM-DD or RFC 3339")
    return labels


def pub_time(value):
    """A label's `published` as an aware datetime (a bare day is 09:00 +08:00), or None."""
    if not value:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            d = datetime.date.fromisoformat(value)
            return datetime.datetime(d.year, d.month, d.day, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
        t = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return t if t.tzinfo else t.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
    except ValueError:
        return None


def outlet(label):
    return urllib.parse.urlparse(label["url"]).netloc.lower() or label["id"]


# ---- the news site ---------------------------------------------------------------------------

def plan_feeds(labels):
    """Split the articles over 3-4 feeds: one group per language (all but the two largest
    languages join the second), each split by outlet into feeds of about equal size."""
    by_lang = {}
    for l in labels:
        by_lang.setdefault(l["lang"], []).append(l)
    langs = sorted(by_lang, key=lambda k: (-len(by_lang[k]), k))
    groups = [(langs[0], by_lang[langs[0]])]
    if len(langs) > 1:
        rest = [l for k in langs[1:] for l in by_lang[k]]
        groups.append((langs[1] if len(langs) == 2 else "other", rest))
    per_group = 2 if len(groups) == 2 else 3
    feeds = []
    for lang, items in groups:
        for part in split_by_outlet(items, per_group):
            fmt = "rss" if len(feeds) % 2 == 0 else "atom"
            name = f"{lang}-{len([f for f in feeds if f['lang'] == lang]) + 1}"
            feeds.append({"name": name, "lang": lang, "format": fmt, "items": part})
    return feeds


def split_by_outlet(items, n):
    """Outlets, largest first, each into the smallest of n parts; empty parts are dropped."""
    by_outlet = {}
    for l in items:
        by_outlet.setdefault(outlet(l), []).append(l)
    parts = [[] for _ in range(n)]
    for host in sorted(by_outlet, key=lambda h: (-len(by_outlet[h]), h)):
        min(parts, key=len).extend(by_outlet[host])
    return [p for p in parts if p]


def newest_first(items):
    """Dated items newest first, then the undated ones, by id."""
    dated = sorted((l for l in items if pub_time(l.get("published"))),
                   key=lambda l: (pub_time(l["published"]), l["id"]), reverse=True)
    return dated + sorted((l for l in items if not pub_time(l.get("published"))), key=lambda l: l["id"])


def article_url(base, label):
    return base + "/" + urllib.parse.quote(label["file"].lstrip("/"))


def render_rss(feed, base):
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<rss version="2.0">', "<channel>",
           f"<title>{xml_escape(feed['name'])} news</title>", f"<link>{base}/</link>",
           f"<description>Articles in {xml_escape(feed['lang'])}</description>",
           f"<language>{xml_escape(feed['lang'])}</language>"]
    for l in newest_first(feed["items"]):
        u = xml_escape(article_url(base, l))
        out += ["<item>", f"<title>{xml_escape(l['title'])}</title>", f"<link>{u}</link>",
                f'<guid isPermaLink="true">{u}</guid>']
        t = pub_time(l.get("published"))
        if t:
            out.append(f"<pubDate>{t.strftime('%a, %d %b %Y %H:%M:%S %z')}</pubDate>")
        out.append("</item>")
    out += ["</channel>", "</rss>", ""]
    return "\n".join(out)


def render_atom(feed, base):
    times = [pub_time(l.get("published")) for l in feed["items"]]
    updated = max((t for t in times if t), default=datetime.datetime(2000, 1, 1, tzinfo=datetime.timezone.utc))
    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
           f"<title>{xml_escape(feed['name'])} news</title>", f'<link href="{base}/"/>',
           f"<id>{base}/feeds/{feed['name']}</id>", f"<updated>{updated.isoformat()}</updated>"]
    for l in newest_first(feed["items"]):
        u = xml_escape(article_url(base, l), {'"': "&quot;"})
        out += ["<entry>", f"<title>{xml_escape(l['title'])}</title>", f'<link rel="alternate" href="{u}"/>',
                f"<id>{u}</id>"]
        t = pub_time(l.get("published"))
        if t:
            out += [f"<published>{t.isoformat()}</published>", f"<updated>{t.isoformat()}</updated>"]
        out.append("</entry>")
    out += ["</feed>", ""]
    return "\n".join(out)


def build_site(root, set_dir, feeds, base):
    """Writes the feeds under root/feeds and links the set's article folders into root, so the
    pages are served in place. Returns the feed paths, in order."""
    os.makedirs(os.path.join(root, "feeds"), exist_ok=True)
    tops = set()
    for l in (l for f in feeds for l in f["items"]):
        parts = l["file"].lstrip("/").split("/")
        if len(parts) < 2 or parts[0] in ("feeds", "..", "."):
            raise ValueError(f"{set_dir}: {l['id']}: file {l['file']} must be inside a folder such as articles/")
        tops.add(parts[0])
    for top in sorted(tops):
        os.symlink(os.path.join(set_dir, top), os.path.join(root, top))
    paths = []
    for f in feeds:
        ext = "xml" if f["format"] == "rss" else "atom"
        rel = f"feeds/{f['name']}.{ext}"
        body = render_rss(f, base) if f["format"] == "rss" else render_atom(f, base)
        with open(os.path.join(root, rel), "w", encoding="utf-8") as fh:
            fh.write(body)
        paths.append(rel)
    return paths


# ---- servers and runs ------------------------------------------------------------------------

def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def wait_port(port, secs=10):
    end = time.time() + secs
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def find_fakeslack(given):
    cands = [given] if given else []
    if os.environ.get("WORKER_SHARED"):
        cands.append(os.path.join(os.environ["WORKER_SHARED"], "tools", "fakeslack.py"))
    cands.append(os.path.join(HERE, "..", "..", "shared", "tools", "fakeslack.py"))
    for c in cands:
        if os.path.isfile(c):
            return os.path.abspath(c)
    raise SetupError("fakeslack.py not found: pass --fakeslack or set WORKER_SHARED")


def write_config(tmp, mode, slack_port, site_base, feed_paths, feeds):
    if mode == "token":
        slack = (f"slack:\n  token: {TOKEN}\n  channel: C0DEVSITE\n"
                 f"  api_url: http://127.0.0.1:{slack_port}/api/\n")
    else:
        slack = f"slack:\n  webhook_url: http://127.0.0.1:{slack_port}{WEBHOOK_PATH}\n"
    sources = "".join(f"  - name: devsite-{f['name']}\n    url: {site_base}/{p}\n    type: feed\n"
                      for f, p in zip(feeds, feed_paths))
    cfg = (f"database: {tmp}/worker.db\nschedule: \"@every 1h\"\ntimezone: Asia/Shanghai\n{slack}"
           "http:\n  allow_private_networks: true\n  timeout: 10s\n  per_host_rate: 0\n  per_host_concurrency: 4\n"
           f"alerts:\n  max_age: 0\nsources:\n{sources}")
    path = os.path.join(tmp, "worker.yaml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(cfg)
    return path


def run_worker(worker, cfg, log_path, timeout):
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
    try:
        r = subprocess.run([worker, "run-once", "--config", cfg], capture_output=True, text=True,
                           timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SetupError(f"worker run-once: {e}") from e
    with open(log_path, "w", encoding="utf-8") as f:
        f.write(r.stdout + "\n--- stderr ---\n" + r.stderr)
    return r


def slack_calls(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/calls", timeout=10) as resp:
            return json.load(resp)
    except (OSError, ValueError) as e:
        raise SetupError(f"fakeslack /calls: {e}") from e


def stop(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---- reading what was posted -----------------------------------------------------------------

def posted(calls):
    """Messages the channel holds: successful chat.postMessage calls and webhook posts, each
    {"params", "ts"} (ts None for a webhook)."""
    out = []
    for c in calls:
        if c.get("injected"):
            continue
        res = c.get("result")
        if c["path"].endswith("chat.postMessage") and isinstance(res, dict) and res.get("ok"):
            out.append({"params": c["params"], "ts": res.get("ts")})
        elif c["path"].startswith("/webhook") and res == "ok":
            out.append({"params": c["params"], "ts": None})
    return out


def rejected(calls):
    return [c for c in calls if not c.get("injected") and
            ((isinstance(c.get("result"), dict) and not c["result"].get("ok")
              and c["path"].endswith("chat.postMessage")) or c.get("result") == "invalid_payload")]


LINK = re.compile(r"<(https?://[^|>\s]+)\|")


def linked_url(params):
    """The article URL a message links: the first mrkdwn link of its fallback text (see
    alerts/render.go: the alert's header is plain text, the outlet is escaped), else of its
    first section."""
    texts = [params.get("text") or ""]
    for b in params.get("blocks") or []:
        if isinstance(b, dict) and isinstance(b.get("text"), dict):
            texts.append(b["text"].get("text") or "")
    for t in texts:
        m = LINK.search(t)
        if m:
            return html.unescape(m.group(1))
    return None


def header_of(params):
    """An alert's header ("Taobao × WeChat Pay: payment launched"), else its fallback text's."""
    for b in params.get("blocks") or []:
        if isinstance(b, dict) and b.get("type") == "header" and isinstance(b.get("text"), dict):
            return b["text"].get("text") or ""
    return (params.get("text") or "").split(" — ")[0]


def header_stage(params):
    """The stage an alert states: the last word of its header."""
    word = header_of(params).rsplit(" ", 1)[-1]
    return word if word in STAGES else "?"


def header_kind_stage(params):
    """What an alert says happened: "payment launched"."""
    return header_of(params).rsplit(": ", 1)[-1]


def is_marked_step(params):
    """Whether the worker wrote the alert as a later step ("Now launched … first reported as")."""
    return "first reported as" in (params.get("text") or "")


class URLIndex:
    """Article URL (the site's or the label's canonical one) -> label."""

    def __init__(self, labels, site_base):
        self.by_key = {}
        for l in labels:
            self.by_key[self.key(article_url(site_base, l))] = l
            self.by_key.setdefault(self.key(l["url"]), l)
        self.site_host = urllib.parse.urlparse(site_base).netloc

    @staticmethod
    def key(u):
        p = urllib.parse.urlparse(u)
        return p.netloc.lower() + urllib.parse.unquote(p.path).rstrip("/")

    def label(self, u):
        return self.by_key.get(self.key(u)) if u else None


def forward(prev, stage):
    """The storyline rule's step forward, as the README states it."""
    if stage == "halted":
        return prev != "halted"
    if prev == "halted":
        return stage in STAGES
    order = STAGES[:4]
    return prev in order and stage in order and order.index(stage) > order.index(prev)


# ---- the evaluation --------------------------------------------------------------------------

def evaluate(labels, index, first, total, mode):
    devs = {}
    for l in labels:
        if l.get("development"):
            devs.setdefault(l["development"], []).append(l)
    top = [m for m in first if not m["params"].get("thread_ts")]
    replies = [m for m in first if m["params"].get("thread_ts")]
    for m in first:
        m["label"] = index.label(linked_url(m["params"]))
        m["url"] = linked_url(m["params"])

    alerts_of = {}
    unmatched = []
    for m in top:
        d = m["label"].get("development") if m["label"] else ""
        if d:
            alerts_of.setdefault(d, []).append(m)
        else:
            unmatched.append(m)

    multi = {}
    for d, ms in alerts_of.items():
        if len(ms) < 2:
            continue
        latest, steps, dups = header_stage(ms[0]["params"]), 0, 0
        for m in ms[1:]:
            st = header_stage(m["params"])
            if forward(latest, st):
                steps, latest = steps + 1, st
            else:
                dups += 1
        multi[d] = {"alerts": ms, "steps": steps, "duplicates": dups}

    threads = thread_coverage(devs, alerts_of, top, replies) if mode == "token" else None
    return {"devs": devs, "top": top, "replies": replies, "alerts_of": alerts_of, "multi": multi,
            "unmatched": unmatched, "threads": threads, "rerun": total[len(first):]}


def thread_coverage(devs, alerts_of, top, replies):
    """For each alerted development with more than one article: where its other articles went."""
    parent = {m["ts"]: m for m in top if m["ts"]}
    in_thread = {}
    misthreaded = []
    for r in replies:
        p = parent.get(r["params"].get("thread_ts"))
        pd = p["label"].get("development") if p and p["label"] else ""
        rd = r["label"].get("development") if r["label"] else ""
        if rd and rd == pd:
            in_thread.setdefault(rd, set()).add(r["label"]["id"])
        else:
            misthreaded.append((r, pd))
    wanted, full, gaps = 0, 0, {}
    for d, arts in devs.items():
        if len(arts) < 2 or d not in alerts_of:
            continue
        wanted += 1
        at_top = {m["label"]["id"] for m in alerts_of[d]}
        missing = [a["id"] for a in arts if a["id"] not in at_top and a["id"] not in in_thread.get(d, set())]
        if missing:
            gaps[d] = missing
        else:
            full += 1
    return {"wanted": wanted, "full": full, "gaps": gaps, "misthreaded": misthreaded}


def who(m):
    """The article id a message links, else its URL."""
    return m["label"]["id"] if m["label"] else (m["url"] or "no link")


def describe(m):
    head = re.sub(r"\s+", " ", header_of(m["params"]))[:120]
    return f"{who(m)}: {head}"


def where_posted(aid, res):
    for m in res["top"]:
        if m["label"] and m["label"]["id"] == aid:
            return "top-level"
    for m in res["replies"]:
        if m["label"] and m["label"]["id"] == aid:
            return "a thread of another development"
    return "not posted"


def print_detail(res, exits, n_rejected, leaked):
    print(f"runs exit codes: {exits}")
    print(f"top-level alerts: {len(res['top'])}; thread replies: {len(res['replies'])}; "
          f"rejected by Slack: {n_rejected}")
    missed = sorted(d for d in res["devs"] if d not in res["alerts_of"])
    if missed:
        print("developments not alerted: " + ", ".join(missed))
    if res["multi"]:
        print("developments posted more than once at top level:")
        for d in sorted(res["multi"]):
            x = res["multi"][d]
            stages = ", ".join(header_kind_stage(m["params"]) + (" (as a step)" if is_marked_step(m["params"]) else "")
                               + f" [{m['label']['id']}]" for m in x["alerts"])
            labelled = sorted({e.get("stage") for a in res["devs"][d] for e in a.get("headline") or []})
            print(f"  {d}: {stages} — steps {x['steps']} duplicates {x['duplicates']}; "
                  f"labelled stages: {', '.join(s for s in labelled if s)}")
    if res["unmatched"]:
        print("top-level alerts matching no development:")
        for m in res["unmatched"]:
            print("  " + describe(m))
    t = res["threads"]
    if t:
        for d in sorted(t["gaps"]):
            print(f"thread of {d} lacks: " +
                  ", ".join(f"{a} ({where_posted(a, res)})" for a in t["gaps"][d]))
        for r, pd in t["misthreaded"]:
            rd = (r["label"] or {}).get("development") or "no development"
            print(f"reply in the thread of {pd or 'an alert matching no development'}: {who(r)} ({rd})")
    if res["rerun"]:
        print(f"posted by the second run: {len(res['rerun'])}")
        for m in res["rerun"]:
            print("  " + re.sub(r"\s+", " ", m["params"].get("text") or "")[:140])
    if leaked:
        print("a Slack secret appeared in the worker's output")


def summary(name, mode, res, rerun_done, exits):
    devs = res["devs"]
    steps = sum(1 for x in res["multi"].values() if x["steps"])
    dups = sum(1 for x in res["multi"].values() if x["duplicates"])
    t = res["threads"]
    threads = f"{t['full']}/{t['wanted']}" if t else "n/a"
    rerun = str(len(res["rerun"])) if rerun_done else "n/a"
    return (f"{name} {mode}: developments {len(res['alerts_of'])}/{len(devs)} duplicates {dups} steps {steps} "
            f"false {len(res['unmatched'])} threads {threads} rerun_posts {rerun} "
            f"exit {','.join(str(c) for c in exits)}")


# ---- main ------------------------------------------------------------------------------------

def measure(a, set_dir, labels, tmp):
    site_port, slack_port = free_port(), free_port()
    base = f"http://127.0.0.1:{site_port}"
    feeds = plan_feeds(labels)
    root = os.path.join(tmp, "site")
    feed_paths = build_site(root, set_dir, feeds, base)
    procs = []
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "http.server", str(site_port), "--bind", "127.0.0.1",
                                       "--directory", root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        procs.append(subprocess.Popen([sys.executable, find_fakeslack(a.fakeslack), "--port", str(slack_port),
                                       "--log", os.path.join(tmp, "slack.jsonl"), "--token", TOKEN],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        if not (wait_port(site_port) and wait_port(slack_port)):
            raise SetupError("the news site or the Slack stand-in did not start")
        cfg = write_config(tmp, a.mode, slack_port, base, feed_paths, feeds)
        runs = [run_worker(a.worker, cfg, os.path.join(tmp, "run1.log"), a.timeout)]
        first = slack_calls(slack_port)
        total = first
        if not a.no_rerun:
            runs.append(run_worker(a.worker, cfg, os.path.join(tmp, "run2.log"), a.timeout))
            total = slack_calls(slack_port)
    finally:
        stop(procs)
    res = evaluate(labels, URLIndex(labels, base), posted(first), posted(total), a.mode)
    leaked = any(s in r.stdout + r.stderr for r in runs for s in SECRETS)
    return res, [r.returncode for r in runs], len(rejected(total)), leaked


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("set_dir", help="a labelled set: labels.json + articles/")
    ap.add_argument("--worker", required=True, help="the worker binary")
    ap.add_argument("--mode", choices=["token", "webhook"], default="token")
    ap.add_argument("--no-rerun", action="store_true", help="skip the second run")
    ap.add_argument("--summary-only", action="store_true", help="print only the summary line")
    ap.add_argument("--name", default="", help="the set's name in the summary (default: its folder name)")
    ap.add_argument("--fakeslack", default="", help="path of fakeslack.py (default: ../shared/tools/)")
    ap.add_argument("--timeout", type=int, default=300, help="seconds allowed for one run")
    ap.add_argument("--keep", default="", help="keep the site, config, database and logs in this folder")
    a = ap.parse_args()

    set_dir = os.path.abspath(a.set_dir)
    try:
        labels = load_labels(set_dir)
    except ValueError as e:
        print(f"devsite: {e}", file=sys.stderr)
        return 2
    if not os.access(a.worker, os.X_OK):
        print(f"devsite: --worker {a.worker}: not an executable file", file=sys.stderr)
        return 2
    a.worker = os.path.abspath(a.worker)
    if a.keep and os.path.exists(a.keep) and os.listdir(a.keep):
        print(f"devsite: --keep {a.keep}: the folder is not empty", file=sys.stderr)
        return 2
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    tmp = os.path.abspath(a.keep) if a.keep else tempfile.mkdtemp(prefix="devsite-")
    try:
        res, exits, n_rejected, leaked = measure(a, set_dir, labels, tmp)
    except (SetupError, ValueError, OSError) as e:
        print(f"devsite: {e} (files in {tmp})", file=sys.stderr)
        return 1
    if not a.summary_only:
        print_detail(res, exits, n_rejected, leaked)
        if a.keep:
            print(f"files: {tmp}")
    if not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    print(summary(a.name or os.path.basename(set_dir.rstrip("/")), a.mode, res, not a.no_rerun, exits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
