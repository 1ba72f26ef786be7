"""SagaScope installed for real: the wheel built from this checkout, `pip install`ed (not
editable) into a fresh venv, then `sagascope serve` run from a folder far from the checkout
serves `/`, `/embed` and every file they load, the Socket.IO client included."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.request
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from webapp.testing import free_port, wait_until

pytestmark = pytest.mark.install
ROOT = Path(__file__).resolve().parent.parent
PAGE_FOLDERS = ("templates", "static")
ES_IMPORT = re.compile(
    r"""(?:\bimport\s*\(\s*|\bimport\s+|\bfrom\s+)["']([^"']+\.m?js)["']""")
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)["']?\s*\)|@import\s+["']([^"']+)["']""")


@dataclass
class Installed:
    wheel: Path
    bin: Path
    home: Path


def checkout_files() -> list[str]:
    """What a clone of this checkout holds: tracked files and new ones not ignored."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    return [name for name in listed if name and (ROOT / name).is_file()]


def run(*args: str | Path, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=600,
                          **kwargs)
    assert done.returncode == 0, f"{args}: {done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """One wheel build and one fresh venv, shared by the tests here (about half a minute)."""
    top = tmp_path_factory.mktemp("install")
    source = top / "source"
    for name in checkout_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", top / "dist", source)
    wheel = next((top / "dist").glob("sagascope-*.whl"))
    run(sys.executable, "-m", "venv", top / "venv")
    run(top / "venv" / "bin" / "python", "-m", "pip", "install", "--quiet", wheel)
    home = top / "elsewhere"
    home.mkdir()
    return Installed(wheel, top / "venv" / "bin", home)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return {**env, **extra}


def test_the_wheel_holds_the_app_and_its_page_files_and_no_bench(installed):
    names = zipfile.ZipFile(installed.wheel).namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"saga_core", "webapp"}
    page_files = {name for name in checkout_files() if name.split("/")[0] in PAGE_FOLDERS}
    assert {n.removeprefix("webapp/") for n in names
            if n.split("/")[1:2] and n.split("/")[1] in PAGE_FOLDERS} == page_files
    assert "saga_core/event.schema.json" in names


def test_the_installed_package_runs_from_the_venv_not_the_checkout(installed):
    where = run(installed.bin / "python", "-c", "import webapp; print(webapp.__file__)",
                cwd=installed.home, env=clean_env()).stdout
    assert Path(where.strip()).is_relative_to(installed.bin.parent)


class Links(HTMLParser):
    """The URLs a page loads: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("script", "img", "source") and found.get("src"):
            self.urls.append(found["src"])
        if tag == "link" and found.get("href"):
            self.urls.append(found["href"])


def references(url: str, body: str, content_type: str) -> list[str]:
    """The same-server URLs a page, a module or a stylesheet loads, absolute."""
    if "html" in content_type:
        parser = Links()
        parser.feed(body)
        found = parser.urls
    elif "javascript" in content_type:
        found = ES_IMPORT.findall(body)
    elif "css" in content_type:
        found = [a or b for a, b in CSS_URL.findall(body)]
    else:
        found = []
    origin = urlparse(url).netloc
    absolute = [urljoin(url, ref) for ref in found if not ref.startswith(("data:", "#"))]
    return [ref for ref in absolute if urlparse(ref).netloc == origin]


def fetch(url: str) -> tuple[int, bytes, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read(), response.headers.get("Content-Type", "")


def crawl(start: list[str]) -> dict[str, tuple[int, bytes]]:
    """Every URL reachable from `start` through the pages' links and the modules' imports."""
    seen: dict[str, tuple[int, bytes]] = {}
    todo = list(start)
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        status, body, content_type = fetch(url)
        seen[url] = (status, body)
        todo += references(url, body.decode("utf-8", "replace"), content_type)
    return seen


def test_a_fresh_install_serves_the_pages_and_every_file_they_load(installed, tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        [installed.bin / "sagascope", "serve", "--port", str(port)], cwd=installed.home,
        env=clean_env(SAGASCOPE_HISTORY=str(tmp_path / "history.sqlite")),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"SagaScope is running at http://127.0.0.1:{port}/"), (
            proc.stderr.read() if proc.poll() is not None else line)
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: healthy(base), timeout=20, what="the installed server")
        served = crawl([f"{base}/", f"{base}/embed"])
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert {url: status for url, (status, _) in served.items() if status != 200} == {}
    files = {urlparse(url).path: body for url, (_, body) in served.items()
             if urlparse(url).path.startswith("/static/")}
    assert "/static/vendor/socket.io/socket.io.min.js" in files
    assert "/static/js/main.js" in files and "/static/css/sagascope.css" in files
    assert len([p for p in files if p.endswith(".js")]) > 10, sorted(files)
    for path, body in files.items():
        assert body == (ROOT / path.lstrip("/")).read_bytes(), f"{path} differs from the checkout"


def healthy(base: str) -> bool:
    try:
        return fetch(f"{base}/healthz")[0] == 200
    except OSError:
        return False


def test_bench_from_an_installed_copy_says_in_one_sentence_where_it_runs(installed):
    done = subprocess.run([installed.bin / "sagascope", "bench", "--quick"], cwd=installed.home,
                          env=clean_env(), capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("sagascope bench: the benchmarks run from a checkout")
    assert done.stderr.count("\n") == 1 and done.stderr.count(". ") == 0
