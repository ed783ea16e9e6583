// Pieces the definition screens share: the form frame, save and delete with problems shown.

import { ApiError, deleteDefinition, saveDefinition } from "../api.js";
import { announce, button, confirmDialog, h } from "../dom.js";
import { clearProblems, showProblems } from "../problems.js";

export const TIME_ZONES = (() => {
  try { return Intl.supportedValuesOf("timeZone"); } catch { return ["UTC", "Europe/Warsaw", "Europe/London", "America/New_York"]; }
})();

export function zoneList(id) {
  return h("datalist", { id }, ["UTC", ...TIME_ZONES.filter((z) => z !== "UTC")].map((z) => h("option", { value: z })));
}

/** The page frame: heading, a back link, the read-only note for viewers. */
export function page(title, ctx, ...children) {
  return h("div", { class: "screen" },
    h("h1", { tabindex: "-1" }, title),
    ctx && !ctx.canEdit ? h("p", { class: "note" }, "Your key is a viewer key: you can look, not change.") : null,
    children);
}

/**
 * A definition form. `read()` builds the JSON; Save calls the admin API and shows its problems
 * at their fields (root: "slot", "variant"...). Viewers get the fields disabled and no buttons.
 */
export function definitionForm({ ctx, kind, root, label, sections, read, keyOf, existing, onSaved, extraActions = [] }) {
  const summary = h("div", { class: "form-summary alert", role: "alert", tabindex: "-1", hidden: true });
  const fields = h("fieldset", { class: "plain", disabled: !ctx.canEdit }, sections);
  const form = h("form", { class: "card definition", novalidate: true, "aria-label": label }, summary, fields);
  if (ctx.canEdit) {
    form.append(h("div", { class: "actions" },
      h("button", { type: "submit", class: "primary" }, existing ? "Save changes" : `Create ${root}`),
      extraActions,
      existing ? button(`Delete ${root}`, async () => {
        const key = keyOf();
        if ((await confirmDialog({ title: `Delete ${root} ${key}?`, text: "It leaves the workspace; the next publish removes it from the storefront.", confirm: "Delete", danger: true })) === null) return;
        try {
          const result = await deleteDefinition(kind, key);
          if (result.ok) { announce(`Deleted ${root} ${key}.`); ctx.navigate(`#/${kind}`); }
          else showProblems(form, result.problems, root);
        } catch (err) { showError(form, err); }
      }, { class: "danger" }) : null));
  }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearProblems(form);
    let definition;
    try { definition = read(); } catch (err) { showProblems(form, [{ path: "", message: err.message }], root); return; }
    try {
      const result = await saveDefinition(kind, definition);
      if (!result.ok) { showProblems(form, result.problems, root); return; }
      announce(`Saved ${root} ${keyOf()}. Publish a release to show it to shoppers.`);
      if (onSaved) onSaved(definition);
    } catch (err) { showError(form, err); }
  });
  return form;
}

export function showError(form, err) {
  const summary = form.querySelector(".form-summary");
  summary.replaceChildren(err instanceof ApiError && err.code === "FORBIDDEN" ? `Refused by the server: ${err.message}` : err.message || String(err));
  summary.hidden = false;
  summary.focus();
}

export const linkButton = (href, text, cls = "button secondary") => h("a", { href, class: cls }, text);

export function emptyRow(cols, text) {
  return h("tr", {}, h("td", { colspan: cols, class: "muted" }, text));
}
