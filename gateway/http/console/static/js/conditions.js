// The condition builder: groups (all / any / none / not all) of field and behaviour conditions.
// It edits the same JSON tree the admin API takes (docs/editors.md) and gives every control
// the JSON path of its value, so the server's problems ("unknown operator...; did you mean
// 'gt'?") land at the right control. Fields, operators, event names, categories and brands come
// from the server (the admin API's conditionVocabulary), loaded once per sign-in.

import { gql } from "./api.js";
import { button, h, uid } from "./dom.js";

const MODES = [["all", "all of these hold"], ["any", "any of these holds"], ["none", "none of these holds"], ["notall", "not all of these hold"]];
const CUSTOM = "__custom__";
const VOCABULARY = `{ conditionVocabulary { fields { name kind help pageView } openPrefixes { name help }
  operators { name takes behaviour } events categories { id name depth } brands { id name } brandsListed } }`;
// Fields whose values are category or brand ids: their value box suggests them.
const CATEGORY_FIELDS = ["profile.interests.categories", "session.viewedCategories"];
const BRAND_FIELDS = ["profile.interests.brands"];

let loading = null;
/** The condition vocabulary from the server, indexed for the builder (one request per sign-in). */
export function conditionVocabulary() {
  if (!loading) {
    loading = gql(VOCABULARY).then(({ conditionVocabulary: v }) => ({
      ...v,
      kinds: Object.fromEntries(v.fields.map((f) => [f.name, f.kind])),
      help: Object.fromEntries([...v.fields, ...v.openPrefixes].map((f) => [f.name, f.help])),
      ops: v.operators.map((o) => o.name),
      noValueOps: v.operators.filter((o) => o.takes === "nothing").map((o) => o.name),
      listOps: v.operators.filter((o) => o.takes === "list").map((o) => o.name),
      rangeOps: v.operators.filter((o) => o.takes === "range").map((o) => o.name),
      behaviourOps: v.operators.filter((o) => o.behaviour).map((o) => o.name),
    })).catch((err) => { loading = null; throw err; });
  }
  return loading;
}
export function forgetVocabulary() { loading = null; }

const indent = (depth) => "\u00a0\u00a0".repeat(depth);
/** <option>s for a picker; a value the vocabulary does not know stays selectable (and is flagged). */
function choiceOptions(choices, current, anyLabel) {
  const options = [h("option", { value: "", selected: !current }, anyLabel)];
  if (current && !choices.some((c) => c.id === current)) options.push(h("option", { value: current, selected: true }, `${current} (not in the catalogue)`));
  for (const c of choices) options.push(h("option", { value: c.id, selected: c.id === current }, `${indent(c.depth || 0)}${c.name} (${c.id})`));
  return options;
}

function parseScalar(text, kind) {
  const t = text.trim();
  if (kind === "number" || kind === "any") {
    if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  }
  if (kind === "any" && (t === "true" || t === "false")) return t === "true";
  return t;
}

const showScalar = (v) => (v === undefined || v === null ? "" : String(v));

// --- model <-> JSON --------------------------------------------------------------------------

function fromJson(json) {
  if (!json) return { type: "group", mode: "all", children: [] };
  if (json.all || json.any) return { type: "group", mode: json.all ? "all" : "any", children: (json.all || json.any).map(nodeFromJson) };
  if (json.not) {
    const inner = json.not;
    if (inner.any) return { type: "group", mode: "none", children: inner.any.map(nodeFromJson) };
    if (inner.all) return { type: "group", mode: "notall", children: inner.all.map(nodeFromJson) };
    return { type: "group", mode: "none", children: [nodeFromJson(inner)] };
  }
  return { type: "group", mode: "all", children: [nodeFromJson(json)] };
}

function nodeFromJson(json) {
  if (json && (json.all || json.any || json.not)) return fromJson(json);
  if (json && json.behaviour) {
    const b = json.behaviour;
    return { type: "behaviour", event: b.event || "", category: b.category || "", brand: b.brand || "", product: b.product || "", withinDays: b.withinDays ?? 7, op: json.op || "gte", value: json.value };
  }
  return { type: "field", field: (json && json.field) || "", op: (json && json.op) || "equals", value: json ? json.value : undefined };
}

// --- view --------------------------------------------------------------------------------------

/**
 * builder({value, path, readOnly}) -> {el, read()}: read() returns the JSON tree (null when
 * empty) and stamps every control with its JSON path under `path` ("conditions").
 */
export function conditionBuilder({ vocab, value, path = "conditions", readOnly = false, legend = "Conditions", hint }) {
  const fieldKind = (name) => vocab.kinds[name] || "any";
  const root = fromJson(value);
  const errorId = uid("problem");
  const el = h("fieldset", { class: "conditions", dataset: { path }, "aria-describedby": errorId },
    h("legend", {}, legend),
    hint ? h("p", { class: "hint" }, hint) : null,
    h("p", { class: "problem", id: errorId, hidden: true }));
  const body = h("div");
  el.append(body);

  // Keep what was typed when the tree is redrawn (adding or removing a row).
  function sync(group) {
    if (group.modeEl) group.mode = group.modeEl.value;
    group.children.forEach((child, i) => {
      if (child.type === "group") sync(child);
      else if (child.read) group.children[i] = Object.assign(child, nodeFromJson(child.read("sync")));
    });
  }

  function rerender() {
    sync(root);
    body.replaceChildren(groupView(root, 0, null));
  }

  function groupView(group, depth, parent) {
    const modeId = uid("mode");
    const list = h("ul", { class: "cond-list" });
    const view = h("div", { class: depth ? "cond-group nested" : "cond-group" },
      h("div", { class: "cond-head" },
        h("label", { for: modeId }, depth ? "Group: show when" : "Show when"),
        h("select", { id: modeId, disabled: readOnly, onchange: (e) => { group.mode = e.target.value; } },
          MODES.map(([v, t]) => h("option", { value: v, selected: group.mode === v }, t))),
        parent && !readOnly ? button("Remove group", () => { parent.children.splice(parent.children.indexOf(group), 1); rerender(); }, { class: "link" }) : null),
      list);
    group.el = view;
    group.modeEl = view.querySelector("select");
    if (!group.children.length) list.append(h("li", { class: "empty" }, depth ? "An empty group." : "No conditions: everyone."));
    group.children.forEach((child, i) => {
      const item = h("li", {}, child.type === "group" ? groupView(child, depth + 1, group) : leafView(child, group, i));
      list.append(item);
    });
    if (!readOnly) {
      view.append(h("div", { class: "cond-actions" },
        button("Add condition", () => { group.children.push({ type: "field", field: "session.country", op: "equals", value: "" }); rerender(); focusLast(group); }, { class: "secondary small" }),
        button("Add behaviour", () => { group.children.push({ type: "behaviour", event: "Product Viewed", category: "", brand: "", product: "", withinDays: 7, op: "gte", value: 1 }); rerender(); focusLast(group); }, { class: "secondary small" }),
        depth < 3 ? button("Add group", () => { group.children.push({ type: "group", mode: "any", children: [] }); rerender(); focusLast(group); }, { class: "secondary small" }) : null));
    }
    return view;
  }

  function focusLast(group) {
    const items = group.el.querySelectorAll(":scope > .cond-list > li");
    const last = items[items.length - 1];
    const control = last && last.querySelector("select, input");
    if (control) control.focus();
  }

  function removeButton(group, node) {
    return readOnly ? null : button("Remove", () => { group.children.splice(group.children.indexOf(node), 1); rerender(); }, { class: "link", "aria-label": "Remove this condition" });
  }

  function small(label, control, extraClass = "") {
    const id = uid("c");
    control.id = id;
    const problemId = `${id}-problem`;
    control.setAttribute("aria-describedby", problemId);
    return h("span", { class: `cond-field ${extraClass}` }, h("label", { for: id }, label), control, h("span", { class: "problem", id: problemId, hidden: true }));
  }

  function valueControls(node, kind, ops, listId) {
    const wrap = h("span", { class: "cond-value" });
    const draw = () => {
      wrap.replaceChildren();
      node.valueEls = [];
      if (vocab.noValueOps.includes(node.op)) return;
      if (vocab.rangeOps.includes(node.op)) {
        const [lo, hi] = Array.isArray(node.value) ? node.value : ["", ""];
        const a = h("input", { type: "text", value: showScalar(lo), readonly: readOnly || undefined, class: "short" });
        const b = h("input", { type: "text", value: showScalar(hi), readonly: readOnly || undefined, class: "short" });
        node.valueEls = [a, b];
        wrap.append(small("from", a), small("to", b));
        return;
      }
      const list = vocab.listOps.includes(node.op);
      const shown = Array.isArray(node.value) ? node.value.map(showScalar).join(", ") : showScalar(node.value);
      const input = h("input", { type: "text", value: shown, readonly: readOnly || undefined, placeholder: list ? "a, b, c" : "", list: listId });
      node.valueEls = [input];
      wrap.append(small(list ? "values (comma-separated)" : "value", input));
    };
    ops.addEventListener("change", () => { node.op = ops.value; node.value = readValue(node, kind); draw(); });
    draw();
    return wrap;
  }

  function readValue(node, kind) {
    const els = node.valueEls || [];
    if (vocab.noValueOps.includes(node.op)) return undefined;
    if (vocab.rangeOps.includes(node.op)) return els.length === 2 ? els.map((e) => parseScalar(e.value, kind === "any" ? "number" : kind)) : node.value;
    if (!els.length) return node.value;
    const text = els[0].value;
    if (vocab.listOps.includes(node.op)) return text.split(",").map((s) => s.trim()).filter(Boolean).map((s) => parseScalar(s, kind === "list" ? "string" : kind));
    return parseScalar(text, kind === "list" ? "string" : kind);
  }

  function leafView(node, group) {
    if (node.type === "behaviour") return behaviourView(node, group);
    const known = vocab.fields.map((f) => f.name);
    const isCustom = node.field && !known.includes(node.field);
    const optGroup = (label, fields) => h("optgroup", { label }, fields.map((f) => h("option", { value: f.name, selected: f.name === node.field }, f.name)));
    const fieldSelect = h("select", { disabled: readOnly },
      optGroup("The visitor's profile", vocab.fields.filter((f) => !f.pageView)),
      optGroup("This page view", vocab.fields.filter((f) => f.pageView)),
      h("option", { value: CUSTOM, selected: isCustom }, "Trait or counter (type its name)…"));
    if (!node.field) fieldSelect.value = known[0];
    const customInput = h("input", { type: "text", value: isCustom ? node.field : "profile.traits.", readonly: readOnly || undefined });
    const customWrap = small("name", customInput, "cond-custom");
    customWrap.hidden = !isCustom;
    const opSelect = h("select", { disabled: readOnly }, vocab.ops.map((o) => h("option", { value: o, selected: o === node.op }, o)));
    const nameOf = () => (fieldSelect.value === CUSTOM ? customInput.value : fieldSelect.value);
    const kindOf = () => fieldKind(nameOf());
    const helpOf = () => vocab.help[nameOf()] || (nameOf().startsWith("profile.counters.") ? vocab.help["profile.counters."] : vocab.help["profile.traits."]) || "";
    const helpText = h("span", { class: "cond-help hint" }, helpOf());
    // Category and brand fields suggest the catalogue's ids in their value box.
    const listId = uid("values");
    const suggestions = h("datalist", { id: listId });
    const suggest = () => {
      const name = nameOf();
      const choices = CATEGORY_FIELDS.includes(name) ? vocab.categories : BRAND_FIELDS.includes(name) ? vocab.brands : [];
      suggestions.replaceChildren(...choices.map((c) => h("option", { value: c.id }, c.name)));
    };
    suggest();
    fieldSelect.addEventListener("change", () => {
      customWrap.hidden = fieldSelect.value !== CUSTOM;
      helpText.textContent = helpOf();
      suggest();
      if (!customWrap.hidden) customInput.focus();
    });
    node.read = (path) => {
      const name = fieldSelect.value === CUSTOM ? customInput.value.trim() : fieldSelect.value;
      // The control the editor typed the field in gets the path (and so the server's problem).
      const custom = fieldSelect.value === CUSTOM;
      delete (custom ? fieldSelect : customInput).dataset.path;
      (custom ? customInput : fieldSelect).dataset.path = `${path}.field`;
      opSelect.dataset.path = `${path}.op`;
      for (const e of node.valueEls || []) e.dataset.path = `${path}.value`;
      node.op = opSelect.value;
      const out = { field: name, op: opSelect.value };
      const v = readValue(node, fieldKind(name));
      if (v !== undefined) out.value = v;
      return out;
    };
    return h("div", { class: "cond-leaf", role: "group", "aria-label": "Field condition" },
      small("field", fieldSelect), customWrap, small("operator", opSelect), valueControls(node, kindOf(), opSelect, listId), suggestions, removeButton(group, node), helpText);
  }

  function behaviourView(node, group) {
    const ro = readOnly || undefined;
    const eventOptions = vocab.events.includes(node.event) || !node.event ? vocab.events : [node.event, ...vocab.events];
    const event = h("select", { disabled: readOnly }, eventOptions.map((e) => h("option", { value: e, selected: e === node.event }, vocab.events.includes(e) ? e : `${e} (unknown event)`)));
    const category = h("select", { disabled: readOnly }, choiceOptions(vocab.categories, node.category, "any category"));
    const brand = vocab.brandsListed
      ? h("select", { disabled: readOnly }, choiceOptions(vocab.brands, node.brand, "any brand"))
      : h("input", { type: "text", value: node.brand, readonly: ro, class: "short", placeholder: "any" });
    const product = h("input", { type: "text", value: node.product, readonly: ro, class: "short", placeholder: "any" });
    const days = h("input", { type: "number", value: node.withinDays, min: 1, max: 365, readonly: ro, class: "short" });
    const opSelect = h("select", { disabled: readOnly }, vocab.behaviourOps.map((o) => h("option", { value: o, selected: o === node.op }, o)));
    node.read = (path) => {
      event.dataset.path = `${path}.behaviour.event`;
      category.dataset.path = `${path}.behaviour.category`;
      brand.dataset.path = `${path}.behaviour.brand`;
      product.dataset.path = `${path}.behaviour.product`;
      days.dataset.path = `${path}.behaviour.withinDays`;
      opSelect.dataset.path = `${path}.op`;
      for (const e of node.valueEls || []) e.dataset.path = `${path}.value`;
      node.op = opSelect.value;
      const spec = { event: event.value.trim(), withinDays: days.value === "" ? null : Number(days.value) };
      if (category.value.trim()) spec.category = category.value.trim();
      if (brand.value.trim()) spec.brand = brand.value.trim();
      if (product.value.trim()) spec.product = product.value.trim();
      return { behaviour: spec, op: opSelect.value, value: readValue(node, "number") };
    };
    return h("div", { class: "cond-leaf behaviour", role: "group", "aria-label": "Behaviour condition" },
      small("event", event), small("category", category), small("brand", brand), small("product", product),
      small("within days", days), small("count is", opSelect), valueControls(node, "number", opSelect), removeButton(group, node));
  }

  function readGroup(group, path) {
    const mode = group.modeEl ? group.modeEl.value : group.mode;
    group.mode = mode;
    const negated = mode === "none" || mode === "notall";
    const combinator = mode === "any" || mode === "none" ? "any" : "all";
    const inner = negated ? `${path}.not` : path;
    if (group.modeEl) group.modeEl.dataset.path = path;
    if (group.children.length === 1 && (mode === "all" || mode === "none" || mode === "any")) {
      const only = readNode(group.children[0], inner);
      return negated ? { not: only } : only;
    }
    const items = group.children.map((c, i) => readNode(c, `${inner}.${combinator}[${i}]`));
    const tree = { [combinator]: items };
    return negated ? { not: tree } : tree;
  }

  function readNode(node, path) {
    return node.type === "group" ? readGroup(node, path) : node.read(path);
  }

  body.replaceChildren(groupView(root, 0, null));
  return {
    el,
    read() {
      if (!root.children.length) return null;
      return readGroup(root, path);
    },
  };
}
