// The console shell: sign-in, navigation by URL fragment (#/slots...), roles, focus management.

import { ApiError, gql, session, whenSignedOut } from "./api.js";
import { forgetVocabulary } from "./conditions.js";
import { announce, button, field, h } from "./dom.js";
import * as slots from "./screens/slots.js";
import * as variants from "./screens/variants.js";
import * as audiences from "./screens/audiences.js";
import * as experiments from "./screens/experiments.js";
import * as releases from "./screens/releases.js";
import * as preview from "./screens/preview.js";
import * as keys from "./screens/keys.js";

const SECTIONS = [
  { path: "slots", label: "Slots", screen: slots },
  { path: "variants", label: "Variants", screen: variants },
  { path: "audiences", label: "Audiences & segments", screen: audiences },
  { path: "experiments", label: "Experiments", screen: experiments },
  { path: "releases", label: "Releases", screen: releases },
  { path: "preview", label: "Preview", screen: preview },
  { path: "keys", label: "API keys", screen: keys, role: "ADMIN" },
];
const RANK = { VIEWER: 1, EDITOR: 2, ADMIN: 3 };

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
let me = null;
let renderToken = 0;

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function context() {
  return {
    me,
    canEdit: RANK[me.role] >= RANK.EDITOR,
    isAdmin: me.role === "ADMIN",
    navigate,
    notify: announce,
  };
}

function signInView(message) {
  nav.hidden = true;
  who.replaceChildren();
  const keyField = field({ label: "Admin API key", name: "key", type: "password", hint: "Your key is kept in this browser tab only (session storage) and sent as a bearer token.", required: true });
  keyField.control.autocomplete = "off";
  const error = h("p", { class: "alert", role: "alert", hidden: !message }, message || "");
  const form = h("form", { class: "signin card", "aria-labelledby": "signin-title" },
    h("h1", { id: "signin-title", tabindex: "-1" }, "Sign in to the Vitrine console"),
    h("p", {}, "Editors personalize slots, audiences and experiments here. Ask an admin for a key."),
    error, keyField,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Sign in")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = keyField.control.value.trim();
    if (!key) { error.textContent = "Enter your API key."; error.hidden = false; keyField.control.focus(); return; }
    try {
      const data = await gql("{ me { keyId name role } }", {}, key);
      session.key = key;
      me = data.me;
      if (!location.hash || location.hash === "#/" || location.hash === "#/signin") location.hash = "#/slots";
      else route();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : String(err);
      error.hidden = false;
      keyField.control.setAttribute("aria-invalid", "true");
      keyField.control.focus();
    }
  });
  main.replaceChildren(form);
  document.title = "Sign in · Vitrine console";
  keyField.control.focus();
}

function signOut(message) {
  session.key = null;
  me = null;
  forgetVocabulary();
  signInView(message);
}

function renderChrome(current) {
  const ctx = context();
  nav.hidden = false;
  nav.replaceChildren(h("ul", {}, SECTIONS.filter((s) => !s.role || RANK[me.role] >= RANK[s.role]).map((s) =>
    h("li", {}, h("a", { href: `#/${s.path}`, "aria-current": s.path === current ? "page" : undefined }, s.label)))));
  who.replaceChildren(...[
    h("span", { class: "who-name" }, `${me.name} `),
    h("span", { class: `role role-${me.role.toLowerCase()}` }, me.role.toLowerCase()),
    ctx.canEdit ? null : h("span", { class: "readonly-note" }, " read-only"),
    button("Sign out", () => signOut("You signed out."), { class: "secondary small" })].filter(Boolean));
}

async function route() {
  if (!session.key) { signInView(); return; }
  if (!me) {
    try { me = (await gql("{ me { keyId name role } }")).me; } catch (err) { signOut(err.message); return; }
  }
  const parts = (location.hash.replace(/^#\/?/, "") || "slots").split("/").map(decodeURIComponent);
  const section = SECTIONS.find((s) => s.path === parts[0]) || SECTIONS[0];
  renderChrome(section.path);
  const token = ++renderToken;
  main.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  let view;
  try {
    if (section.role && RANK[me.role] < RANK[section.role]) throw new ApiError(`This screen needs the ${section.role.toLowerCase()} role.`, { code: "FORBIDDEN" });
    view = await section.screen.render(context(), parts.slice(1));
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    view = h("div", {}, h("h1", { tabindex: "-1" }, section.label), h("p", { class: "alert", role: "alert" }, err.message || String(err)));
  }
  if (token !== renderToken) return;
  main.replaceChildren(view);
  const heading = main.querySelector("h1");
  document.title = `${heading ? heading.textContent : section.label} · Vitrine console`;
  // Move focus to the new screen's heading so keyboard and screen reader users start there.
  if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
}

whenSignedOut((err) => signOut(err.message));
window.addEventListener("hashchange", route);
route();
