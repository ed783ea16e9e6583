// API keys (admin): list, create with a role (the secret is shown once), revoke.

import { gql } from "../api.js";
import { announce, button, confirmDialog, field, formatDate, h, table } from "../dom.js";
import { page } from "./common.js";

export async function render(ctx) {
  const keys = (await gql("{ apiKeys { id name role createdAt createdBy revoked } }")).apiKeys;
  const error = h("p", { class: "alert", role: "alert", hidden: true });
  const rows = keys.map((k) => h("tr", { "data-key": k.id },
    h("th", { scope: "row" }, k.name), h("td", {}, h("code", {}, k.id)), h("td", {}, k.role.toLowerCase()),
    h("td", {}, formatDate(k.createdAt)), h("td", {}, k.createdBy),
    h("td", {}, k.revoked ? h("span", { class: "badge" }, "revoked") : button(`Revoke ${k.name}`, async () => {
      if ((await confirmDialog({ title: `Revoke the key of ${k.name}?`, text: "It stops working at once. This cannot be undone.", confirm: "Revoke", danger: true })) === null) return;
      try { await gql("mutation($id: ID!) { revokeApiKey(id: $id) }", { id: k.id }); announce(`Revoked ${k.name}'s key.`); ctx.navigate("#/keys"); } catch (err) { error.textContent = err.message; error.hidden = false; }
    }, { class: "danger small" }))));
  const name = field({ label: "Who is it for", name: "name", required: true, hint: "e.g. “Anna (content team)”" });
  const role = field({ label: "Role", name: "role", type: "select", value: "EDITOR", options: [["VIEWER", "viewer: reads"], ["EDITOR", "editor: saves and publishes"], ["ADMIN", "admin: also manages keys"]] });
  const secretBox = h("div", { class: "secret", hidden: true, tabindex: "-1" });
  const form = h("form", { class: "card", "aria-labelledby": "new-key" }, h("h2", { id: "new-key" }, "Create a key"), error, h("div", { class: "grid2" }, name, role),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Create key")), secretBox);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      const created = (await gql("mutation($n: String!, $r: Role!) { createApiKey(name: $n, role: $r) { secret apiKey { id name role } } }", { n: name.control.value, r: role.control.value })).createApiKey;
      const secretId = "new-secret";
      secretBox.replaceChildren(
        h("p", {}, h("strong", {}, `Key for ${created.apiKey.name} (${created.apiKey.role.toLowerCase()}). `), "Copy it now: it is shown only this once."),
        h("label", { for: secretId }, "Secret"),
        h("input", { id: secretId, type: "text", readonly: true, value: created.secret, class: "mono" }),
        button("Copy", async () => { try { await navigator.clipboard.writeText(created.secret); announce("Copied."); } catch { document.getElementById(secretId).select(); } }, { class: "secondary small" }),
        h("p", {}, h("a", { href: "#/keys", onclick: (e) => { e.preventDefault(); ctx.navigate("#/keys"); } }, "Done: show the list")));
      secretBox.hidden = false;
      secretBox.focus();
    } catch (err) { error.textContent = err.message; error.hidden = false; }
  });
  return page("API keys", ctx,
    h("p", {}, "Keys sign editors and tools in to the admin API. Viewers read, editors save and publish, admins also manage keys."),
    form,
    h("section", { class: "card", "aria-labelledby": "all-keys" }, h("h2", { id: "all-keys" }, "All keys"),
      table(["Name", "Id", "Role", "Created", "By", ""], rows, "API keys, oldest first")));
}
