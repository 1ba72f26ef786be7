"""BPMN 2.0 for Camunda 8 (Zeebe): the saga as Camunda models one, with BPMN compensation.

    start → [step] → [step] → … → [complete] → Saga completed
             ⚡ ⏱      ⚡ ⏱           (error and timer boundary events, on top of each step)
             ↶        ↶             (compensation boundary events, below)
             ┆        ┆             association
           [undo]   [undo]          compensation handlers (isForCompensation)
    every ⚡ and ⏱ → "Undo committed steps" (compensation throw event) → Saga compensated

Each step is a service task with `zeebe:taskDefinition` (its job type is the action's name,
`retries` its attempts in all) and its retry policy and timeout as `zeebe:taskHeaders` for the
job worker. A business failure is the step's BPMN error (caught by the error boundary); the
timer boundary bounds the whole step, every attempt and backoff included. Reaching the throw
event makes Camunda run the compensation handler of every *completed* step, all at once and in
no guaranteed order (see docs/EXPORTS.md), so this flavour is not the orchestrator's reverse
chain; `bpmn.py` draws that one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..retry import COMPENSATION_RETRY, RetryPolicy
from .bpmn import BPMN, NAMESPACES, XSI
from .bpmn_diagram import Box, Diagram, qname
from .model import COMPENSATED, COMPLETE, COMPLETED, START, FlowNode, SagaFlow

ZEEBE = "http://camunda.org/schema/zeebe/1.0"
MODELER = "http://camunda.org/schema/modeler/1.0"
CAMUNDA_NAMESPACES = {**NAMESPACES, "zeebe": ZEEBE, "modeler": MODELER}
UNDO_ALL = "undo_committed"
PLATFORM_VERSION = "8.5.0"
"""Compensation events need Camunda 8.5 or later."""

TASK_W, TASK_H, EVENT, PITCH = 120, 80, 36, 200
LANE_Y, ROW_Y, HANDLER_Y, MARGIN = 60, 160, 330, 40


def budget_ms(policy: RetryPolicy, timeout_ms: int) -> int:
    """How long a step may take in all: every attempt's timeout plus every backoff between."""
    waits = sum(policy.delay_ms(n) for n in range(1, policy.max_attempts))
    return policy.max_attempts * timeout_ms + waits


def iso_duration(ms: int) -> str:
    seconds = f"{ms / 1000:.3f}".rstrip("0").rstrip(".")
    return f"PT{seconds}S"


def render_camunda_bpmn(flow: SagaFlow) -> str:
    """The Camunda 8 flavour of the BPMN export (XML text)."""
    for prefix, ns in CAMUNDA_NAMESPACES.items():
        ET.register_namespace(prefix, ns)
    return _Camunda(flow).xml()


class _Camunda:
    def __init__(self, flow: SagaFlow) -> None:
        self.flow = flow
        self.saga = flow.saga
        self.diagram = Diagram()
        self.root = ET.Element(qname(BPMN, "definitions"), {
            "id": f"Definitions_{self.saga.name}",
            "targetNamespace": f"urn:sagascope:saga:{self.saga.name}",
            "exporter": "SagaScope", "exporterVersion": "1",
            qname(MODELER, "executionPlatform"): "Camunda Cloud",
            qname(MODELER, "executionPlatformVersion"): PLATFORM_VERSION,
        })

    def xml(self) -> str:
        for node in self.flow.steps:
            names = node.step.event_names()
            ET.SubElement(self.root, qname(BPMN, "error"), {
                "id": self.error_id(node), "name": names.failed, "errorCode": names.failed})
        process = ET.SubElement(self.root, qname(BPMN, "process"), {
            "id": f"Process_{self.saga.name}", "name": self.saga.title or self.saga.name,
            "isExecutable": "true"})
        ET.SubElement(process, qname(BPMN, "documentation")).text = (
            f"{self.saga.description or self.saga.title or self.saga.name} Camunda runs the "
            "compensation handlers of the completed steps all at once, in no guaranteed order."
        ).strip()
        self.build(process)
        self.root.append(self.diagram.element(self.saga.name, process.get("id") or ""))
        ET.indent(self.root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(self.root, "unicode") + "\n"

    def error_id(self, node: FlowNode) -> str:
        return f"Error_{node.id.removeprefix('step_')}"

    def build(self, process: ET.Element) -> None:
        steps, completion = self.flow.steps, self.flow.completion
        self.event(process, START, "startEvent", self.flow.nodes[START].label,
                   Box(MARGIN, ROW_Y + (TASK_H - EVENT) // 2, EVENT, EVENT))
        previous, x = START, MARGIN + EVENT + 64
        for node in steps:
            self.step(process, node, Box(x, ROW_Y, TASK_W, TASK_H))
            self.sequence(process, previous, node.id)
            previous, x = node.id, x + PITCH
        if completion is not None:
            self.service_task(process, COMPLETE, f"complete ({completion.service})",
                              Box(x, ROW_Y, TASK_W, TASK_H), "complete_saga",
                              RetryPolicy(), steps[0].step.timeout_ms, completion.service)
            self.sequence(process, previous, COMPLETE)
            previous, x = COMPLETE, x + PITCH
        self.event(process, COMPLETED, "endEvent", "Saga completed",
                   Box(x, ROW_Y + (TASK_H - EVENT) // 2, EVENT, EVENT))
        self.sequence(process, previous, COMPLETED)
        throw = self.event(process, UNDO_ALL, "intermediateThrowEvent", "Undo committed steps",
                           Box(x, LANE_Y - EVENT // 2, EVENT, EVENT))
        ET.SubElement(throw, qname(BPMN, "compensateEventDefinition"),
                      {"id": f"{UNDO_ALL}_compensate", "waitForCompletion": "true"})
        self.diagram.labels[UNDO_ALL] = Box(x - 40, LANE_Y - EVENT // 2 - 30, 116, 27)
        self.event(process, COMPENSATED, "endEvent", "Saga compensated",
                   Box(x + 100, LANE_Y - EVENT // 2, EVENT, EVENT))
        self.sequence(process, UNDO_ALL, COMPENSATED)
        for node in steps:
            self.failure_paths(process, node)
        for node in steps:
            if node.step.compensate is not None:
                self.association(process, node)

    def step(self, process: ET.Element, node: FlowNode, box: Box) -> None:
        step = node.step
        self.service_task(process, node.id, f"{node.label} ({node.service})", box,
                          step.action.name, step.retry, step.timeout_ms, step.service,
                          error_code=step.event_names().failed)
        if step.compensate is None:
            return
        handler = ET.SubElement(process, qname(BPMN, "boundaryEvent"), {
            "id": f"{node.id}_compensation", "attachedToRef": node.id})
        ET.SubElement(handler, qname(BPMN, "compensateEventDefinition"),
                      {"id": f"{node.id}_compensation_def"})
        self.diagram.shapes[f"{node.id}_compensation"] = Box(
            box.cx - EVENT // 2, box.bottom - EVENT // 2, EVENT, EVENT)
        undo = f"undo_{node.id.removeprefix('step_')}"
        task = self.service_task(process, undo, f"{step.compensate.name} ({step.service})",
                                 Box(box.x, HANDLER_Y, TASK_W, TASK_H), step.compensate.name,
                                 COMPENSATION_RETRY, step.timeout_ms, step.service)
        task.set("isForCompensation", "true")

    def failure_paths(self, process: ET.Element, node: FlowNode) -> None:
        """The step's BPMN error and its timer, both leading to the compensation throw."""
        step, host = node.step, self.diagram.shapes[node.id]
        throw = self.diagram.shapes[UNDO_ALL]
        budget = budget_ms(step.retry, step.timeout_ms)
        for suffix, offset, name in (("timeout", 14, f"{budget} ms"),
                                     ("failed", 70, step.event_names().failed)):
            boundary_id = f"{node.id}_{suffix}"
            event = ET.SubElement(process, qname(BPMN, "boundaryEvent"), {
                "id": boundary_id, "name": name, "attachedToRef": node.id,
                "cancelActivity": "true"})
            if suffix == "timeout":
                timer = ET.SubElement(event, qname(BPMN, "timerEventDefinition"),
                                      {"id": f"{boundary_id}_timer"})
                ET.SubElement(timer, qname(BPMN, "timeDuration"),
                              {qname(XSI, "type"): "bpmn:tFormalExpression"}).text = \
                    iso_duration(budget)
            else:
                ET.SubElement(event, qname(BPMN, "errorEventDefinition"),
                              {"id": f"{boundary_id}_error", "errorRef": self.error_id(node)})
            box = Box(host.x + offset, host.y - EVENT // 2, EVENT, EVENT)
            self.diagram.shapes[boundary_id] = box
            self.diagram.labels[boundary_id] = (Box(box.x - 30, box.y - 30, 64, 27)
                                                if suffix == "timeout"
                                                else Box(box.x, box.y - 30, 96, 27))
            self.sequence(process, boundary_id, UNDO_ALL,
                          waypoints=[(box.cx, box.y), (box.cx, LANE_Y), (throw.x, LANE_Y)])

    def association(self, process: ET.Element, node: FlowNode) -> None:
        source, target = f"{node.id}_compensation", f"undo_{node.id.removeprefix('step_')}"
        flow_id = f"Association_{node.id.removeprefix('step_')}"
        ET.SubElement(process, qname(BPMN, "association"), {
            "id": flow_id, "associationDirection": "One", "sourceRef": source,
            "targetRef": target})
        a, b = self.diagram.shapes[source], self.diagram.shapes[target]
        self.diagram.edges[flow_id] = [(a.cx, a.bottom), (b.cx, b.y)]

    # -- element helpers ----------------------------------------------------------------------
    def service_task(self, parent: ET.Element, element_id: str, name: str, box: Box,
                     job_type: str, policy: RetryPolicy, timeout_ms: int, service: str,
                     error_code: str | None = None) -> ET.Element:
        task = ET.SubElement(parent, qname(BPMN, "serviceTask"), {"id": element_id, "name": name})
        ET.SubElement(task, qname(BPMN, "documentation")).text = (
            f"{service}, job type {job_type}: {policy.max_attempts} attempts of at most "
            f"{timeout_ms} ms each." + (f" A business failure throws the BPMN error {error_code}."
                                        if error_code else ""))
        extensions = ET.SubElement(task, qname(BPMN, "extensionElements"))
        ET.SubElement(extensions, qname(ZEEBE, "taskDefinition"),
                      {"type": job_type, "retries": str(policy.max_attempts)})
        headers = ET.SubElement(extensions, qname(ZEEBE, "taskHeaders"))
        values = {"service": service, "timeoutMs": timeout_ms,
                  "initialIntervalMs": policy.initial_interval_ms,
                  "backoffCoefficient": f"{policy.backoff_coefficient:g}",
                  "maxIntervalMs": policy.max_interval_ms}
        if error_code:
            values["errorCode"] = error_code
        for key, value in values.items():
            ET.SubElement(headers, qname(ZEEBE, "header"), {"key": key, "value": str(value)})
        self.diagram.shapes[element_id] = box
        return task

    def event(self, parent: ET.Element, element_id: str, tag: str, name: str,
              box: Box) -> ET.Element:
        element = ET.SubElement(parent, qname(BPMN, tag), {"id": element_id, "name": name})
        self.diagram.shapes[element_id] = box
        return element

    def sequence(self, parent: ET.Element, source: str, target: str,
                 waypoints: list[tuple[int, int]] | None = None) -> None:
        flow_id = f"Flow_{source}_to_{target}"
        ET.SubElement(parent, qname(BPMN, "sequenceFlow"),
                      {"id": flow_id, "sourceRef": source, "targetRef": target})
        self.diagram.edges[flow_id] = waypoints or self.diagram.route(source, target)
