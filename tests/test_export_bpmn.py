"""The BPMN export is checked by SpiffWorkflow, someone else's BPMN engine: it validates the XML
against the BPMN 2.0 XSD, then executes it, and the tasks it runs come in the same order as the
steps and compensations our orchestrator commits."""

from __future__ import annotations

import pytest
from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser, BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from saga_core import Run, load_scenario, scenario_names
from saga_core.export import export_saga
from saga_core.export.model import step_id, undo_id

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "di": "http://www.omg.org/spec/DD/20100524/DI",
    "saga": "urn:sagascope:bpmn:1",
}


def spiff_workflow(xml: str, saga_name: str) -> tuple:
    parser = BpmnParser(validator=BpmnValidator())
    parser.add_bpmn_str(xml.encode(), filename=f"{saga_name}.bpmn")
    process = f"Process_{saga_name}"
    return parser.get_spec(process), parser.get_subprocess_specs(process)


def spiff_commits(saga, fail_at: str | None) -> list[tuple[str, ...]]:
    """Run the exported BPMN in SpiffWorkflow; what it committed, undid and how it ended."""
    spec, subprocesses = spiff_workflow(export_saga(saga, "bpmn"), saga.name)
    workflow = BpmnWorkflow(spec, subprocesses)
    workflow.get_tasks(state=TaskState.READY)[0].data["fail_at"] = fail_at
    ran = []
    workflow.do_engine_steps(did_complete_task=ran.append)
    assert workflow.completed, "the exported process must run to an end event on its own"
    steps = {step_id(s.name): s.name for s in saga.steps}
    undos = {undo_id(s.name): s.name for s in saga.steps}
    order: list[tuple[str, ...]] = []
    for task in ran:
        bpmn_id = task.task_spec.bpmn_id
        if bpmn_id in steps and task.data[f"{bpmn_id.removeprefix('step_')}_committed"]:
            order.append(("commit", steps[bpmn_id]))
        elif bpmn_id in undos:
            order.append(("undo", undos[bpmn_id]))
        elif bpmn_id == "complete":
            order.append(("complete",))
        elif bpmn_id in ("saga_completed", "saga_compensated"):
            order.append((bpmn_id.removeprefix("saga_"),))
    return order


def engine_commits(saga, failures: list[str]) -> list[tuple[str, ...]]:
    """The same, from our orchestrator's events."""
    run = Run(saga, "orchestration", failures=failures)
    order: list[tuple[str, ...]] = []
    for event in run.run_to_end():
        if event.kind == "step.succeeded":
            order.append(("commit", event.step))
        elif event.kind == "compensation.succeeded":
            order.append(("undo", event.step))
        elif event.kind == "saga.completed":
            order += [("complete",)] if saga.completion else []
            order.append(("completed",))
        elif event.kind == "saga.compensated":
            order.append(("compensated",))
    return order


def cases():
    for name in scenario_names():
        saga = load_scenario(name)
        yield pytest.param(name, [], None, id=f"{name}-no-failure")
        for step in saga.steps:
            yield pytest.param(name, [f"{step.name}:fail"], step.name,
                               id=f"{name}-{step.name}-fails")
            attempts = step.retry.max_attempts
            yield pytest.param(name, [f"{step.name}:timeout:{attempts}"], step.name,
                               id=f"{name}-{step.name}-times-out-every-attempt")
            if attempts > 1:
                yield pytest.param(name, [f"{step.name}:transient:{attempts - 1}"], None,
                                   id=f"{name}-{step.name}-recovers-on-its-last-attempt")


@pytest.mark.parametrize(("scenario", "failures", "fail_at"), list(cases()))
def test_spiffworkflow_runs_the_exported_bpmn_in_the_order_our_orchestrator_commits(
    scenario, failures, fail_at
):
    saga = load_scenario(scenario)
    expected = engine_commits(saga, failures)
    assert expected[-1] == (("completed",) if fail_at is None else ("compensated",))
    assert spiff_commits(saga, fail_at) == expected


def test_a_failure_at_the_last_step_walks_the_whole_reverse_chain_in_spiffworkflow():
    saga = load_scenario("onboarding")
    order = spiff_commits(saga, saga.steps[-1].name)
    undone = [entry[1] for entry in order if entry[0] == "undo"]
    assert undone == list(reversed(saga.step_names[:-1]))


def test_the_xsd_validator_rejects_a_broken_copy_so_the_check_can_fail():
    xml = export_saga(load_scenario("checkout"), "bpmn")
    broken = xml.replace('attachedToRef="forward_path"', 'attachedToRef="no such activity"', 1)
    assert broken != xml
    with pytest.raises(ValidationException):
        spiff_workflow(broken, "checkout")


def document(name: str):
    return etree.fromstring(export_saga(load_scenario(name), "bpmn").encode())


@pytest.mark.parametrize("scenario", scenario_names())
def test_every_element_of_the_process_has_a_place_in_the_diagram(scenario):
    root = document(scenario)
    nodes = root.xpath(
        "//bpmn:process//*[self::bpmn:startEvent or self::bpmn:endEvent or self::bpmn:scriptTask"
        " or self::bpmn:exclusiveGateway or self::bpmn:subProcess or self::bpmn:boundaryEvent]/@id",
        namespaces=NS,
    )
    flows = root.xpath("//bpmn:process//bpmn:sequenceFlow/@id", namespaces=NS)
    shapes = root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS)
    edges = root.xpath("//bpmndi:BPMNEdge/@bpmnElement", namespaces=NS)
    assert sorted(shapes) == sorted(nodes)
    assert sorted(edges) == sorted(flows)
    for edge in root.xpath("//bpmndi:BPMNEdge", namespaces=NS):
        assert len(edge.xpath("di:waypoint", namespaces=NS)) >= 2


def bounds(root, element_id: str) -> tuple[float, float, float, float]:
    (b,) = root.xpath(f"//bpmndi:BPMNShape[@bpmnElement='{element_id}']/dc:Bounds",
                      namespaces=NS)
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


@pytest.mark.parametrize("scenario", scenario_names())
def test_the_diagram_draws_steps_inside_the_forward_path_with_no_shapes_overlapping(scenario):
    root = document(scenario)
    fx, fy, fw, fh = bounds(root, "forward_path")
    inner = root.xpath("//bpmn:subProcess/*[@id and not(self::bpmn:sequenceFlow)]/@id",
                       namespaces=NS)
    for element_id in inner:
        x, y, w, h = bounds(root, element_id)
        assert fx <= x and x + w <= fx + fw and fy <= y and y + h <= fy + fh, element_id
    for boundary in root.xpath("//bpmn:boundaryEvent/@id", namespaces=NS):
        x, y, w, h = bounds(root, boundary)
        assert y < fy + fh < y + h, f"{boundary} must sit on the forward path's lower edge"
    outside = [i for i in root.xpath("//bpmndi:BPMNShape/@bpmnElement", namespaces=NS)
               if i not in inner and i != "forward_path"]
    boxes = [bounds(root, i) for i in outside]
    for a, (ax, ay, aw, ah) in enumerate(boxes):
        for bx, by, bw, bh in boxes[a + 1:]:
            assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay


@pytest.mark.parametrize("scenario", scenario_names())
def test_each_step_carries_its_retry_policy_and_timeout_as_extension_data(scenario):
    saga = load_scenario(scenario)
    root = document(scenario)
    for step in saga.steps:
        (ext,) = root.xpath(f"//bpmn:scriptTask[@id='{step_id(step.name)}']"
                            "/bpmn:extensionElements/saga:step", namespaces=NS)
        (policy,) = ext.xpath("saga:retryPolicy", namespaces=NS)
        assert ext.get("service") == step.service
        assert int(ext.get("timeoutMs")) == step.timeout_ms
        assert int(policy.get("maxAttempts")) == step.retry.max_attempts
        assert int(policy.get("initialIntervalMs")) == step.retry.initial_interval_ms
        assert float(policy.get("backoffCoefficient")) == step.retry.backoff_coefficient
        assert int(policy.get("maxIntervalMs")) == step.retry.max_interval_ms


def test_compensation_is_an_explicit_chain_not_a_compensate_event():
    xml = export_saga(load_scenario("checkout"), "bpmn")
    assert "compensateEventDefinition" not in xml
    root = etree.fromstring(xml.encode())
    caught = root.xpath("//bpmn:boundaryEvent[bpmn:errorEventDefinition]/@id", namespaces=NS)
    assert len(caught) == len(load_scenario("checkout").steps)
