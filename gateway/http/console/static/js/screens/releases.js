// Releases: publish the workspace with a note, compare releases, roll back.

import { gql } from "../api.js";
import { announce, button, confirmDialog, field, formatDate, h, table } from "../dom.js";
import { emptyRow, page } from "./common.js";

const LIST = "{ servedRelease releases(first: 50) { version publishedAt publishedBy publishedByName note rollbackOf } }";
const DIFF = "query($b: Int, $t: Int) { releaseDiff(base: $b, target: $t) { kind key change fields } }";

export async function render(ctx) {
  const data = await gql(LIST);
  const latest = data.releases[0] ? data.releases[0].version : null;
  const pending = (await gql(DIFF, { b: latest, t: null })).releaseDiff;
  const error = h("p", { class: "alert", role: "alert", hidden: true, tabindex: "-1" });
  const fail = (err) => { error.textContent = err.code === "FORBIDDEN" ? `Refused by the server: ${err.message}` : err.message; error.hidden = false; error.focus(); };

  const note = field({ label: "Release note", name: "note", type: "textarea", rows: 2, hint: "What changes for shoppers, e.g. “Black Friday hero”." });
  const publishForm = h("form", { class: "card", "aria-labelledby": "publish-title" },
    h("h2", { id: "publish-title" }, "Publish the workspace"),
    h("p", { class: "pending" }, pending.length ? `${pending.length} change${pending.length === 1 ? "" : "s"} not yet published.` : "Nothing to publish: the workspace matches the latest release."),
    pending.length ? diffTable(pending, "Changes since the latest release") : null,
    ctx.canEdit ? [note, h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Publish"))] : h("p", { class: "note" }, "Publishing needs an editor key."));
  publishForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const release = (await gql("mutation($n: String!) { publish(note: $n) { version } }", { n: note.control.value })).publish;
      announce(`Release ${release.version} published: every gateway serves it within a second.`);
      ctx.navigate("#/releases");
    } catch (err) { fail(err); }
  });

  const rows = data.releases.map((r) => h("tr", { "data-version": r.version },
    h("th", { scope: "row" }, String(r.version), r.version === data.servedRelease ? h("span", { class: "badge ok" }, " served") : null),
    h("td", {}, formatDate(r.publishedAt)),
    h("td", { class: "publisher", title: `key ${r.publishedBy}` }, r.publishedByName || r.publishedBy),
    h("td", {}, r.note || ""),
    h("td", {}, r.rollbackOf ? `restores ${r.rollbackOf}` : ""),
    h("td", {}, ctx.canEdit && r.version !== latest ? button(`Roll back to ${r.version}`, async () => {
      const text = await confirmDialog({ title: `Roll back to release ${r.version}?`, text: "Its definitions are published again as a new release, and the workspace is reset to them.", confirm: "Roll back", withNote: true });
      if (text === null) return;
      try {
        const release = (await gql("mutation($v: Int!, $n: String!) { rollback(version: $v, note: $n) { version } }", { v: r.version, n: text })).rollback;
        announce(`Rolled back: release ${release.version} restores ${r.version}.`);
        ctx.navigate("#/releases");
      } catch (err) { fail(err); }
    }, { class: "secondary small" }) : null)));

  const options = [["", "nothing (empty)"], ...data.releases.map((r) => [String(r.version), `release ${r.version}`])];
  const base = field({ label: "From", type: "select", options, value: data.releases[1] ? String(data.releases[1].version) : (latest ? String(latest) : "") });
  const target = field({ label: "To", type: "select", options: [["", "the workspace (unpublished)"], ...options.slice(1)], value: "" });
  const diffOut = h("div", { "aria-live": "polite" });
  const compare = h("form", { class: "card", "aria-labelledby": "compare-title" },
    h("h2", { id: "compare-title" }, "Compare"),
    h("div", { class: "grid2" }, base, target),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "secondary" }, "Compare")), diffOut);
  compare.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const b = base.control.value ? Number(base.control.value) : null;
      const t = target.control.value ? Number(target.control.value) : null;
      const changes = (await gql(DIFF, { b, t })).releaseDiff;
      diffOut.replaceChildren(changes.length ? diffTable(changes, `From ${b ? `release ${b}` : "nothing"} to ${t ? `release ${t}` : "the workspace"}`) : h("p", {}, "No differences."));
    } catch (err) { fail(err); }
  });

  return page("Releases", ctx, error,
    h("p", {}, "Saving changes the workspace; publishing turns the whole workspace into a numbered release that every gateway serves. Roll back by publishing an old release again."),
    publishForm,
    h("section", { class: "card", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "History"),
      table(["Release", "Published", "By", "Note", "", "Actions"], rows.length ? rows : [emptyRow(6, "Nothing published yet.")], "Releases, newest first")),
    compare);
}

function diffTable(changes, caption) {
  return table(["Kind", "Key", "Change", "Fields"], changes.map((c) => h("tr", { class: `change-${c.change}` },
    h("td", {}, c.kind), h("th", { scope: "row" }, c.key), h("td", {}, c.change), h("td", {}, c.fields.join(", ")))), caption);
}
