"""BPMN 2.0 XML of the orchestration, with diagram interchange (BPMNDI) so modelers can draw it.

Shape of the process (a ladder):

    start → [forward path: step → committed? → step → committed? → … → all committed] → complete
                  ↓ error boundary events, one per step (the step's failure event)
    compensated ← undo step 1 ← undo step 2 ← …   (entered at the newest committed step)

Compensation is an explicit reverse chain entered by error boundary events, not BPMN's
`compensateEventDefinition`, so engines without compensation support (SpiffWorkflow) execute it
exactly as the SagaScope orchestrator does. Each step is a script task whose script stands in
for the service call: it sets `<step>_committed`, true unless the process variable `fail_at`
names the step, so any Python BPMN engine can rehearse a failure at any step. Retry policies,
timeouts and services are kept as extension data in the `urn:sagascope:bpmn:1` namespace
(documented in docs/EXPORTS.md); a human-readable copy sits in each task's documentation.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ..retry import COMPENSATION_RETRY, RetryPolicy
from .bpmn_diagram import BPMNDI, DC, DI, Box, Diagram, qname
from .model import COMPENSATED, COMPLETED, START, FlowNode, SagaFlow

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SAGA = "urn:sagascope:bpmn:1"
NAMESPACES = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI, "saga": SAGA}
FORWARD = "forward_path"

# Layout, in diagram pixels.
TASK_W, TASK_H, GATE, EVENT = 130, 80, 50, 36
PITCH = 260  # one step column: task, gap, gateway, gap
LABEL_H = 27
ROW_Y = 170  # centre line of the forward row
MARGIN = 40


def committed_variable(flow_node: FlowNode) -> str:
    """The process variable a step's script sets (its gateway's condition)."""
    assert flow_node.step is not None
    return f"{flow_node.id.removeprefix('step_')}_committed"


def step_script(flow_node: FlowNode) -> str:
    assert flow_node.step is not None
    return f'{committed_variable(flow_node)} = globals().get("fail_at") != "{flow_node.step.name}"'


def render_bpmn(flow: SagaFlow) -> str:
    """The BPMN 2.0 document (XML text) for one saga."""
    for prefix, ns in NAMESPACES.items():
        ET.register_namespace(prefix, ns)
    return _Document(flow).xml()


class _Document:
    def __init__(self, flow: SagaFlow) -> None:
        self.flow = flow
        self.saga = flow.saga
        self.root = ET.Element(qname(BPMN, "definitions"), {
            "id": f"Definitions_{self.saga.name}",
            "targetNamespace": f"urn:sagascope:saga:{self.saga.name}",
            "exporter": "SagaScope",
            "exporterVersion": "1",
        })
        self.diagram = Diagram()
        self.shapes = self.diagram.shapes
        self.labels = self.diagram.labels

    # -- semantic model ---------------------------------------------------------------------
    def xml(self) -> str:
        for node in self.flow.steps:
            ET.SubElement(self.root, qname(BPMN, "error"), {
                "id": self.error_id(node),
                "name": node.step.event_names().failed,
                "errorCode": node.step.event_names().failed,
            })
        process = ET.SubElement(self.root, qname(BPMN, "process"), {
            "id": f"Process_{self.saga.name}",
            "name": self.saga.title or self.saga.name,
            "isExecutable": "true",
        })
        self.documentation(process, self.process_documentation())
        self.build_process(process)
        self.root.append(self.diagram.element(self.saga.name, process.get("id") or ""))
        ET.indent(self.root)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(self.root, "unicode") + "\n"

    def error_id(self, node: FlowNode) -> str:
        return f"Error_{node.id.removeprefix('step_')}"

    def process_documentation(self) -> str:
        names = ", ".join(n.step.name for n in self.flow.steps)
        return (
            f"{self.saga.description or self.saga.title or self.saga.name} "
            f"Steps: {names}. Each step's script stands in for its service call; set the process "
            "variable fail_at to a step name to rehearse that step failing."
        ).strip()

    def build_process(self, process: ET.Element) -> None:
        flow, steps = self.flow, self.flow.steps
        forward_box = self.layout_forward()
        self.event(process, START, flow.nodes[START].label or "start", "startEvent",
                   Box(MARGIN, ROW_Y - EVENT // 2, EVENT, EVENT))
        forward = ET.SubElement(process, qname(BPMN, "subProcess"),
                                {"id": FORWARD, "name": "Forward path"})
        self.shapes[FORWARD] = forward_box
        self.diagram.expanded.add(FORWARD)
        self.sequence(process, START, FORWARD)
        self.build_forward(forward)

        previous = FORWARD
        x = forward_box.right + 60
        completion = flow.completion
        if completion is not None:
            box = Box(x, ROW_Y - TASK_H // 2, TASK_W, TASK_H)
            self.task(process, completion.id, completion, box, script='saga_outcome = "completed"',
                      text=f"{completion.service}: {self.saga.completion.text}.")
            self.sequence(process, previous, completion.id)
            previous, x = completion.id, x + TASK_W + 60
        self.event(process, COMPLETED, "Saga completed", "endEvent",
                   Box(x, ROW_Y - EVENT // 2, EVENT, EVENT))
        self.sequence(process, previous, COMPLETED)

        # Each failure drops straight down into where the reverse chain must start for it.
        undo_y = forward_box.bottom + 90
        for node in steps:
            gate = self.shapes[f"{node.id}_committed"]
            entry = flow.after(node.id, "failed")
            if entry == COMPENSATED:
                self.event(process, COMPENSATED, "Saga compensated", "endEvent",
                           Box(gate.cx - EVENT // 2, undo_y + (TASK_H - EVENT) // 2, EVENT, EVENT))
                continue
            undo = flow.nodes[entry]
            text = f"{undo.service}: {undo.step.compensate.text}. " + _policy_text(
                COMPENSATION_RETRY
            )
            self.task(process, undo.id, undo, Box(gate.cx - TASK_W // 2, undo_y, TASK_W, TASK_H),
                      script=f"{undo.id.removeprefix('undo_')}_compensated = True", text=text,
                      extension=self.compensation_extension(undo))
        for undo in flow.compensations:
            self.sequence(process, undo.id, flow.after(undo.id, "compensated"))
        for node in steps:
            self.boundary(process, node, flow.after(node.id, "failed"), forward_box)

    def build_forward(self, forward: ET.Element) -> None:
        inner_start = f"{FORWARD}_start"
        box = self.shapes[FORWARD]
        self.event(forward, inner_start, "", "startEvent",
                   Box(box.x + 30, ROW_Y - EVENT // 2, EVENT, EVENT))
        for node in self.flow.steps:
            column = self.column_x(node)
            text = (
                f"{node.service}: {node.step.action.text}. Timeout {node.step.timeout_ms} ms. "
                f"{_policy_text(node.step.retry)}"
            )
            self.task(forward, node.id, node, Box(column, ROW_Y - TASK_H // 2, TASK_W, TASK_H),
                      script=step_script(node), text=text, extension=self.step_extension(node))
            gateway = f"{node.id}_committed"
            failed_flow = f"Flow_{gateway}_no"
            gate_box = Box(column + TASK_W + 40, ROW_Y - GATE // 2, GATE, GATE)
            ET.SubElement(forward, qname(BPMN, "exclusiveGateway"), {
                "id": gateway, "name": f"{node.step.name} committed?", "default": failed_flow,
            })
            self.shapes[gateway] = gate_box
            self.labels[gateway] = Box(gate_box.cx - 50, gate_box.y - LABEL_H - 4, 100, LABEL_H)
            self.sequence(forward, node.id, gateway)
            failure = f"{node.id}_failed"
            end = self.event(forward, failure, node.step.event_names().failed, "endEvent",
                             Box(gate_box.cx - EVENT // 2, ROW_Y + 50, EVENT, EVENT))
            self.labels[failure] = Box(gate_box.cx + EVENT // 2 + 4, ROW_Y + 55, 90, LABEL_H)
            ET.SubElement(end, qname(BPMN, "errorEventDefinition"),
                          {"id": f"{failure}_error", "errorRef": self.error_id(node)})
            self.sequence(forward, gateway, failure, flow_id=failed_flow, name="no")
        last = self.flow.steps[-1]
        end_id = f"{FORWARD}_end"
        gate = self.shapes[f"{last.id}_committed"]
        self.event(forward, end_id, "All steps committed", "endEvent",
                   Box(gate.right + 50, ROW_Y - EVENT // 2, EVENT, EVENT))
        self.sequence(forward, inner_start, self.flow.steps[0].id)
        self.flows_after_gateways(forward, end_id)

    def flows_after_gateways(self, forward: ET.Element, end_id: str) -> None:
        steps = self.flow.steps
        for i, node in enumerate(steps):
            target = steps[i + 1].id if i + 1 < len(steps) else end_id
            flow = self.sequence(forward, f"{node.id}_committed", target, name="yes")
            condition = ET.SubElement(flow, qname(BPMN, "conditionExpression"),
                                      {qname(XSI, "type"): "bpmn:tFormalExpression"})
            condition.text = committed_variable(node)

    def boundary(self, process: ET.Element, node: FlowNode, entry: str | None,
                 forward_box: Box) -> None:
        gate = self.shapes[f"{node.id}_committed"]
        boundary_id = f"{node.id}_caught"
        event = ET.SubElement(process, qname(BPMN, "boundaryEvent"), {
            "id": boundary_id,
            "name": node.step.event_names().failed,
            "attachedToRef": FORWARD,
            "cancelActivity": "true",
        })
        ET.SubElement(event, qname(BPMN, "errorEventDefinition"),
                      {"id": f"{boundary_id}_error", "errorRef": self.error_id(node)})
        box = Box(gate.cx - EVENT // 2, forward_box.bottom - EVENT // 2, EVENT, EVENT)
        self.shapes[boundary_id] = box
        self.labels[boundary_id] = Box(box.right + 4, box.bottom, 90, LABEL_H)
        assert entry is not None
        self.sequence(process, boundary_id, entry)

    # -- element helpers ----------------------------------------------------------------------
    def documentation(self, parent: ET.Element, text: str) -> None:
        ET.SubElement(parent, qname(BPMN, "documentation")).text = text

    def task(self, parent: ET.Element, element_id: str, node: FlowNode, box: Box, *,
             script: str, text: str, extension: ET.Element | None = None) -> ET.Element:
        task = ET.SubElement(parent, qname(BPMN, "scriptTask"), {
            "id": element_id,
            "name": f"{node.label} ({node.service})" if node.service else node.label,
            "scriptFormat": "python",
        })
        self.documentation(task, text)
        if extension is not None:
            ET.SubElement(task, qname(BPMN, "extensionElements")).append(extension)
        ET.SubElement(task, qname(BPMN, "script")).text = script
        self.shapes[element_id] = box
        return task

    def event(self, parent: ET.Element, element_id: str, name: str, tag: str,
              box: Box) -> ET.Element:
        attrs = {"id": element_id}
        if name:
            attrs["name"] = name
        element = ET.SubElement(parent, qname(BPMN, tag), attrs)
        self.shapes[element_id] = box
        return element

    def sequence(self, parent: ET.Element, source: str, target: str, *, flow_id: str = "",
                 name: str = "", waypoints: list[tuple[int, int]] | None = None) -> ET.Element:
        flow_id = flow_id or f"Flow_{source}_to_{target}"
        attrs = {"id": flow_id, "sourceRef": source, "targetRef": target}
        if name:
            attrs["name"] = name
        element = ET.SubElement(parent, qname(BPMN, "sequenceFlow"), attrs)
        self.diagram.edges[flow_id] = waypoints or self.diagram.route(source, target)
        return element

    def step_extension(self, node: FlowNode) -> ET.Element:
        step = node.step
        element = ET.Element(qname(SAGA, "step"), {
            "name": step.name, "service": step.service, "action": step.action.name,
            "timeoutMs": str(step.timeout_ms),
            "latencyMs": f"{step.latency_ms[0]}-{step.latency_ms[1]}",
        })
        element.append(_policy_element(step.retry))
        return element

    def compensation_extension(self, node: FlowNode) -> ET.Element:
        step = node.step
        element = ET.Element(qname(SAGA, "compensation"), {
            "step": step.name, "service": step.service, "action": step.compensate.name,
        })
        element.append(_policy_element(COMPENSATION_RETRY))
        return element

    # -- layout and diagram interchange -------------------------------------------------------
    def column_x(self, node: FlowNode) -> int:
        index = self.flow.steps.index(node)
        return self.shapes[FORWARD].x + 100 + index * PITCH

    def layout_forward(self) -> Box:
        width = 100 + len(self.flow.steps) * PITCH + 70
        return Box(MARGIN + EVENT + 50, ROW_Y - 100, width, 230)


def _policy_element(policy: RetryPolicy) -> ET.Element:
    return ET.Element(qname(SAGA, "retryPolicy"), {
        "maxAttempts": str(policy.max_attempts),
        "initialIntervalMs": str(policy.initial_interval_ms),
        "backoffCoefficient": f"{policy.backoff_coefficient:g}",
        "maxIntervalMs": str(policy.max_interval_ms),
    })


def _policy_text(policy: RetryPolicy) -> str:
    if policy.max_attempts == 1:
        return "Never retried."
    return (
        f"Retry: up to {policy.max_attempts} attempts, first retry after "
        f"{policy.initial_interval_ms} ms, backoff x{policy.backoff_coefficient:g}, "
        f"at most {policy.max_interval_ms} ms apart."
    )
