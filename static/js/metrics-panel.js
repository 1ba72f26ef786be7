// The metrics table: one column per run, one row per metric.

import { METRIC_LABELS } from "./metrics.js";

const ROWS = Object.keys(METRIC_LABELS);
const fmt = new Intl.NumberFormat("en");

export function createMetricsPanel(table) {
  let columns = "";
  const cells = {};

  function build(names) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    const corner = document.createElement("th");
    corner.scope = "col";
    corner.textContent = "For the run so far";
    head.append(corner);
    for (const name of names) {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = name;
      head.append(th);
    }
    const body = table.createTBody();
    for (const key of ROWS) {
      const row = body.insertRow();
      const th = document.createElement("th");
      th.scope = "row";
      th.textContent = METRIC_LABELS[key];
      row.append(th);
      cells[key] = names.map(() => row.insertCell());
    }
  }

  return {
    /** `runs` is [{name, metrics}]; one column each. */
    render(runs) {
      const names = runs.map((r) => r.name);
      if (names.join("|") !== columns) {
        build(names);
        columns = names.join("|");
      }
      for (const key of ROWS) {
        runs.forEach((r, i) => {
          const text = fmt.format(r.metrics[key] ?? 0);
          if (cells[key][i].textContent !== text) cells[key][i].textContent = text;
        });
      }
    },
  };
}
