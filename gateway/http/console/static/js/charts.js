// Experiment result charts drawn as inline SVG (no chart library). Each chart has a title and
// a description for screen readers; the table beside it holds the same numbers.

import { h, pct, svg, uid } from "./dom.js";

const W = 560;
const ROW = 34;
const LEFT = 120;
const RIGHT = 96;

function frame(title, description, height, body) {
  const titleId = uid("chart");
  const descId = `${titleId}-desc`;
  return h("figure", { class: "chart" },
    svg("svg", { viewBox: `0 0 ${W} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, width: "100%" },
      svg("title", { id: titleId }, title), svg("desc", { id: descId }, description), body),
    h("figcaption", {}, title));
}

const armLabel = (a) => (a.isHoldout ? "holdout" : a.isControl && a.arm !== "control" ? `${a.arm} (control)` : a.arm);

/** A rate per arm (conversion or click): one bar each, with the server's Wilson 95% interval as an error bar. */
export function rateChart(arms, { rate = "conversionRate", interval = "conversionRateInterval", what = "converted", title = "Conversion rate per arm, 95% interval" } = {}) {
  const max = Math.max(0.0001, ...arms.map((a) => (a[interval] ? a[interval].high : a[rate] || 0)));
  const scale = (x) => LEFT + (x / max) * (W - LEFT - RIGHT);
  const rows = arms.map((a, i) => {
    const y = 10 + i * ROW;
    const value = a[rate];
    const ci = a[interval];
    const mid = y + 4 + (ROW - 12) / 2;
    return svg("g", { class: a.isControl ? "control" : a.isHoldout ? "holdout" : "arm", "data-arm": a.arm },
      svg("text", { x: LEFT - 8, y: y + 16, "text-anchor": "end", class: "label" }, armLabel(a)),
      svg("rect", { x: LEFT, y: y + 4, width: value ? Math.max(1, scale(value) - LEFT) : 0, height: ROW - 12, class: "bar" }),
      ci ? svg("g", { class: "error-bar", "data-low": ci.low, "data-high": ci.high },
        svg("line", { x1: scale(ci.low), x2: scale(ci.high), y1: mid, y2: mid }),
        svg("line", { x1: scale(ci.low), x2: scale(ci.low), y1: mid - 6, y2: mid + 6 }),
        svg("line", { x1: scale(ci.high), x2: scale(ci.high), y1: mid - 6, y2: mid + 6 })) : null,
      svg("text", { x: W - RIGHT + 6, y: y + 16, class: "value" }, value === null ? "no exposures" : pct(value, 2)));
  });
  const desc = arms.map((a) => {
    const ci = a[interval];
    if (a[rate] === null) return `${armLabel(a)}: no exposures`;
    return `${armLabel(a)}: ${pct(a[rate], 2)} of ${a.exposures} exposed visitors ${what}${ci ? ` (95% interval ${pct(ci.low, 1)} to ${pct(ci.high, 1)})` : ""}`;
  }).join("; ");
  return frame(title, desc, 16 + arms.length * ROW, rows);
}

/** Uplift against the control with its 95% interval; a zero line says "no difference". */
export function upliftChart(arms) {
  const withUplift = arms.filter((a) => a.uplift);
  if (!withUplift.length) return h("p", { class: "muted" }, "Uplift appears once the control and an arm both have conversions.");
  const lo = Math.min(-0.1, ...withUplift.map((a) => a.uplift.low));
  const hi = Math.max(0.1, ...withUplift.map((a) => a.uplift.high));
  const scale = (x) => LEFT + ((x - lo) / (hi - lo)) * (W - LEFT - RIGHT);
  const zero = scale(0);
  const height = 30 + withUplift.length * ROW;
  const rows = withUplift.map((a, i) => {
    const y = 10 + i * ROW + 12;
    const clear = a.uplift.low > 0 || a.uplift.high < 0;
    return svg("g", { class: clear ? (a.uplift.low > 0 ? "better" : "worse") : "unclear", "data-arm": a.arm },
      svg("text", { x: LEFT - 8, y: y + 4, "text-anchor": "end", class: "label" }, armLabel(a)),
      svg("line", { x1: scale(a.uplift.low), x2: scale(a.uplift.high), y1: y, y2: y, class: "interval" }),
      svg("circle", { cx: scale(a.uplift.estimate), cy: y, r: 5, class: "estimate" }),
      svg("text", { x: W - RIGHT + 6, y: y + 4, class: "value" }, `${a.uplift.estimate >= 0 ? "+" : ""}${pct(a.uplift.estimate)}`));
  });
  const desc = withUplift.map((a) => `${armLabel(a)}: ${pct(a.uplift.estimate)} (95% interval ${pct(a.uplift.low)} to ${pct(a.uplift.high)})`).join("; ");
  return frame("Uplift against the control, 95% interval", desc, height, [
    svg("line", { x1: zero, x2: zero, y1: 4, y2: height - 18, class: "zero" }),
    svg("text", { x: zero, y: height - 4, "text-anchor": "middle", class: "axis" }, "0% (same as control)"),
    rows]);
}

/** Probability that each arm has the highest conversion rate. */
export function bestChart(arms) {
  const scored = arms.filter((a) => a.probabilityBest !== null && a.probabilityBest !== undefined);
  if (!scored.length) return h("p", { class: "muted" }, "Probability to be best appears once arms have exposures.");
  const scale = (x) => LEFT + x * (W - LEFT - RIGHT);
  const rows = scored.map((a, i) => {
    const y = 10 + i * ROW;
    return svg("g", { class: "arm", "data-arm": a.arm },
      svg("text", { x: LEFT - 8, y: y + 16, "text-anchor": "end", class: "label" }, armLabel(a)),
      svg("rect", { x: LEFT, y: y + 4, width: W - LEFT - RIGHT, height: ROW - 12, class: "track" }),
      svg("rect", { x: LEFT, y: y + 4, width: Math.max(0, scale(a.probabilityBest) - LEFT), height: ROW - 12, class: a.probabilityBest >= 0.95 ? "bar winner" : "bar" }),
      svg("text", { x: W - RIGHT + 6, y: y + 16, class: "value" }, pct(a.probabilityBest, 0)));
  });
  const desc = scored.map((a) => `${armLabel(a)}: ${pct(a.probabilityBest, 0)}`).join("; ");
  return frame("Probability to be best", desc, 16 + scored.length * ROW, rows);
}

/** Expected against actual share of exposures (what the sample-ratio check tests). */
export function splitChart(arms, total) {
  const scale = (x) => LEFT + x * (W - LEFT - RIGHT);
  const rows = arms.map((a, i) => {
    const y = 10 + i * ROW;
    const actual = total ? a.exposures / total : 0;
    return svg("g", { "data-arm": a.arm },
      svg("text", { x: LEFT - 8, y: y + 16, "text-anchor": "end", class: "label" }, armLabel(a)),
      svg("rect", { x: LEFT, y: y + 4, width: Math.max(0, scale(actual) - LEFT), height: ROW - 12, class: "bar" }),
      svg("line", { x1: scale(a.expectedShare), x2: scale(a.expectedShare), y1: y, y2: y + ROW - 4, class: "expected" }),
      svg("text", { x: W - RIGHT + 6, y: y + 16, class: "value" }, `${pct(actual, 0)} / ${pct(a.expectedShare, 0)}`));
  });
  const desc = arms.map((a) => `${armLabel(a)}: ${a.exposures} exposures, ${pct(total ? a.exposures / total : 0)} actual against ${pct(a.expectedShare)} expected`).join("; ");
  return frame("Share of exposures: actual (bar) against expected (line)", desc, 16 + arms.length * ROW, rows);
}
