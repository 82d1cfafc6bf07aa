"""Open an HTML report in headless Chromium over the DevTools protocol: which charts rendered,
what the console and the browser log reported as errors, and a screenshot.

Chromium is the Debian package (`make chromium` installs it when missing). It runs with no
network access it needs: background networking and component updates are off, and a fresh
profile is used every time. Run as a script to take the README's screenshot:

    python tests/python/browser.py build/published/econ_index_report.html docs/report.png 1800
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import ClientConnection, connect

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1280,1000",
)
# Per chart element: its id, whether the page marked it rendered, and how many Vega mark groups
# its SVG holds (an empty or missing SVG is not a rendered chart).
CHARTS_JS = """JSON.stringify(Array.from(document.querySelectorAll('.chart')).map(e => ({
  id: e.id, rendered: e.dataset.rendered || null,
  marks: e.querySelectorAll('svg.marks g[class*="mark-"]').length})))"""


class BrowserError(RuntimeError):
    """Chromium is missing, did not start, or the page did not settle in time."""


@dataclass
class PageCheck:
    charts: list[dict[str, Any]]
    errors: list[str] = field(default_factory=list)

    @property
    def failed_charts(self) -> list[str]:
        return [c["id"] for c in self.charts if c["rendered"] != "true" or c["marks"] == 0]


class _Session:
    """One page target over the browser's DevTools websocket (flattened sessions)."""

    def __init__(self, socket: ClientConnection) -> None:
        self.socket = socket
        self.ids = itertools.count(1)
        self.session: str | None = None
        self.errors: list[str] = []

    def send(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        message_id = next(self.ids)
        message: dict[str, Any] = {"id": message_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        self.socket.send(json.dumps(message))
        while True:
            reply = json.loads(self.socket.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self._event(reply)

    def _event(self, event: dict[str, Any]) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.errors.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            description = details.get("exception", {}).get("description", details.get("text"))
            self.errors.append(f"uncaught: {description}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            self.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")


def _devtools_url(profile: Path, process: subprocess.Popen[bytes], timeout: float) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_file.is_file() and len(lines := port_file.read_text().split()) == 2:
            return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        if process.poll() is not None:
            raise BrowserError(f"chromium exited with {process.returncode} before listening")
        time.sleep(0.1)
    raise BrowserError("chromium did not open its DevTools port")


def open_report(
    html: Path, screenshot: Path, *, timeout: float = 90.0, top: int | None = None, scale: float = 1
) -> PageCheck:
    """Load ``html`` from disk, wait until every chart element is marked rendered or failed,
    and return the charts' state and every error. A screenshot goes to ``screenshot``: the full
    page, or its ``top`` pixels scaled by ``scale``."""
    binary = shutil.which("chromium")
    if binary is None:
        raise BrowserError("chromium is not installed: run `make chromium`")
    with tempfile.TemporaryDirectory(prefix="econ-index-chromium-") as profile:
        process = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            with connect(_devtools_url(Path(profile), process, timeout), max_size=None) as socket:
                page = _Session(socket)
                target = page.send("Target.createTarget", {"url": "about:blank"})["targetId"]
                page.session = page.send(
                    "Target.attachToTarget", {"targetId": target, "flatten": True}
                )["sessionId"]
                for domain in ("Runtime", "Log", "Page"):
                    page.send(f"{domain}.enable")
                page.send("Page.navigate", {"url": html.resolve().as_uri()})
                charts = _wait_for_charts(page, timeout)
                options: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
                if top is not None:
                    options["clip"] = {"x": 0, "y": 0, "width": 1280, "height": top, "scale": scale}
                shot = page.send("Page.captureScreenshot", options)
                screenshot.write_bytes(base64.b64decode(shot["data"]))
                return PageCheck(charts, page.errors)
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for_charts(page: _Session, timeout: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        state = page.send("Runtime.evaluate", {"expression": CHARTS_JS, "returnByValue": True})
        charts: list[dict[str, Any]] = json.loads(state["result"].get("value") or "[]")
        if charts and all(c["rendered"] is not None for c in charts):
            return charts
        if time.monotonic() > deadline:
            return charts  # the caller reports the charts that never settled
        time.sleep(0.25)


if __name__ == "__main__":
    # the README's screenshot: the top of the page at half size
    top = int(sys.argv[3]) if len(sys.argv) > 3 else None
    check = open_report(Path(sys.argv[1]), Path(sys.argv[2]), top=top, scale=0.5)
    print(json.dumps({"failed": check.failed_charts, "errors": check.errors}, indent=1))
    sys.exit(1 if check.failed_charts or check.errors else 0)
