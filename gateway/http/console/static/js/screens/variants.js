// Variants: content for one slot, for some visitors, at some times.

import vocab from "../vocabulary.js";
import { gql, workspace } from "../api.js";
import { announce, button, checkboxGroup, checkedValues, field, h, table, uid } from "../dom.js";
import { conditionBuilder, conditionVocabulary } from "../conditions.js";
import { contentForm } from "../content.js";
import { definitionForm, emptyRow, linkButton, page, showError, zoneList } from "./common.js";

export async function render(ctx, [id, slotKey]) {
  const ws = await workspace();
  if (id === undefined) return list(ctx, ws);
  const existing = id === "new" ? null : ws.variants.find((v) => v.id === id);
  if (id !== "new" && !existing) return page(`No variant ${id}`, ctx, h("p", {}, "It is not in the workspace."), linkButton("#/variants", "All variants"));
  if (!ws.slots.length) return page("New variant", ctx, h("p", {}, "Create a slot first: a variant is content for one slot."), linkButton("#/slots/new", "New slot"));
  return edit(ctx, ws, existing, slotKey, await conditionVocabulary());
}

function list(ctx, ws) {
  const rows = ws.variants.map((v) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/variants/${encodeURIComponent(v.id)}` }, v.id)),
    h("td", {}, v.name || ""),
    h("td", {}, v.slot),
    h("td", {}, h("span", { class: `badge ${v.status === "published" ? "ok" : ""}` }, v.status || "draft")),
    h("td", {}, String(v.priority ?? 0)),
    h("td", {}, v.audience || "—"),
    h("td", {}, v.schedule ? "scheduled" : "always")));
  return page("Variants", ctx,
    h("p", {}, "A variant is content for one slot, for some visitors, at some times. The highest priority whose targeting matches wins."),
    ctx.canEdit ? h("p", {}, linkButton("#/variants/new", "New variant", "button primary")) : null,
    table(["Variant", "Name", "Slot", "Status", "Priority", "Audience", "When"], rows.length ? rows : [emptyRow(7, "No variants yet.")], "Variants in the workspace"));
}

function edit(ctx, ws, existing, slotKey, vocabulary) {
  const variant = existing || { id: "", slot: slotKey || ws.slots[0].key, status: "draft", priority: 10, content: {} };
  const ro = !ctx.canEdit;
  const idField = field({ label: "Id", name: "id", path: "id", value: variant.id, required: true, readOnly: Boolean(existing), hint: "Lower-case letters, digits, - and _ (e.g. bf-runners)." });
  const slotField = field({ label: "Slot", name: "slot", path: "slot", type: "select", value: variant.slot, options: ws.slots.map((s) => [s.key, `${s.key} (${s.contentType})`]) });
  const name = field({ label: "Name", name: "name", path: "name", value: variant.name, hint: "For editors: what this variant is for." });
  const status = field({ label: "Status", name: "status", path: "status", type: "select", value: variant.status || "draft", hint: "Published variants are served after the next publish; drafts can be previewed.", options: vocab.variantStatuses.map((s) => [s, s === "draft" ? "draft: not served" : "published: served"]) });
  const priority = field({ label: "Priority", name: "priority", path: "priority", type: "number", value: variant.priority ?? 0, min: 0, step: 1, hint: "Higher wins when several variants match." });
  const audience = field({ label: "Audience", name: "audience", path: "audience", type: "select", value: variant.audience || "", options: [["", "Everyone (no saved audience)"], ...ws.audiences.map((a) => [a.key, a.name ? `${a.name} (${a.key})` : a.key])] });
  const conditions = conditionBuilder({ vocab: vocabulary, value: variant.conditions, path: "conditions", readOnly: ro, legend: "Extra conditions", hint: "Visitors must be in the audience and match these. No conditions and no audience: everyone." });

  // Schedule
  const sched = variant.schedule || {};
  const hasSchedule = field({ label: "Only at certain times", name: "hasSchedule", type: "checkbox", value: Boolean(variant.schedule) });
  const start = field({ label: "Start (inclusive)", type: "datetime-local", path: "schedule.start", value: sched.start ? sched.start.slice(0, 16) : "" });
  const end = field({ label: "End (exclusive)", type: "datetime-local", path: "schedule.end", value: sched.end ? sched.end.slice(0, 16) : "" });
  const zoneId = uid("zones");
  const slotZone = () => (ws.slots.find((s) => s.key === slotField.control.value) || {}).timeZone || "UTC";
  const zone = field({ label: "Time zone", path: "schedule.timeZone", value: sched.timeZone || slotZone(), list: zoneId, hint: "Start, end, days and hours are wall-clock times here." });
  const days = checkboxGroup({ legend: "Days of the week", name: "days", path: "schedule.daysOfWeek", options: vocab.days, values: sched.daysOfWeek || [], hint: "None ticked: every day." });
  const hoursFrom = field({ label: "Hours from", type: "time", path: "schedule.hours.from", value: sched.hours ? sched.hours.from : "" });
  const hoursTo = field({ label: "Hours to", type: "time", path: "schedule.hours.to", value: sched.hours ? sched.hours.to : "", hint: "May cross midnight (22:00 to 02:00)." });
  const schedBody = h("div", { class: "grid", dataset: { path: "schedule" } }, start, end, zone, zoneList(zoneId), days, h("div", { class: "grid2", dataset: { path: "schedule.hours" } }, hoursFrom, hoursTo));
  const schedProblem = h("p", { class: "problem", hidden: true });
  const schedule = h("fieldset", { dataset: { path: "schedule" } }, h("legend", {}, "Schedule"), schedProblem, hasSchedule, schedBody);
  const syncSched = () => { schedBody.hidden = !hasSchedule.control.checked; };
  hasSchedule.control.addEventListener("change", syncSched);
  syncSched();

  // Frequency cap
  const cap = variant.frequencyCap || {};
  const hasCap = field({ label: "Limit how often one visitor sees it", type: "checkbox", value: Boolean(variant.frequencyCap) });
  const capMax = field({ label: "At most (times)", type: "number", path: "frequencyCap.max", value: cap.max ?? 3, min: 1, step: 1 });
  const capHours = field({ label: "Within (hours)", type: "number", path: "frequencyCap.windowHours", value: cap.windowHours ?? 24, min: 1, step: "any" });
  const capBody = h("div", { class: "grid2" }, capMax, capHours);
  const capSet = h("fieldset", { dataset: { path: "frequencyCap" } }, h("legend", {}, "Frequency cap"), h("p", { class: "problem", hidden: true }), hasCap, capBody);
  const syncCap = () => { capBody.hidden = !hasCap.control.checked; };
  hasCap.control.addEventListener("change", syncCap);
  syncCap();

  // Content follows the slot's type
  const contentHolder = h("div");
  let content;
  const drawContent = () => {
    const slot = ws.slots.find((s) => s.key === slotField.control.value);
    const sameType = existing && slot && existing.slot === slot.key;
    content = contentForm({ type: slot ? slot.contentType : "banner", value: sameType ? variant.content : {}, path: "content", readOnly: ro, legend: `Content (${slot ? slot.contentType : "?"})` });
    contentHolder.replaceChildren(content.el);
  };
  slotField.control.addEventListener("change", drawContent);
  drawContent();

  const publishNow = existing && ctx.canEdit ? button(variant.status === "published" ? "Withdraw and publish" : "Publish this variant now", async () => {
    const mutation = variant.status === "published" ? "unpublishVariant" : "publishVariant";
    try {
      const data = await gql(`mutation($id: String!) { ${mutation}(id: $id) { version } }`, { id: variant.id });
      announce(`Release ${data[mutation].version} published.`);
      ctx.navigate(`#/variants/${encodeURIComponent(variant.id)}`);
    } catch (err) { showError(form, err); }
  }, { class: "secondary" }) : null;

  const form = definitionForm({
    ctx, kind: "variants", root: "variant", label: "Variant", existing,
    keyOf: () => idField.control.value.trim(),
    extraActions: [publishNow],
    sections: [
      h("div", { class: "grid" }, idField, slotField, name, status, priority),
      h("fieldset", { dataset: { path: "targeting" } }, h("legend", {}, "Who sees it"), audience, conditions.el),
      schedule, capSet, contentHolder,
    ],
    read: () => {
      const out = {
        id: idField.control.value.trim(),
        slot: slotField.control.value,
        status: status.control.value,
        priority: priority.control.value === "" ? 0 : Number(priority.control.value),
        content: content.read(),
      };
      if (name.control.value.trim()) out.name = name.control.value.trim();
      if (audience.control.value) out.audience = audience.control.value;
      const cond = conditions.read();
      if (cond) out.conditions = cond;
      if (hasSchedule.control.checked) {
        const s = {};
        if (start.control.value) s.start = start.control.value;
        if (end.control.value) s.end = end.control.value;
        if (zone.control.value.trim()) s.timeZone = zone.control.value.trim();
        const picked = checkedValues(days, "days");
        if (picked.length) s.daysOfWeek = picked;
        if (hoursFrom.control.value || hoursTo.control.value) s.hours = { from: hoursFrom.control.value, to: hoursTo.control.value };
        out.schedule = s;
      }
      if (hasCap.control.checked) out.frequencyCap = { max: Number(capMax.control.value), windowHours: Number(capHours.control.value) };
      return out;
    },
    onSaved: (d) => { if (!existing) ctx.navigate(`#/variants/${encodeURIComponent(d.id)}`); },
  });
  return page(existing ? `Variant ${existing.id}` : "New variant", ctx,
    h("p", {}, h("a", { href: "#/variants" }, "← All variants"), existing ? [" · ", h("a", { href: `#/preview/${encodeURIComponent(existing.slot)}/${encodeURIComponent(existing.id)}` }, "Preview this variant")] : null),
    form);
}
