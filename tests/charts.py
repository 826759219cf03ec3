"""Where an ECharts chart drew its texts, read in the browser: for tests that no label is cut off or covered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Every text of the chart drawn in the element `id`, as a rectangle in the chart's pixels, with the plot
# area (the first grid) and the chart's size. Legend texts are told apart by their component.
READ = """(id) => {
  const chart = window.echarts.getInstanceByDom(document.getElementById(id));
  const legend = new Set();
  chart.getZr().storage.getDisplayList(true).forEach((el) => {
    for (let p = el; p; p = p.parent) {
      if (p.__ecComponentInfo && p.__ecComponentInfo.mainType === "legend") { legend.add(el); break; }
    }
  });
  const texts = [];
  chart.getZr().storage.getDisplayList(true).forEach((el) => {
    const text = el.style && el.style.text;
    if (typeof text !== "string" || !text) { return; }
    const r = el.getBoundingRect().clone();
    const m = el.getComputedTransform();
    if (m) { r.applyTransform(m); }
    texts.push({ text: text, x: r.x, y: r.y, width: r.width, height: r.height, legend: legend.has(el) });
  });
  const grid = chart.getModel().getComponent("grid").coordinateSystem.getRect();
  return { texts: texts, grid: { x: grid.x, y: grid.y, width: grid.width, height: grid.height },
           width: chart.getWidth(), height: chart.getHeight() };
}"""


@dataclass(frozen=True)
class Box:
    text: str
    x: float
    y: float
    width: float
    height: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.width
            and other.x < self.x + self.width
            and self.y < other.y + other.height
            and other.y < self.y + self.height
        )


@dataclass(frozen=True)
class Layout:
    legend: list[Box]
    labels: list[Box]
    grid: Box
    width: float
    height: float

    def cut_off(self) -> list[str]:
        """Texts that run over the chart's edge."""
        return [
            b.text
            for b in self.legend + self.labels
            if b.x < -0.5 or b.y < -0.5 or b.x + b.width > self.width + 0.5 or b.y + b.height > self.height + 0.5
        ]

    def covered(self) -> list[tuple[str, str]]:
        """Legend entries that lie on a label or on the plot area."""
        return [(le.text, b.text) for le in self.legend for b in [*self.labels, self.grid] if le.overlaps(b)]


def layout(page: Any, element_id: str) -> Layout:
    page.wait_for_selector(f"#{element_id} canvas")
    data = page.evaluate(READ, element_id)

    def box(t: dict[str, Any]) -> Box:
        return Box(t.get("text", ""), t["x"], t["y"], t["width"], t["height"])

    return Layout(
        legend=[box(t) for t in data["texts"] if t["legend"]],
        labels=[box(t) for t in data["texts"] if not t["legend"]],
        grid=Box("plot area", **data["grid"]),
        width=data["width"],
        height=data["height"],
    )
