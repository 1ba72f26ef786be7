"""The exports are checked by other people's tools from npm (package.json): `asl-validator`
must accept every exported state machine, mermaid-cli must render every exported diagram to SVG
with the system Chromium, and bpmn-js (the renderer of the bpmn.io and Camunda modelers) must
draw every element of the exported BPMN. Each check also proves it can fail, on a deliberately
broken copy. Without the tools this skips, saying how to install them; under CI (`CI` set) it
fails instead, so CI can never pass without running them."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from saga_core import Run, load_scenario, scenario_names
from saga_core.export import export_run, export_saga
from saga_core.scenarios.files import scenario_from_dict, scenario_to_dict

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def missing(what: str, how: str):
    message = f"{what} is not available: {how}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def node_tool(name: str) -> Path:
    if shutil.which("node") is None:
        missing("node", "install Node.js (apt-get install -y nodejs npm), then run `npm ci`")
    tool = ROOT / "node_modules" / ".bin" / name
    if not tool.exists():
        missing(name, "run `npm ci` at the repository root")
    return tool


def chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        missing("Chromium", "apt-get install -y chromium (or set CHROMIUM_PATH)")
    return path


def run_tool(*args: object, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


# -- Amazon States Language ------------------------------------------------------------------
@pytest.fixture(scope="module")
def asl_validator() -> Path:
    return node_tool("asl-validator")


def test_asl_validator_accepts_the_exported_state_machine_of_every_scenario(asl_validator,
                                                                           tmp_path):
    paths = []
    for scenario in scenario_names():
        paths.append(tmp_path / f"{scenario}.asl.json")
        paths[-1].write_text(export_saga(load_scenario(scenario), "asl"))
    result = run_tool(asl_validator, *(arg for p in paths for arg in ("--json-path", p)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("is valid") == len(paths), result.stdout


def test_asl_validator_rejects_a_broken_copy_so_the_check_can_fail(asl_validator, tmp_path):
    machine = json.loads(export_saga(load_scenario("checkout"), "asl"))
    machine["States"]["undo_payment"]["Next"] = "a state that does not exist"
    path = tmp_path / "broken.asl.json"
    path.write_text(json.dumps(machine))
    result = run_tool(asl_validator, "--json-path", path)
    assert result.returncode == 1
    assert "MISSING_TRANSITION_TARGET" in result.stdout + result.stderr


# -- Mermaid ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mermaid(tmp_path_factory):
    """Renders Markdown holding Mermaid blocks; returns (exit status, output, SVG files)."""
    mmdc = node_tool("mmdc")
    browser = chromium()
    work = tmp_path_factory.mktemp("mermaid")
    config = work / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": browser, "args": CHROMIUM_ARGS}))

    def render(name: str, diagrams: list[str]):
        source = work / f"{name}.md"
        source.write_text("".join(f"```mermaid\n{d}```\n\n" for d in diagrams))
        result = run_tool(mmdc, "--puppeteerConfigFile", config, "--quiet",
                          "--input", source, "--output", work / f"{name}-out.md")
        svgs = [work / f"{name}-out-{i}.svg" for i in range(1, len(diagrams) + 1)]
        return result.returncode, result.stdout + result.stderr, svgs

    return render


def rich_run(scenario: str, mode: str) -> Run:
    saga = load_scenario(scenario)
    first, second, last = saga.step_names[0], saga.step_names[1], saga.step_names[-1]
    run = Run(saga, mode, failures=[f"{second}:transient", f"{first}:duplicate", f"{second}:drop",
                                    f"{first}:crash", f"{first}:compensate", f"{last}:fail"])
    run.run_to_end()
    return run


def test_mermaid_cli_renders_every_exported_diagram_to_svg(mermaid):
    diagrams, expect = [], []
    for name in scenario_names():
        saga = load_scenario(name)
        diagrams.append(export_saga(saga, "mermaid"))
        expect.append([s.action.name for s in saga.steps])
        diagrams.append(export_saga(saga, "mermaid", view="choreography"))
        expect.append([s.event_names().succeeded for s in saga.steps])
    for mode in ("orchestration", "choreography", "hybrid"):
        run = rich_run("checkout", mode)
        diagrams.append(export_run(run, "mermaid"))
        expect.append([e.detail["name"] for e in run.events if e.kind == "message.delivered"]
                      or [s.action.name for s in run.saga.steps])
    awkward = scenario_to_dict(load_scenario("travel"))
    awkward["title"] = 'Trips; "cheap" & <fast> #1'
    awkward["steps"][0]["action"]["name"] = 'hold;"seat"#1'
    diagrams.append(export_saga(scenario_from_dict(awkward), "mermaid"))
    expect.append(['hold;"seat"#1', 'Trips; "cheap" and ‹fast› #1'])
    status, output, svgs = mermaid("exports", diagrams)
    assert status == 0, output
    for svg, words in zip(svgs, expect, strict=True):
        text = svg.read_text()
        assert text.lstrip().startswith("<svg"), svg
        labels = html.unescape(re.sub(r"<[^>]+>", " ", text))
        for word in words:
            assert word in labels, f"{svg.name} does not show {word}"


def test_mermaid_cli_rejects_a_broken_diagram_so_the_check_can_fail(mermaid):
    broken = export_saga(load_scenario("travel"), "mermaid").replace(" --> ", " -->> ", 1)
    status, output, _ = mermaid("broken", [broken])
    assert status != 0
    assert "Parse error" in output


# -- BPMN diagram interchange ----------------------------------------------------------------
IMPORT_BPMN = """async (xml) => {
    const viewer = new BpmnJS({container: '#canvas'});
    const {warnings} = await viewer.importXML(xml);
    const drawn = viewer.get('elementRegistry').getAll()
        .filter(e => e.di && e.type !== 'label' && e.type !== 'bpmn:Process')
        .map(e => e.id);
    return {warnings: warnings.map(w => w.message), drawn};
}"""


def test_bpmn_js_draws_every_element_of_the_exported_bpmn_without_a_warning(playwright):
    """bpmn-js is the renderer of the bpmn.io and Camunda modelers."""
    node_tool("asl-validator")  # the same `npm ci` installs bpmn-js
    viewer = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
    if not viewer.exists():
        missing("bpmn-js", "run `npm ci` at the repository root")
    browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.set_content('<div id="canvas" style="width:2000px;height:800px"></div>')
        page.add_script_tag(path=str(viewer))
        for name in scenario_names():
            xml = export_saga(load_scenario(name), "bpmn")
            result = page.evaluate(IMPORT_BPMN, xml)
            assert result["warnings"] == [], name
            diagram = re.findall(r'bpmnElement="([^"]+)"', xml)
            process = f"Process_{name}"
            assert sorted(result["drawn"]) == sorted(e for e in diagram if e != process), name
        broken = export_saga(load_scenario("travel"), "bpmn").replace(
            'bpmnElement="step_hotel"', 'bpmnElement="no_such_element"')
        assert page.evaluate(IMPORT_BPMN, broken)["warnings"], "a broken copy must be noticed"
    finally:
        browser.close()
