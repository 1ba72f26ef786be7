"""The page in headless Chromium (Playwright): weight, first render, first event drawn, and the
longest main-thread task while a long run plays at speed max.

- page weight: the bytes of every response `/` and `/embed` load (Resource Timing's encoded body
  sizes, fresh context each), besides the vendored Socket.IO client, which is reported apart.
- first render: the First Contentful Paint of `/`.
- first event drawn: when the first row appears in the event log (a MutationObserver), with
  autoplay at speed max.
- longest task: the Long Tasks API's longest entry during playback of the long run (about 1.2 k
  events); it reports only tasks over 50 ms, so when there are none the figure is the longest gap
  a 4 ms heartbeat saw on the main thread (an upper bound of the longest task), and says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlparse

from .measure import Unavailable, rounded
from .server import Host, check_available
from .workload import LONG_RUN_FAILURES, LONG_RUN_MODE

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SOCKET_IO_CLIENT = "/socket.io"
WATCH = """
(() => {
  const w = (window.__bench = { longTasks: [], firstEvent: null, maxGap: 0, watching: false });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
  } catch (e) { w.noLongTaskApi = String(e); }
  new MutationObserver(() => {
    if (w.firstEvent === null) {
      const log = document.querySelector('[data-testid="event-log"]');
      if (log && log.children.length > 0) w.firstEvent = performance.now();
    }
  }).observe(document, { childList: true, subtree: true });
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (w.watching) w.maxGap = Math.max(w.maxGap, now - last - 4);
    last = now;
  }, 4);
})();
"""


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        raise Unavailable("Chromium is not installed (apt-get install -y chromium)")
    return path


def measure(quick: bool) -> dict[str, Any]:
    check_available()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise Unavailable(f"Playwright is not installed ({exc}): pip install -e '.[test]'") from exc
    executable = chromium_path()
    playback_timeout_s = 60 if quick else 180
    with tempfile.TemporaryDirectory(prefix="sagascope-bench-browser-") as tmp:
        host = Host("sagascope", Path(tmp)).wait_ready()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
                try:
                    weights = {p: page_weight(browser, host.url + p) for p in ("/", "/embed")}
                    playback = play_long_run(browser, host.url, playback_timeout_s)
                finally:
                    browser.close()
        finally:
            host.stop()
    page_kb = max(w["kb_without_socket_io"] for w in weights.values())
    out: dict[str, Any] = {
        "page_kb": rounded(page_kb),
        "page_kb_means": "the heavier of / and /embed, every response besides the Socket.IO client",
        "pages": weights,
        **playback,
    }
    return out


def page_weight(browser, url: str) -> dict[str, Any]:
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        entries = page.evaluate(
            """() => [...performance.getEntriesByType('navigation'),
                      ...performance.getEntriesByType('resource')]
                .map(e => [e.name, e.encodedBodySize || 0])"""
        )
    finally:
        context.close()
    sizes: dict[str, int] = {}
    for name, size in entries:  # a revalidated favicon shows up twice: count each URL once
        sizes[name] = max(size, sizes.get(name, 0))
    client = sum(size for name, size in sizes.items() if SOCKET_IO_CLIENT in urlparse(name).path)
    return {
        "kb_without_socket_io": rounded((sum(sizes.values()) - client) / 1024),
        "socket_io_client_kb": rounded(client / 1024),
        "responses": len(sizes),
    }


def play_long_run(browser, base: str, timeout_s: float) -> dict[str, Any]:
    query = urlencode(
        [("mode", LONG_RUN_MODE), ("seed", 1), ("speed", "max"), ("autoplay", 1)]
        + [("fail", spec) for spec in LONG_RUN_FAILURES]
    )
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.add_init_script(WATCH)
        page.goto(f"{base}/?{query}", wait_until="load")
        page.evaluate("() => { window.__bench.watching = true; }")
        began = time.monotonic()
        status = page.get_by_test_id("status")
        deadline = began + timeout_s
        finished = False
        while time.monotonic() < deadline:
            text = (status.text_content() or "").strip()
            if text.endswith(("completed", "compensated")):
                finished = True
                break
            time.sleep(0.25)
        played_s = time.monotonic() - began
        seen = page.evaluate(
            """() => ({
                fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
                firstEvent: window.__bench.firstEvent,
                longTasks: window.__bench.longTasks,
                maxGap: window.__bench.maxGap,
                noLongTaskApi: window.__bench.noLongTaskApi ?? null,
                rows: document.querySelector('[data-testid="event-log"]')?.children.length ?? 0,
            })"""
        )
    finally:
        context.close()
    out: dict[str, Any] = {
        "first_render_ms": rounded(seen["fcp"]),
        "first_event_drawn_ms": rounded(seen["firstEvent"]),
        "playback_events_drawn": seen["rows"],
        "playback_seconds": rounded(played_s),
        "long_tasks_over_50ms": len(seen["longTasks"]),
    }
    if seen["longTasks"]:
        out["longest_task_ms"] = rounded(max(seen["longTasks"]))
        out["longest_task_ms_means"] = "the Long Tasks API's longest entry during playback"
    else:
        out["longest_task_ms"] = rounded(seen["maxGap"])
        out["longest_task_ms_means"] = (
            "no task over 50 ms; the longest main-thread gap a 4 ms heartbeat saw (an upper bound)"
        )
    if not finished:
        out["playback_note"] = f"the run had not finished drawing after {timeout_s:g} s"
    for key, why in (("first_render_ms", "no first-contentful-paint entry"),
                     ("first_event_drawn_ms", "no event row appeared")):
        if out[key] is None:
            out[f"{key}_reason"] = why
    return out
