// Small DOM helpers: elements are built with h(), never from HTML strings (no injection, CSP-friendly).

let counter = 0;
export const uid = (prefix = "f") => `${prefix}-${++counter}`;

/** h("p", {class: "x", onclick: fn}, "text", child...) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "value") el.value = value;
    else if (key === "checked" || key === "disabled" || key === "hidden" || key === "selected") el[key] = true;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [key, value] of Object.entries(attrs)) if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** A labelled control with a hint and a place for the server's problem. */
export function field({ label, name, path, type = "text", value, options, hint, required, readOnly, placeholder, min, max, step, list, rows }) {
  const id = uid("in");
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-problem`;
  let control;
  const common = {
    id, name, placeholder, min, max, step, list,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
    readonly: readOnly || undefined,
    dataset: path ? { path } : undefined,
  };
  if (type === "select") {
    control = h("select", common, (options || []).map((o) => {
      const [v, text] = Array.isArray(o) ? o : [o, o];
      return h("option", { value: v, selected: String(v) === String(value ?? "") }, text);
    }));
  } else if (type === "textarea") {
    control = h("textarea", { ...common, rows: rows || 4 });
    control.value = value ?? "";
  } else if (type === "checkbox") {
    control = h("input", { ...common, type, checked: Boolean(value) });
  } else {
    control = h("input", { ...common, type, value: value ?? "" });
  }
  const labelEl = h("label", { for: id }, label, required ? h("span", { class: "req", "aria-hidden": "true" }, " *") : null);
  if (required) control.setAttribute("aria-required", "true");
  const wrapper = h("div", { class: type === "checkbox" ? "field field-check" : "field" },
    type === "checkbox" ? [control, labelEl] : [labelEl, control],
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "problem", id: errorId, hidden: true }),
  );
  wrapper.control = control;
  return wrapper;
}

/** A group of checkboxes (a fieldset with a legend) whose values read as a list. */
export function checkboxGroup({ legend, name, path, options, values = [], hint }) {
  const errorId = uid("problem");
  const set = h("fieldset", { class: "checks", dataset: path ? { path } : undefined, "aria-describedby": errorId },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("div", { class: "check-row" }, options.map((o) => {
      const id = uid("ck");
      return h("span", { class: "check" }, h("input", { type: "checkbox", id, name, value: o, checked: values.includes(o) }), h("label", { for: id }, o));
    })),
    h("p", { class: "problem", id: errorId, hidden: true }),
  );
  return set;
}

export const checkedValues = (root, name) => [...root.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

export function button(text, onclick, attrs = {}) {
  return h("button", { type: "button", ...attrs, onclick }, text);
}

export function announce(message) {
  const status = document.getElementById("status");
  status.textContent = "";
  setTimeout(() => { status.textContent = message; }, 30);
  const toast = document.getElementById("toast");
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { toast.hidden = true; }, 4000);
}

/** A modal <dialog> asking to confirm; resolves to the note typed (or "") or null when cancelled. */
export function confirmDialog({ title, text, confirm = "Confirm", withNote = false, danger = false }) {
  return new Promise((resolve) => {
    const titleId = uid("dlg");
    const note = withNote ? field({ label: "Note (optional)", name: "note" }) : null;
    const dialog = h("dialog", { "aria-labelledby": titleId, class: "dialog" },
      h("form", { method: "dialog" },
        h("h2", { id: titleId }, title),
        text ? h("p", {}, text) : null,
        note,
        h("div", { class: "actions" },
          h("button", { value: "cancel", class: "secondary" }, "Cancel"),
          h("button", { value: "ok", class: danger ? "danger" : "primary" }, confirm)),
      ));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "ok" ? (note ? note.control.value : "") : null);
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

export function table(headers, rows, caption) {
  return h("table", {},
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, headers.map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, rows));
}

export function formatDate(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export const pct = (x, digits = 1) => (x === null || x === undefined ? "–" : `${(x * 100).toFixed(digits)}%`);
