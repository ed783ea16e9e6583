// Slots: the list, and one form per slot (its default content follows its content type).

import vocab from "../vocabulary.js";
import { workspace } from "../api.js";
import { checkboxGroup, checkedValues, field, h, table, uid } from "../dom.js";
import { CONTENT_LABELS, contentForm, renderContent } from "../content.js";
import { definitionForm, emptyRow, linkButton, page, zoneList } from "./common.js";

export async function render(ctx, [key]) {
  const ws = await workspace();
  if (key === undefined) return list(ctx, ws);
  const existing = key === "new" ? null : ws.slots.find((s) => s.key === key);
  if (key !== "new" && !existing) return page(`No slot ${key}`, ctx, h("p", {}, "It is not in the workspace."), linkButton("#/slots", "All slots"));
  return edit(ctx, ws, existing);
}

function list(ctx, ws) {
  const rows = ws.slots.map((s) => h("tr", {},
    h("th", { scope: "row" }, h("a", { href: `#/slots/${encodeURIComponent(s.key)}` }, s.key)),
    h("td", {}, CONTENT_LABELS[s.contentType] || s.contentType),
    h("td", {}, (s.channels || []).length ? s.channels.join(", ") : "every channel"),
    h("td", {}, String(ws.variants.filter((v) => v.slot === s.key).length)),
    h("td", {}, s.description || "")));
  return page("Slots", ctx,
    h("p", {}, "A slot is a place on a page: it shows its default content unless a variant or an experiment applies."),
    ctx.canEdit ? h("p", {}, linkButton("#/slots/new", "New slot", "button primary")) : null,
    table(["Slot", "Content type", "Channels", "Variants", "Description"], rows.length ? rows : [emptyRow(5, "No slots yet.")], "Slots in the workspace"));
}

function edit(ctx, ws, existing) {
  const slot = existing || { key: "", contentType: vocab.contentTypes[0], channels: [], timeZone: "UTC", default: {} };
  const keyField = field({ label: "Key", name: "key", path: "key", value: slot.key, required: true, readOnly: Boolean(existing), hint: "Lower-case letters, digits, - and _ (e.g. home-hero). Storefronts ask for the slot by this key." });
  const description = field({ label: "Description", name: "description", path: "description", value: slot.description });
  const channels = checkboxGroup({ legend: "Channels", name: "channels", path: "channels", options: vocab.channels, values: slot.channels || [], hint: "None ticked: every channel." });
  const typeField = field({ label: "Content type", name: "contentType", path: "contentType", type: "select", value: slot.contentType, options: vocab.contentTypes.map((t) => [t, CONTENT_LABELS[t] || t]), hint: existing ? "Fixed once the slot exists (its variants use it)." : "" });
  if (existing) typeField.control.disabled = true;
  const zoneId = uid("zones");
  const zone = field({ label: "Time zone", name: "timeZone", path: "timeZone", value: slot.timeZone || "UTC", list: zoneId, hint: "The shop's time zone: variant schedules and time-of-day conditions use it." });
  const contentHolder = h("div");
  let content;
  const drawContent = () => {
    content = contentForm({ type: typeField.control.value, value: typeField.control.value === slot.contentType ? slot.default : {}, path: "default", readOnly: !ctx.canEdit, legend: "Default content (shown when nothing else applies)" });
    contentHolder.replaceChildren(content.el);
  };
  typeField.control.addEventListener("change", drawContent);
  drawContent();
  const form = definitionForm({
    ctx, kind: "slots", root: "slot", label: "Slot", existing,
    keyOf: () => keyField.control.value.trim(),
    sections: [keyField, description, typeField, channels, zone, zoneList(zoneId), contentHolder],
    read: () => {
      const out = { key: keyField.control.value.trim(), contentType: typeField.control.value, default: content.read() };
      if (description.control.value.trim()) out.description = description.control.value.trim();
      const picked = checkedValues(channels, "channels");
      if (picked.length) out.channels = picked;
      if (zone.control.value.trim()) out.timeZone = zone.control.value.trim();
      return out;
    },
    onSaved: (d) => { if (!existing) ctx.navigate(`#/slots/${encodeURIComponent(d.key)}`); },
  });
  const variants = existing ? ws.variants.filter((v) => v.slot === existing.key) : [];
  return page(existing ? `Slot ${existing.key}` : "New slot", ctx,
    h("p", {}, h("a", { href: "#/slots" }, "← All slots")),
    form,
    existing ? h("section", { class: "card", "aria-labelledby": "slot-variants" },
      h("h2", { id: "slot-variants" }, "Variants of this slot"),
      table(["Variant", "Status", "Priority", "Audience"], variants.length ? variants.map((v) => h("tr", {},
        h("th", { scope: "row" }, h("a", { href: `#/variants/${encodeURIComponent(v.id)}` }, v.id)),
        h("td", {}, v.status || "draft"), h("td", {}, String(v.priority ?? 0)), h("td", {}, v.audience || "—"))) : [emptyRow(4, "No variants: everyone sees the default content.")]),
      ctx.canEdit ? h("p", {}, linkButton(`#/variants/new/${encodeURIComponent(existing.key)}`, "Add a variant")) : null) : null,
    existing ? h("section", { class: "card", "aria-labelledby": "slot-default" },
      h("h2", { id: "slot-default" }, "Default content as a storefront shows it"),
      renderContent(existing.contentType, existing.default)) : null);
}
