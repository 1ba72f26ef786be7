"""BPMN diagram interchange (BPMNDI): where each element and flow is drawn, so modelers can
show the exported process as laid out instead of piling everything at the origin."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"


def qname(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle in diagram pixels (y grows downwards)."""

    x: int
    y: int
    w: int
    h: int

    @property
    def cx(self) -> int:
        return self.x + self.w // 2

    @property
    def cy(self) -> int:
        return self.y + self.h // 2

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h


@dataclass
class Diagram:
    """Shapes by element id, waypoints by flow id, and label spots where defaults would collide."""

    shapes: dict[str, Box] = field(default_factory=dict)
    edges: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)
    expanded: set[str] = field(default_factory=set)
    """Sub-processes drawn open, with their content inside."""

    def route(self, source: str, target: str) -> list[tuple[int, int]]:
        """A straight flow: across when the shapes stand side by side, else down."""
        a, b = self.shapes[source], self.shapes[target]
        if a.x >= b.right or b.x >= a.right:
            y = a.cy if a.h <= b.h else b.cy  # at the height of the smaller shape
            if a.x < b.x:
                return [(a.right, y), (b.x, y)]
            return [(a.x, y), (b.right, y)]
        return [(a.cx, a.bottom), (b.cx, b.y)]

    def element(self, name: str, process_id: str) -> ET.Element:
        """The `BPMNDiagram` element for the process `process_id`."""
        diagram = ET.Element(qname(BPMNDI, "BPMNDiagram"), {"id": f"Diagram_{name}"})
        plane = ET.SubElement(diagram, qname(BPMNDI, "BPMNPlane"),
                              {"id": f"Plane_{name}", "bpmnElement": process_id})
        for element_id, box in self.shapes.items():
            attrs = {"id": f"{element_id}_di", "bpmnElement": element_id}
            if element_id in self.expanded:
                attrs["isExpanded"] = "true"
            shape = ET.SubElement(plane, qname(BPMNDI, "BPMNShape"), attrs)
            _bounds(shape, box)
            if element_id in self.labels:
                label = ET.SubElement(shape, qname(BPMNDI, "BPMNLabel"))
                _bounds(label, self.labels[element_id])
        for flow_id, points in self.edges.items():
            edge = ET.SubElement(plane, qname(BPMNDI, "BPMNEdge"),
                                 {"id": f"{flow_id}_di", "bpmnElement": flow_id})
            for x, y in points:
                ET.SubElement(edge, qname(DI, "waypoint"), {"x": str(x), "y": str(y)})
        return diagram


def _bounds(parent: ET.Element, box: Box) -> None:
    ET.SubElement(parent, qname(DC, "Bounds"), {
        "x": str(box.x), "y": str(box.y), "width": str(box.w), "height": str(box.h),
    })
