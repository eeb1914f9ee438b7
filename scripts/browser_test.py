#!/usr/bin/env python3
"""Browser tests for `pagetree view`: open each generated HTML file in headless Chromium and
check what a person sees, through the DevTools protocol (a minimal websocket client on
127.0.0.1, standard library only).

Usage: browser_test.py --bin PAGETREE --out DIR [--chromium PATH] INPUT...

For every INPUT: `pagetree view` writes DIR/<name>.view.html; `pagetree elements`, `chunks` and
`quality` give the expected figures, independently of the view. Checks:
  - the page loads with no script error and makes no request but file: and data: ones;
  - every page, scrolled into view, draws one box group per element with a drawable box;
  - clicking a box selects its element and highlights the markdown holding its md_range, and
    clicking a markdown block selects its element's box;
  - choosing a chunk draws its boxes on each of its pages;
  - clicking a table with findings (tables mode) lists exactly those findings;
and a screenshot of page 1 goes to DIR/<name>.page1.png. Prints a line per input with the
file size and the time until the first pages are drawn (performance mark
`pagetree-view-ready`). Exit status 1 when a check fails.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, masked when sent."""

    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        if host not in ("127.0.0.1", "localhost"):
            raise RuntimeError(f"refusing a non-local DevTools endpoint: {url}")
        self.sock = socket.create_connection((host, port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            b = self.sock.recv(1)
            if not b:
                raise RuntimeError("DevTools closed the connection during the handshake")
            head += b
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"websocket handshake refused: {head!r}")

    def _read(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            buf += chunk
        return bytes(buf)

    def _frame(self, op, data):
        mask = os.urandom(4)
        head = bytearray([0x80 | op])
        n = len(data)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126)
            head += struct.pack(">H", n)
        else:
            head.append(0x80 | 127)
            head += struct.pack(">Q", n)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(data))
        self.sock.sendall(bytes(head) + mask + masked)

    def send(self, text):
        self._frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
            if op == 0x9:
                self._frame(0xA, payload)
                continue
            if op == 0x8:
                raise RuntimeError("DevTools closed the websocket")
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    """Headless Chromium on a temporary profile, driven over one page target."""

    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="pagetree-chromium-")
        self.proc = subprocess.Popen(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-extensions",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "--window-size=1500,1000",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        url = None
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            m = re.search(r"DevTools listening on (ws://\S+)", line)
            if m:
                url = m.group(1)
                break
        if not url:
            self.close()
            raise RuntimeError("chromium did not print its DevTools address")
        port = re.match(r"ws://[^:/]+:(\d+)/", url).group(1)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []
        for domain in ("Page", "Runtime", "Network", "Log"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1500, "height": 1000, "deviceScaleFactor": 1, "mobile": False})

    def call(self, method, params=None):
        self.next_id += 1
        me = self.next_id
        self.ws.send(json.dumps({"id": me, "method": method, "params": params or {}}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == me:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def eval(self, expr, wait=False):
        r = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                           "awaitPromise": wait})
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expr, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if self.eval(expr):
                    return
            except RuntimeError:
                pass  # the document may not exist yet while navigating
            time.sleep(0.02)
        raise RuntimeError(f"timed out waiting for {expr}")

    def click(self, x, y):
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": x, "y": y, "button": "left", "clickCount": 1})

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def run(cmd):
    r = subprocess.run(cmd, capture_output=True)
    if r.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout


def expected(bin_, path):
    els = json.loads(run([bin_, "elements", path]))
    chunks = [json.loads(l) for l in run([bin_, "chunks", path]).splitlines() if l.strip()]
    quality = json.loads(run([bin_, "quality", "--format", "json", path]).splitlines()[0])
    return els, chunks, quality


def drawable(b):
    return all(b.get(k) is not None for k in ("x", "y", "w", "h"))


# A point of an element's box where the element itself receives the click, or null.
POINT_OF = """(() => {
  const g = document.querySelector('#page-%s g.el[data-id="%s"]');
  if (!g) return null;
  for (const r of g.querySelectorAll('rect')) {
    const c = r.getBoundingClientRect();
    for (const [fx, fy] of [[.5,.5],[.1,.2],[.9,.8],[.2,.8],[.8,.2],[.02,.5],[.5,.02],[.98,.5],[.5,.98]]) {
      const x = c.left + c.width * fx, y = c.top + c.height * fy;
      const hit = document.elementFromPoint(x, y);
      if (hit && hit.closest('g.el') === g) return [x, y];
    }
  }
  return null;
})()"""


SCROLL_ALL = """(async () => {
  const out = {};
  for (const s of document.querySelectorAll('section.page')) {
    s.scrollIntoView();
    for (let i = 0; i < 200 && !s.hasAttribute('data-drawn'); i++)
      await new Promise(r => setTimeout(r, 10));
    out[s.dataset.page] = s.hasAttribute('data-drawn') ? s.querySelectorAll('svg g.el').length : -1;
  }
  window.scrollTo(0, 0);
  return out;
})()"""


def check_file(b, bin_, src, out_dir, failures):
    name = os.path.splitext(os.path.basename(src))[0]
    html = os.path.join(out_dir, f"{name}.view.html")
    if os.path.exists(html):
        os.remove(html)
    r = subprocess.run([bin_, "view", src, "-o", html], capture_output=True)
    if not os.path.exists(html):
        # Inputs no command reads (not a parse result) must fail alike, with their error.
        e = subprocess.run([bin_, "elements", src], capture_output=True)
        if r.returncode != 0 and e.returncode != 0 and r.stderr == e.stderr:
            return None
        raise RuntimeError(f"view wrote nothing: {r.stderr.decode(errors='replace')}")
    size = os.path.getsize(html)
    els, chunks, quality = expected(bin_, src)
    fail = lambda what: failures.append(f"{name}: {what}")

    b.events.clear()
    b.call("Page.navigate", {"url": "file://" + os.path.abspath(html)})
    b.wait_for("document.documentElement.getAttribute('data-ready') === '1'", timeout=60)
    ready_ms = b.eval("performance.getEntriesByName('pagetree-view-ready')[0].startTime")

    # Boxes drawn per page.
    want = {}
    for p in els["pages"]:
        want[str(p["page"])] = 0
    for e in els["elements"]:
        if any(drawable(x) for x in e["boxes"]):
            want[str(e["page"])] = want.get(str(e["page"]), 0) + 1
    got = b.eval(SCROLL_ALL, wait=True)
    for page, n in want.items():
        g = got.get(page)
        failed_page = any(p["status"] == "failed" and str(p["page"]) == page for p in els["pages"])
        if failed_page and n == 0 and g in (0, None):
            continue
        if g != n:
            fail(f"page {page}: {g} box groups drawn, {n} elements with boxes")

    # Clicking a box highlights its markdown: the first element of the first page with a box
    # that can be pointed at (smaller boxes may cover a larger one entirely).
    candidates = [e for e in els["elements"] if e["md_range"] and any(drawable(x) for x in e["boxes"])]
    candidates.sort(key=lambda e: (e["page"], e["furniture"] is not None, e["order"]))
    target, pt = None, None
    for e in candidates[:40]:
        if target and e["page"] != target["page"]:
            break
        b.eval(f"document.getElementById('page-{e['page']}').scrollIntoView(); window.scrollBy(0, -90)")
        b.wait_for(f"document.getElementById('page-{e['page']}').hasAttribute('data-drawn')")
        target = e
        pt = b.eval(POINT_OF % (e["page"], e["id"]))
        if pt:
            break
    if target and not pt:
        fail(f"page {target['page']}: no element's box can be pointed at")
    elif target:
        b.click(pt[0], pt[1])
        sel = b.eval("""(() => { const n = document.querySelector('.md .sel');
          const g = document.querySelector('g.el.sel');
          return [n && +n.dataset.a, n && +n.dataset.b, g && g.dataset.id,
                  document.getElementById('side').textContent]; })()""")
        a, z = target["md_range"]["bytes"]
        if sel[2] != target["id"]:
            fail(f"clicking {target['id']} selected {sel[2]}")
        elif sel[0] is None or not (sel[0] <= a and z <= sel[1]):
            fail(f"clicking {target['id']} highlighted markdown {sel[0]}..{sel[1]}, want one holding {a}..{z}")
        elif target["id"] not in sel[3]:
            fail(f"the side panel does not name {target['id']}")
        # And the other way: clicking a block of markdown selects its element's box.
        other = next((e for e in candidates if e["page"] == target["page"] and e["id"] != target["id"]
                      and e["depth"] == 0 and e["md_range"]["bytes"][1] > e["md_range"]["bytes"][0]), None)
        if other:
            a = other["md_range"]["bytes"][0]
            pt = b.eval(f"""(() => {{
              const n = document.querySelector('#page-{other['page']} .md .seg[data-a="{a}"]');
              if (!n) return null;
              n.scrollIntoView({{block: 'center'}});
              const c = n.getBoundingClientRect();
              return [c.left + Math.min(20, c.width / 2), c.top + Math.min(8, c.height / 2)]; }})()""")
            if pt is None:
                fail(f"{other['id']}: no markdown block starts at its md_range ({a})")
            else:
                b.click(pt[0], pt[1])
                got_sel = b.eval("(() => { const g = document.querySelector('g.el.sel'); return g && g.dataset.id; })()")
                if got_sel != other["id"]:
                    fail(f"clicking the markdown of {other['id']} selected {got_sel}")
    # Chunks: pick one with boxes, its boxes light up on each of its pages.
    chunk = next((i for i, c in enumerate(chunks)
                  if any(drawable(x) for pb in c["metadata"]["page_boxes"] for x in pb["boxes"])), None)
    if chunk is not None:
        b.eval("document.querySelector('#modes button[data-mode=chunks]').scrollIntoView()")
        r = b.eval("(() => { const c = document.querySelector('#modes button[data-mode=chunks]').getBoundingClientRect(); return [c.left + c.width/2, c.top + c.height/2]; })()")
        b.click(r[0], r[1])
        r = b.eval(f"""(() => {{ const li = document.querySelector('#chunk-list li[data-chunk="{chunk}"]');
          li.scrollIntoView({{block: 'center'}}); const c = li.getBoundingClientRect(); return [c.left + 20, c.top + c.height/2]; }})()""")
        b.click(r[0], r[1])
        for pb in chunks[chunk]["metadata"]["page_boxes"]:
            n = sum(1 for x in pb["boxes"] if drawable(x))
            b.eval(f"document.getElementById('page-{pb['page']}').scrollIntoView()")
            b.wait_for(f"document.getElementById('page-{pb['page']}').hasAttribute('data-drawn')")
            g = b.eval(f"document.querySelectorAll('#page-{pb['page']} .cbox').length")
            if g != n:
                fail(f"chunk {chunk}: page {pb['page']} lights {g} boxes, the chunk cites {n}")
    # Tables: a flagged table shows its findings when its box is clicked.
    flagged = next((t for t in quality["tables"] if t["findings"]), None)
    if flagged:
        el = next((e for e in els["elements"] if (e.get("table") or {}).get("id") == flagged["id"]), None)
        b.eval("window.scrollTo(0,0)")
        r = b.eval("(() => { const c = document.querySelector('#modes button[data-mode=tables]').getBoundingClientRect(); return [c.left + c.width/2, c.top + c.height/2]; })()")
        b.click(r[0], r[1])
        clicked = False
        if el and any(drawable(x) for x in el["boxes"]):
            b.eval(f"document.getElementById('page-{el['page']}').scrollIntoView(); window.scrollBy(0, -90)")
            b.wait_for(f"document.getElementById('page-{el['page']}').hasAttribute('data-drawn')")
            pt = b.eval(POINT_OF % (el["page"], el["id"]))
            if pt:
                b.click(pt[0], pt[1])
                clicked = True
        if not clicked:
            r = b.eval(f"""(() => {{ const li = document.querySelector('#table-list li[data-table="{flagged['id']}"]');
              li.scrollIntoView({{block: 'center'}}); const c = li.getBoundingClientRect(); return [c.left + 20, c.top + c.height/2]; }})()""")
            b.click(r[0], r[1])
        shown = b.eval("Array.from(document.querySelectorAll('#table-details .finding code')).map(c => c.textContent)")
        want_checks = [f["check"] for f in flagged["findings"]]
        if shown != want_checks:
            fail(f"table {flagged['id']}: findings shown {shown}, report has {want_checks}")
    # Nothing went wrong on the way, and nothing was fetched.
    errors = [e for e in b.events if e["method"] == "Runtime.exceptionThrown"
              or (e["method"] == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")]
    for e in errors[:3]:
        fail(f"browser error: {json.dumps(e['params'])[:300]}")
    fetched = [e["params"]["request"]["url"] for e in b.events if e["method"] == "Network.requestWillBeSent"]
    remote = [u for u in fetched if not u.startswith(("file:", "data:"))]
    if remote:
        fail(f"requests outside the file: {remote[:3]}")
    # Screenshot of page 1 (elements mode, the clicked element still selected), for review.
    b.eval("document.querySelector('#modes button[data-mode=elements]').click(); window.scrollTo(0, 0)")
    b.call("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 5, "y": 995})
    clip = b.eval("""(() => { const s = document.querySelector('section.page'); const c = s.getBoundingClientRect();
      return {x: 0, y: 0, width: Math.min(1500, c.right + 20), height: Math.min(c.bottom + 16, 4000), scale: 1}; })()""")
    shot = b.call("Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True})
    png = os.path.join(out_dir, f"{name}.page1.png")
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    return size, ready_ms, len(els["pages"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    ap.add_argument("--max-ready-ms", type=float, default=2000.0)
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    failures = []
    b = Browser(a.chromium)
    try:
        print(f"{'input':<72} {'pages':>5} {'html':>10} {'ready':>8}")
        for src in a.inputs:
            before = len(failures)
            try:
                result = check_file(b, a.bin, src, a.out, failures)
                if result is None:
                    print(f"{os.path.basename(src):<72} not a parse result (rejected as by elements)")
                    continue
                size, ready, pages = result
            except Exception as e:  # a broken page must not stop the other inputs
                failures.append(f"{os.path.basename(src)}: {e}")
                print(f"{os.path.basename(src):<72} FAILED")
                continue
            if ready > a.max_ready_ms:
                failures.append(f"{os.path.basename(src)}: ready after {ready:.0f} ms (limit {a.max_ready_ms:.0f})")
            mark = "" if len(failures) == before else "  FAILED"
            print(f"{os.path.basename(src):<72} {pages:>5} {size/1024:>8.0f}KB {ready:>6.0f}ms{mark}", flush=True)
    finally:
        b.close()
    for f in failures:
        print("FAIL:", f)
    print(f"{len(a.inputs)} inputs, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
