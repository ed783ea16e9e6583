// Audiences (saved conditions for variants and experiments) and segments (memberships kept
// per profile, with their sizes).

import { gql, workspace } from "../api.js";
import { announce, button, confirmDialog, field, h, table } from "../dom.js";
import { conditionBuilder, conditionVocabulary } from "../conditions.js";
import { clearProblems, showProblems } from "../problems.js";
import { definitionForm, emptyRow, linkButton, page, showError } from "./common.js";

const SEGMENTS = "{ segments { key name description definition timeBased updatedAt size } }";
const SIZE = "query($k: String, $c: JSON) { audienceSize(key: $k, conditions: $c) { status matching upTo scanned complete note } }";

/** "12", "~12" (a sample), "0–40" (depends on the page view) or "?" (only a page view can tell). */
function sizeLabel(size) {
  if (size.status === "UNKNOWN") return "?";
  if (size.status === "RANGE") return `${size.matching.toLocaleString()}–${size.upTo.toLocaleString()}`;
  return `${size.status === "ESTIMATE" ? "~" : ""}${size.matching.toLocaleString()}`;
}

/** The server's count for an audience (by key, or a condition being edited), shown in `cell`. */
async function showSize(cell, variables, long = false) {
  cell.replaceChildren(h("span", { class: "muted" }, "counting…"));
  try {
    const size = (await gql(SIZE, variables)).audienceSize;
    cell.dataset.status = size.status;
    cell.replaceChildren(...[h("strong", { class: "audience-size" }, sizeLabel(size)), long ? h("span", { class: "size-note" }, ` ${size.note}`) : null].filter(Boolean));
    cell.title = size.note;
  } catch (err) {
    cell.replaceChildren(h("span", { class: "problem-inline" }, err.message));
  }
}
const SAVE_SEGMENT = `mutation($k: String!, $n: String!, $d: JSON!, $desc: String!) {
  saveSegment(key: $k, name: $n, definition: $d, description: $desc) { ok segment { key size } problems { path message } } }`;

export async function render(ctx, [key, segmentKey]) {
  if (key === "segment") return editSegment(ctx, segmentKey);
  const ws = await workspace();
  if (key === undefined) return list(ctx, ws);
  const existing = key === "new" ? null : ws.audiences.find((a) => a.key === key);
  if (key !== "new" && !existing) return page(`No audience ${key}`, ctx, linkButton("#/audiences", "All audiences"));
  return editAudience(ctx, ws, existing, await conditionVocabulary());
}

async function list(ctx, ws) {
  const segments = (await gql(SEGMENTS)).segments;
  const used = (key) => ws.variants.filter((v) => v.audience === key).length + ws.experiments.filter((e) => e.audience === key).length;
  const audienceRows = ws.audiences.map((a) => {
    const size = h("td", { class: "num", dataset: { audienceSize: a.key } });
    showSize(size, { k: a.key });
    return h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/audiences/${encodeURIComponent(a.key)}` }, a.key)),
      h("td", {}, a.name || ""), size, h("td", {}, String(used(a.key))));
  });
  const segmentRows = segments.map((s) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/audiences/segment/${encodeURIComponent(s.key)}` }, s.key)),
    h("td", {}, s.name), h("td", { class: "num", dataset: { size: s.key } }, s.size.toLocaleString()),
    h("td", {}, s.timeBased ? "events and schedule" : "events")));
  return page("Audiences & segments", ctx,
    h("section", { class: "card", "aria-labelledby": "aud-title" },
      h("h2", { id: "aud-title" }, "Audiences"),
      h("p", {}, "An audience is a saved condition that variants and experiments target. It is evaluated per request."),
      h("p", { class: "hint" }, "Profiles now: counted by the server over stored profiles. ~ marks a sample of the first profiles, a range an audience that also depends on the page view (country, cart...), ? one only a page view can decide. Hover for the details."),
      ctx.canEdit ? h("p", {}, linkButton("#/audiences/new", "New audience", "button primary")) : null,
      table(["Audience", "Name", "Profiles now", "Used by"], audienceRows.length ? audienceRows : [emptyRow(4, "No audiences yet.")], "Audiences in the workspace")),
    h("section", { class: "card", "aria-labelledby": "seg-title" },
      h("h2", { id: "seg-title" }, "Segments"),
      h("p", {}, "A segment keeps its members per profile as events arrive; the size is how many profiles are in it now. Target one with the condition “segments contains <key>”."),
      ctx.canEdit ? h("p", { class: "actions" }, linkButton("#/audiences/segment/new", "New segment", "button primary"),
        button("Re-evaluate every profile now", async () => {
          try { const n = (await gql("mutation { reevaluateSegments }")).reevaluateSegments; announce(`Re-evaluated: ${n} membership changes.`); ctx.navigate("#/audiences"); } catch (err) { announce(err.message); }
        }, { class: "secondary" })) : null,
      table(["Segment", "Name", "Profiles now", "Kept up to date by"], segmentRows.length ? segmentRows : [emptyRow(4, "No segments yet.")], "Segments")));
}

function editAudience(ctx, ws, existing, vocab) {
  const audience = existing || { key: "", name: "", conditions: null };
  const keyField = field({ label: "Key", name: "key", path: "key", value: audience.key, required: true, readOnly: Boolean(existing), hint: "Lower-case letters, digits, - and _ (e.g. runners)." });
  const name = field({ label: "Name", name: "name", path: "name", value: audience.name });
  const conditions = conditionBuilder({ vocab, value: audience.conditions, path: "conditions", readOnly: !ctx.canEdit, legend: "Who belongs to it" });
  const sizeOut = h("p", { class: "size-out", "aria-live": "polite" });
  const count = () => {
    const tree = conditions.read();
    if (!tree) { sizeOut.replaceChildren("No conditions: every visitor."); return; }
    showSize(sizeOut, { c: tree }, true);
  };
  const sizeBox = h("section", { class: "size-box", "aria-label": "Profiles in this audience now" },
    button("Count matching profiles", count, { class: "secondary small" }), sizeOut);
  if (existing) count();
  const form = definitionForm({
    ctx, kind: "audiences", root: "audience", label: "Audience", existing,
    keyOf: () => keyField.control.value.trim(),
    sections: [keyField, name, conditions.el, sizeBox],
    read: () => {
      const out = { key: keyField.control.value.trim(), conditions: conditions.read() };
      if (name.control.value.trim()) out.name = name.control.value.trim();
      return out;
    },
    onSaved: (d) => { if (!existing) ctx.navigate(`#/audiences/${encodeURIComponent(d.key)}`); },
  });
  return page(existing ? `Audience ${existing.key}` : "New audience", ctx, h("p", {}, h("a", { href: "#/audiences" }, "← Audiences & segments")), form);
}

async function editSegment(ctx, key) {
  const [segments, vocab] = await Promise.all([gql(SEGMENTS).then((d) => d.segments), conditionVocabulary()]);
  const existing = key === "new" ? null : segments.find((s) => s.key === key);
  const seg = existing || { key: "", name: "", description: "", definition: null };
  const keyField = field({ label: "Key", name: "key", path: "key", value: seg.key, required: true, readOnly: Boolean(existing) });
  const name = field({ label: "Name", name: "name", path: "name", value: seg.name, required: true });
  const description = field({ label: "Description", name: "description", path: "description", value: seg.description, type: "textarea", rows: 2 });
  const conditions = conditionBuilder({ vocab, value: seg.definition, path: "conditions", readOnly: !ctx.canEdit, legend: "Who belongs to it" });
  const summary = h("div", { class: "form-summary alert", role: "alert", tabindex: "-1", hidden: true });
  const form = h("form", { class: "card definition", novalidate: true, "aria-label": "Segment" }, summary,
    h("fieldset", { class: "plain", disabled: !ctx.canEdit }, keyField, name, description, conditions.el),
    existing ? h("p", {}, "Profiles in it now: ", h("strong", { class: "segment-size" }, existing.size.toLocaleString())) : null);
  if (ctx.canEdit) {
    form.append(h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, existing ? "Save changes" : "Create segment"),
      existing ? button("Delete segment", async () => {
        if ((await confirmDialog({ title: `Delete segment ${seg.key}?`, text: "Its memberships are dropped.", confirm: "Delete", danger: true })) === null) return;
        try { await gql("mutation($k: String!) { deleteSegment(key: $k) }", { k: seg.key }); announce(`Deleted segment ${seg.key}.`); ctx.navigate("#/audiences"); } catch (err) { showError(form, err); }
      }, { class: "danger" }) : null));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    try {
      const vars = { k: keyField.control.value.trim(), n: name.control.value.trim(), d: conditions.read() || {}, desc: description.control.value };
      const result = (await gql(SAVE_SEGMENT, vars)).saveSegment;
      // Every problem at once, each at its field (key, name, conditions...), as the slot saves.
      if (!result.ok) { showProblems(form, result.problems, "segment"); return; }
      announce(`Saved segment ${result.segment.key}: ${result.segment.size} profiles now.`);
      if (!existing) ctx.navigate(`#/audiences/segment/${encodeURIComponent(result.segment.key)}`);
    } catch (err) {
      showError(form, err);
    }
  });
  return page(existing ? `Segment ${existing.key}` : "New segment", ctx, h("p", {}, h("a", { href: "#/audiences" }, "← Audiences & segments")), form);
}
