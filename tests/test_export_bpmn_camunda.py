"""The Camunda flavour of the BPMN export: compensation as Camunda 8 models it (compensation
boundary events, handlers marked isForCompensation, a compensation throw event), zeebe task
definitions with retries, timer boundary events for timeouts. It must validate against the
BPMN 2.0 XSD and be drawn by bpmn-js, the Camunda modelers' renderer; today's explicit chain
stays the default."""

from __future__ import annotations

import re

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from test_export_external_tools import CHROMIUM_ARGS, IMPORT_BPMN, ROOT, chromium, node_tool

from saga_core import load_scenario, scenario_names
from saga_core.cli import main
from saga_core.export import export_saga
from saga_core.export.bpmn_camunda import budget_ms, iso_duration
from saga_core.export.model import step_id, undo_id

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "zeebe": "http://camunda.org/schema/zeebe/1.0",
}


def camunda(name: str) -> str:
    return export_saga(load_scenario(name), "bpmn", flavor="camunda")


def tree(name: str):
    return etree.fromstring(camunda(name).encode())


@pytest.mark.parametrize("scenario", scenario_names())
def test_the_camunda_flavour_validates_against_the_bpmn_xsd(scenario):
    BpmnValidator().validate(tree(scenario))


def test_the_xsd_rejects_a_broken_copy_so_the_check_can_fail():
    broken = camunda("checkout").replace('isForCompensation="true"', 'isForCompensation="yes"', 1)
    with pytest.raises(ValidationException):
        BpmnValidator().validate(etree.fromstring(broken.encode()))


def one(root, path: str):
    (found,) = root.xpath(path, namespaces=NS)
    return found


@pytest.mark.parametrize("scenario", scenario_names())
def test_each_step_is_a_zeebe_service_task_with_its_compensation_handler(scenario):
    saga, root = load_scenario(scenario), tree(scenario)
    for step in saga.steps:
        task = one(root, f"//bpmn:serviceTask[@id='{step_id(step.name)}']")
        job = one(task, "bpmn:extensionElements/zeebe:taskDefinition")
        assert job.get("type") == step.action.name
        assert int(job.get("retries")) == step.retry.max_attempts
        headers = {h.get("key"): h.get("value")
                   for h in task.xpath(".//zeebe:header", namespaces=NS)}
        assert int(headers["timeoutMs"]) == step.timeout_ms
        assert int(headers["initialIntervalMs"]) == step.retry.initial_interval_ms
        assert headers["errorCode"] == step.event_names().failed
        if step.compensate is None:
            assert not root.xpath(f"//bpmn:boundaryEvent[@attachedToRef='{task.get('id')}']"
                                  "[bpmn:compensateEventDefinition]", namespaces=NS)
            continue
        boundary = one(root, f"//bpmn:boundaryEvent[@attachedToRef='{task.get('id')}']"
                             "[bpmn:compensateEventDefinition]")
        association = one(root, f"//bpmn:association[@sourceRef='{boundary.get('id')}']")
        handler = one(root, f"//bpmn:serviceTask[@id='{association.get('targetRef')}']")
        assert handler.get("id") == undo_id(step.name)
        assert handler.get("isForCompensation") == "true"
        assert one(handler, ".//zeebe:taskDefinition").get("type") == step.compensate.name
        assert not root.xpath(f"//bpmn:sequenceFlow[@sourceRef='{handler.get('id')}' or "
                              f"@targetRef='{handler.get('id')}']", namespaces=NS)


@pytest.mark.parametrize("scenario", scenario_names())
def test_failures_and_timeouts_throw_compensation_then_end_compensated(scenario):
    saga, root = load_scenario(scenario), tree(scenario)
    throw = one(root, "//bpmn:intermediateThrowEvent[bpmn:compensateEventDefinition]")
    targets = {f.get("sourceRef"): f.get("targetRef")
               for f in root.xpath("//bpmn:sequenceFlow", namespaces=NS)}
    assert targets[throw.get("id")] == "saga_compensated"
    for step in saga.steps:
        attached = f"@attachedToRef='{step_id(step.name)}'"
        error = one(root, f"//bpmn:boundaryEvent[{attached}]/bpmn:errorEventDefinition")
        code = one(root, f"//bpmn:error[@id='{error.get('errorRef')}']").get("errorCode")
        assert code == step.event_names().failed
        timer = one(root, f"//bpmn:boundaryEvent[{attached}]//bpmn:timeDuration")
        assert timer.text == iso_duration(budget_ms(step.retry, step.timeout_ms))
        for boundary in root.xpath(f"//bpmn:boundaryEvent[{attached}]"
                                   "[bpmn:errorEventDefinition or bpmn:timerEventDefinition]",
                                   namespaces=NS):
            assert targets[boundary.get("id")] == throw.get("id")


def test_a_step_may_run_for_all_its_attempts_and_backoffs_before_its_timer_fires():
    payment = load_scenario("checkout").step("payment")
    assert budget_ms(payment.retry, payment.timeout_ms) == 3 * 500 + 200 + 400
    assert iso_duration(2100) == "PT2.1S" and iso_duration(1000) == "PT1S"


@pytest.mark.parametrize("scenario", scenario_names())
def test_every_element_and_association_is_drawn(scenario):
    root = tree(scenario)
    nodes = root.xpath("//bpmn:process/*[not(self::bpmn:sequenceFlow or self::bpmn:association"
                       " or self::bpmn:documentation)]/@id", namespaces=NS)
    lines = root.xpath("//bpmn:process/*[self::bpmn:sequenceFlow or self::bpmn:association]/@id",
                       namespaces=NS)
    assert sorted(root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS)) == sorted(nodes)
    assert sorted(root.xpath("//bpmndi:BPMNEdge/@bpmnElement", namespaces=NS)) == sorted(lines)


def test_the_explicit_chain_stays_the_default_and_flavours_belong_to_bpmn(capsys):
    saga = load_scenario("checkout")
    assert export_saga(saga, "bpmn") == export_saga(saga, "bpmn", flavor="explicit")
    assert "compensateEventDefinition" not in export_saga(saga, "bpmn")
    assert main(["export", "--format", "asl", "--flavor", "camunda"]) == 2
    assert "only bpmn has flavors" in capsys.readouterr().err
    assert main(["export", "--format", "bpmn", "--flavor", "camunda"]) == 0
    assert capsys.readouterr().out == camunda("checkout")


def test_bpmn_js_draws_every_element_of_the_camunda_flavour_without_a_warning(playwright):
    node_tool("asl-validator")  # the same `npm ci` installs bpmn-js
    viewer = ROOT / "node_modules" / "bpmn-js" / "dist" / "bpmn-viewer.production.min.js"
    browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
    try:
        page = browser.new_page()
        page.set_content('<div id="canvas" style="width:2000px;height:800px"></div>')
        page.add_script_tag(path=str(viewer))
        for name in scenario_names():
            xml = camunda(name)
            result = page.evaluate(IMPORT_BPMN, xml)
            assert result["warnings"] == [], name
            diagram = re.findall(r'bpmnElement="([^"]+)"', xml)
            assert sorted(result["drawn"]) == sorted(e for e in diagram
                                                     if e != f"Process_{name}"), name
        broken = camunda("travel").replace('sourceRef="step_flight_compensation"',
                                           'sourceRef="nothing"')
        assert broken != camunda("travel")
        assert page.evaluate(IMPORT_BPMN, broken)["warnings"], "a broken copy must be noticed"
    finally:
        browser.close()
