// Experiments: A/B/n over one slot or multivariate over several; results as charts.

import vocab from "../vocabulary.js";
import { gql, workspace } from "../api.js";
import { button, field, h, pct, table, uid } from "../dom.js";
import { conditionBuilder, conditionVocabulary } from "../conditions.js";
import { bestChart, rateChart, splitChart, upliftChart } from "../charts.js";
import { definitionForm, emptyRow, linkButton, page } from "./common.js";

const RESULTS = `query($key: String!) { experimentResults(key: $key) { key name status published notice totalExposures
  srmChiSquare srmPValue srmDetected
  arms { arm isControl isHoldout expectedShare exposures clicks conversions clickRate conversionRate
         clickRateInterval { estimate low high } conversionRateInterval { estimate low high }
         difference { estimate low high } uplift { estimate low high } probabilityBest } } }`;

export async function render(ctx, [key]) {
  const ws = await workspace();
  if (key === undefined) return list(ctx, ws);
  const existing = key === "new" ? null : ws.experiments.find((e) => e.key === key);
  if (key !== "new" && !existing) return page(`No experiment ${key}`, ctx, linkButton("#/experiments", "All experiments"));
  return edit(ctx, ws, existing, await conditionVocabulary());
}

function list(ctx, ws) {
  const rows = ws.experiments.map((e) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/experiments/${encodeURIComponent(e.key)}` }, e.key)),
    h("td", {}, e.name || ""),
    h("td", {}, e.type === "multivariate" ? "multivariate" : "A/B/n"),
    h("td", {}, h("span", { class: `badge ${e.status === "running" ? "ok" : ""}` }, e.status || "draft")),
    h("td", {}, e.type === "multivariate" ? (e.factors || []).map((f) => f.slot).join(", ") : e.slot),
    h("td", {}, e.type === "multivariate" ? `${(e.factors || []).length} factors` : (e.arms || []).map((a) => a.key).join(", "))));
  return page("Experiments", ctx,
    h("p", {}, "Test variants against each other (A/B/n over one slot) or combinations over several slots (multivariate). The first arm is the control."),
    ctx.canEdit ? h("p", {}, linkButton("#/experiments/new", "New experiment", "button primary")) : null,
    table(["Experiment", "Name", "Type", "Status", "Slots", "Arms"], rows.length ? rows : [emptyRow(6, "No experiments yet.")], "Experiments in the workspace"));
}

/** Rows of arms (or levels): key, variant of the slot (or its default content), weight. */
function levelsEditor({ legend, path, ws, slotOf, levels, readOnly, what }) {
  const problemId = uid("problem");
  const rows = h("div", { class: "arms" });
  const set = h("fieldset", { dataset: { path }, "aria-describedby": problemId }, h("legend", {}, legend),
    h("p", { class: "hint" }, `The first ${what} is the control. Weights are percentages adding up to 100; leave them all empty for an equal split.`),
    h("p", { class: "problem", id: problemId, hidden: true }), rows);
  const items = [];
  const variantOptions = () => [["", "the slot's default content"], ...ws.variants.filter((v) => v.slot === slotOf()).map((v) => [v.id, `${v.id}${v.status === "published" ? "" : " (draft)"}`])];
  const draw = () => {
    rows.replaceChildren();
    items.forEach((item, i) => {
      const row = h("div", { class: "arm-row", role: "group", "aria-label": `${what} ${i + 1}${i === 0 ? " (control)" : ""}` },
        field({ label: i === 0 ? `Control ${what} key` : `${what[0].toUpperCase()}${what.slice(1)} ${i + 1} key`, value: item.key, path: `${path}[${i}].key`, readOnly }),
        field({ label: "Shows", type: "select", value: item.variant || "", options: variantOptions(), path: `${path}[${i}].variant` }),
        field({ label: "Weight (%)", type: "number", value: item.weight ?? "", min: 0, max: 100, step: "any", path: `${path}[${i}].weight`, readOnly }),
        !readOnly && items.length > 2 ? button("Remove", () => { capture(); items.splice(i, 1); draw(); }, { class: "link", "aria-label": `Remove ${what} ${i + 1}` }) : null);
      if (readOnly) row.querySelector("select").disabled = true;
      item.row = row;
      rows.append(row);
    });
  };
  const capture = () => {
    for (const item of items) {
      if (!item.row) continue;
      const [k, w] = item.row.querySelectorAll("input");
      item.key = k.value.trim();
      item.variant = item.row.querySelector("select").value || null;
      item.weight = w.value === "" ? null : Number(w.value);
    }
  };
  (levels && levels.length ? levels : [{ key: "control", variant: null }, { key: "b", variant: null }]).forEach((l) => items.push({ ...l }));
  draw();
  if (!readOnly) set.append(button(`Add ${what}`, () => { capture(); items.push({ key: "", variant: null, weight: null }); draw(); rows.lastChild.querySelector("input").focus(); }, { class: "secondary small" }));
  return {
    el: set,
    redraw: () => { capture(); draw(); },
    read: () => {
      capture();
      return items.map((it) => {
        const out = { key: it.key, variant: it.variant || null };
        if (it.weight !== null && it.weight !== undefined) out.weight = it.weight;
        return out;
      });
    },
  };
}

function edit(ctx, ws, existing, vocabulary) {
  const exp = existing || { key: "", name: "", type: "ab", status: "draft", slot: ws.slots[0] && ws.slots[0].key, arms: null, traffic: 100, holdout: 0, attributionDays: 7 };
  const ro = !ctx.canEdit;
  const slotOptions = ws.slots.map((s) => [s.key, s.key]);
  const keyField = field({ label: "Key", path: "key", value: exp.key, required: true, readOnly: Boolean(existing), hint: "Renaming an experiment reshuffles every visitor's arm." });
  const name = field({ label: "Name", path: "name", value: exp.name });
  const type = field({ label: "Type", path: "type", type: "select", value: exp.type || "ab", options: [["ab", "A/B/n over one slot"], ["multivariate", "Multivariate over several slots"]] });
  if (existing) type.control.disabled = true;
  const status = field({ label: "Status", path: "status", type: "select", value: exp.status || "draft", options: vocab.experimentStatuses.map((s) => [s, s]), hint: "Running experiments need published variants; results count after the next publish." });
  const traffic = field({ label: "Traffic (%)", path: "traffic", type: "number", value: exp.traffic ?? 100, min: 0, max: 100, step: "any", hint: "Share of targeted visitors who enter." });
  const holdout = field({ label: "Holdout (%)", path: "holdout", type: "number", value: exp.holdout ?? 0, min: 0, max: 99, step: "any", hint: "Share of entering visitors who see the default content, measured." });
  const attribution = field({ label: "Attribution window (days)", path: "attributionDays", type: "number", value: exp.attributionDays ?? 7, min: 1, max: 90, step: "any", hint: "An order within this many days after the first exposure counts as a conversion." });
  const audience = field({ label: "Audience", path: "audience", type: "select", value: exp.audience || "", options: [["", "Everyone"], ...ws.audiences.map((a) => [a.key, a.name ? `${a.name} (${a.key})` : a.key])] });
  const conditions = conditionBuilder({ vocab: vocabulary, value: exp.conditions, path: "conditions", readOnly: ro, legend: "Who may enter (extra conditions)" });
  const goals = h("fieldset", {}, h("legend", {}, "Goals"),
    h("p", {}, "Measured for every experiment, counted once per visitor: ", h("strong", {}, "clicks"), " (the storefront sends Promotion Clicked with the decision id) and ", h("strong", {}, "conversions"), " (an Order Completed within the attribution window)."));

  // A/B/n
  const slotField = field({ label: "Slot", path: "slot", type: "select", value: exp.slot, options: slotOptions });
  const arms = levelsEditor({ legend: "Arms", path: "arms", ws, slotOf: () => slotField.control.value, levels: exp.arms, readOnly: ro, what: "arm" });
  slotField.control.addEventListener("change", () => arms.redraw());
  const abPart = h("div", {}, slotField, arms.el);

  // Multivariate
  const factors = [];
  const factorsBox = h("div", { dataset: { path: "factors" } });
  const addFactor = (f) => {
    const i = factors.length;
    const slot = field({ label: `Factor ${i + 1} slot`, path: `factors[${i}].slot`, type: "select", value: f.slot || (ws.slots[i] || ws.slots[0] || {}).key, options: slotOptions });
    const levels = levelsEditor({ legend: `Factor ${i + 1} levels`, path: `factors[${i}].levels`, ws, slotOf: () => slot.control.value, levels: f.levels, readOnly: ro, what: "level" });
    slot.control.addEventListener("change", () => levels.redraw());
    factors.push({ slot, levels });
    factorsBox.append(h("div", { class: "factor" }, slot, levels.el));
  };
  const factorProblem = h("p", { class: "problem", hidden: true });
  (exp.factors && exp.factors.length ? exp.factors : [{}, {}]).forEach(addFactor);
  const mvPart = h("fieldset", { dataset: { path: "factors" } }, h("legend", {}, "Factors (one per slot)"), factorProblem, factorsBox,
    ro ? null : button("Add factor", () => addFactor({}), { class: "secondary small" }));
  const syncType = () => { const ab = type.control.value === "ab"; abPart.hidden = !ab; mvPart.hidden = ab; };
  type.control.addEventListener("change", syncType);
  syncType();

  const form = definitionForm({
    ctx, kind: "experiments", root: "experiment", label: "Experiment", existing,
    keyOf: () => keyField.control.value.trim(),
    sections: [h("div", { class: "grid" }, keyField, name, type, status), abPart, mvPart,
      h("div", { class: "grid" }, traffic, holdout, attribution, audience), conditions.el, goals],
    read: () => {
      const out = { key: keyField.control.value.trim(), type: type.control.value, status: status.control.value };
      if (name.control.value.trim()) out.name = name.control.value.trim();
      if (out.type === "ab") { out.slot = slotField.control.value; out.arms = arms.read(); }
      else out.factors = factors.map((f) => ({ slot: f.slot.control.value, levels: f.levels.read() }));
      if (traffic.control.value !== "") out.traffic = Number(traffic.control.value);
      if (holdout.control.value !== "") out.holdout = Number(holdout.control.value);
      if (attribution.control.value !== "") out.attributionDays = Number(attribution.control.value);
      if (audience.control.value) out.audience = audience.control.value;
      const cond = conditions.read();
      if (cond) out.conditions = cond;
      return out;
    },
    onSaved: (d) => { if (!existing) ctx.navigate(`#/experiments/${encodeURIComponent(d.key)}`); },
  });
  const resultsBox = h("section", { class: "card results", "aria-labelledby": "results-title" }, h("h2", { id: "results-title" }, "Results"));
  if (existing) loadResults(resultsBox, existing.key);
  return page(existing ? `Experiment ${existing.key}` : "New experiment", ctx,
    h("p", {}, h("a", { href: "#/experiments" }, "← All experiments")),
    existing ? resultsBox : null, form);
}

async function loadResults(box, key) {
  const body = h("div", { "aria-live": "polite" }, h("p", { class: "muted" }, "Loading results…"));
  const refresh = button("Refresh results", () => loadResults(box, key), { class: "secondary small" });
  box.replaceChildren(box.firstChild, refresh, body);
  let results;
  try {
    results = (await gql(RESULTS, { key })).experimentResults;
  } catch (err) {
    body.replaceChildren(h("p", { class: "alert", role: "alert" }, err.message));
    return;
  }
  body.replaceChildren(...resultsView(results));
}

export function resultsView(r) {
  const srm = r.srmDetected
    ? h("div", { class: "srm-warning", role: "alert" },
      h("strong", {}, "Sample-ratio mismatch: do not trust these numbers yet. "),
      `Exposures per arm do not match the configured split (p = ${r.srmPValue === null ? "?" : r.srmPValue.toExponential(1)}). Something — a redirect, a cache, a bot filter, a changed split — treats the arms differently. Fix it before reading the results.`)
    : h("p", { class: "srm-ok" }, r.srmPValue === null ? "The split check needs more exposures." : `The split matches the configuration (sample-ratio check p = ${r.srmPValue.toFixed(2)}).`);
  const interval = (ci) => (ci ? ` (${pct(ci.low, 1)} to ${pct(ci.high, 1)})` : "");
  const rows = r.arms.map((a) => h("tr", { "data-arm": a.arm },
    h("th", { scope: "row" }, a.isHoldout ? "holdout" : a.isControl && a.arm !== "control" ? `${a.arm} (control)` : a.arm),
    h("td", { class: "num", "data-col": "exposures" }, String(a.exposures)),
    h("td", { class: "num" }, `${pct(r.totalExposures ? a.exposures / r.totalExposures : 0, 0)} / ${pct(a.expectedShare, 0)}`),
    h("td", { class: "num" }, String(a.clicks)),
    h("td", { class: "num", "data-col": "conversions" }, String(a.conversions)),
    h("td", { class: "num" }, pct(a.clickRate, 2), h("span", { class: "ci" }, interval(a.clickRateInterval))),
    h("td", { class: "num", "data-col": "rate" }, pct(a.conversionRate, 2), h("span", { class: "ci" }, interval(a.conversionRateInterval))),
    h("td", { class: "num" }, a.uplift ? `${pct(a.uplift.estimate)} (${pct(a.uplift.low)} to ${pct(a.uplift.high)})` : "–"),
    h("td", { class: "num", "data-col": "best" }, a.probabilityBest === null ? "–" : pct(a.probabilityBest, 0))));
  const clicks = { rate: "clickRate", interval: "clickRateInterval", what: "clicked", title: "Click rate per arm, 95% interval" };
  return [
    r.notice ? h("p", { class: r.published ? "notice" : "notice unpublished", role: "status" }, r.notice) : null,
    h("p", { class: "total" }, h("strong", { "data-total": String(r.totalExposures) }, r.totalExposures.toLocaleString()), " visitors exposed · status ", r.status, r.published ? "" : " (workspace only)"),
    r.totalExposures ? srm : null,
    r.totalExposures ? h("div", { class: "charts" }, rateChart(r.arms), rateChart(r.arms, clicks), upliftChart(r.arms), bestChart(r.arms), splitChart(r.arms, r.totalExposures)) : null,
    table(["Arm", "Exposures", "Share (actual / expected)", "Clicks", "Conversions", "Click rate (95% interval)", "Conversion rate (95% interval)", "Uplift (95% interval)", "P(best)"], rows, "Results per arm"),
  ].filter(Boolean);
}
