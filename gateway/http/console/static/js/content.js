// One form per content type, and the storefront-like rendering used by previews.
// Which fields are required is the server's rule (gateway/slots/values/content.py); the marks here
// only guide, and the server's problems land at the fields.

import vocab from "./vocabulary.js";
import { button, field, h, uid } from "./dom.js";

export const CONTENT_FIELDS = {
  banner: [
    { name: "title", label: "Title", required: true },
    { name: "subtitle", label: "Subtitle" },
    { name: "imageUrl", label: "Image URL", required: true, hint: "https://… or a path on your site such as /img/hero.jpg" },
    { name: "altText", label: "Image description (alt text)", required: true, hint: "Read aloud by screen readers." },
    { name: "cta", label: "Button text" },
    { name: "link", label: "Link", required: true, hint: "Where the banner leads: https://… or /path" },
    { name: "textColour", label: "Text colour", hint: "A hex colour such as #ffffff", placeholder: "#ffffff" },
    { name: "backgroundColour", label: "Background colour", hint: "A hex colour such as #101820", placeholder: "#101820" },
  ],
  productCarousel: [
    { name: "title", label: "Title", required: true },
    { name: "strategy", label: "Recommendation strategy", type: "select", options: [["", "None: only the fixed list"], ...vocab.carouselStrategies.map((s) => [s, s])], hint: "Fills the carousel per visitor." },
    { name: "productIds", label: "Fixed products", type: "textarea", rows: 3, hint: "Product ids, one per line or separated by commas (at most 50), shown in this order." },
  ],
  htmlBlock: [
    { name: "html", label: "HTML", type: "textarea", rows: 8, required: true, hint: "Shown as is: only paste HTML you trust." },
  ],
  json: [],
};

export const CONTENT_LABELS = { banner: "Banner", productCarousel: "Product carousel", htmlBlock: "HTML block", json: "JSON data" };

/** contentForm({type, value, path, readOnly}) -> {el, read()} */
export function contentForm({ type, value = {}, path, readOnly, legend }) {
  const problemId = uid("problem");
  const el = h("fieldset", { class: "content-form", dataset: { path }, "aria-describedby": problemId },
    h("legend", {}, legend || `${CONTENT_LABELS[type] || type} content`),
    h("p", { class: "problem", id: problemId, hidden: true }));
  if (type === "json") return jsonDataForm(el, value, path, readOnly);
  const controls = {};
  for (const spec of CONTENT_FIELDS[type] || []) {
    let current = value[spec.name];
    if (spec.name === "productIds") current = (current || []).join("\n");
    const f = field({ ...spec, value: current, path: `${path}.${spec.name}`, readOnly });
    if (readOnly && spec.type === "select") f.control.disabled = true;
    controls[spec.name] = f.control;
    el.append(f);
  }
  return {
    el,
    read() {
      const out = {};
      for (const [name, control] of Object.entries(controls)) {
        const text = control.value.trim();
        if (name === "productIds") {
          const ids = text.split(/[\s,]+/).filter(Boolean);
          if (ids.length) out.productIds = ids;
        } else if (text) out[name] = control.value;
      }
      return out;
    },
  };
}

// A JSON content block: the storefront's own data, edited as name/value rows.
function jsonDataForm(el, value, path, readOnly) {
  const rows = h("div", { class: "kv-rows", dataset: { path: `${path}.data` } });
  const entries = Object.entries((value && value.data) || {});
  const add = (k = "", v = "") => {
    const row = h("div", { class: "kv" },
      field({ label: "Name", value: k, readOnly }),
      field({ label: "Value", value: typeof v === "string" ? v : JSON.stringify(v), readOnly, hint: "Text, a number, true/false, or a JSON value" }),
      readOnly ? null : button("Remove", () => row.remove(), { class: "link" }));
    rows.append(row);
  };
  (entries.length ? entries : [["", ""]]).forEach(([k, v]) => add(k, v));
  el.append(rows);
  if (!readOnly) el.append(button("Add a value", () => add(), { class: "secondary small" }));
  return {
    el,
    read() {
      const data = {};
      for (const row of rows.querySelectorAll(".kv")) {
        const [k, v] = [...row.querySelectorAll("input")].map((i) => i.value);
        if (!k.trim()) continue;
        try { data[k.trim()] = JSON.parse(v); } catch { data[k.trim()] = v; }
      }
      return { data };
    },
  };
}

export function formatPrice(amount, currency) {
  const value = Number(amount);
  try {
    return new Intl.NumberFormat(undefined, { style: "currency", currency }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** A product card; an image that cannot load (a catalogue's CDN, offline) becomes a placeholder. */
function productCard(p) {
  const thumb = p.imageUrl
    ? h("img", { class: "sf-thumb", src: p.imageUrl, alt: p.imageAlt || "", loading: "lazy" })
    : h("span", { class: "sf-thumb", "aria-hidden": "true" });
  if (p.imageUrl) thumb.addEventListener("error", () => thumb.replaceWith(h("span", { class: "sf-thumb missing", "aria-hidden": "true" }, p.name.slice(0, 1))), { once: true });
  return h("li", { class: "sf-card", "data-product": p.id },
    thumb,
    h("span", { class: "sf-name" }, p.name),
    h("span", { class: "sf-price" }, formatPrice(p.price, p.currency), p.inStock ? null : h("span", { class: "sf-stock" }, " · out of stock")));
}

/** What a storefront would render for this content (banner, carousel, HTML, JSON); `products`
 * are a carousel's products for one visitor, when the server resolved them (previews). */
export function renderContent(type, content, products = null) {
  if (!content) return h("p", { class: "muted" }, "No content.");
  if (type === "banner") {
    const banner = h("div", { class: "sf-banner" },
      h("img", { src: content.imageUrl, alt: content.altText || "", loading: "lazy" }),
      h("div", { class: "sf-banner-text" },
        h("p", { class: "sf-title" }, content.title),
        content.subtitle ? h("p", { class: "sf-subtitle" }, content.subtitle) : null,
        content.cta ? h("span", { class: "sf-cta" }, content.cta) : null,
        h("p", { class: "sf-link" }, `Leads to ${content.link}`)));
    // Colours set through the CSSOM: allowed by the console's CSP (no style attributes in markup).
    if (content.textColour) banner.style.color = content.textColour;
    if (content.backgroundColour) banner.style.backgroundColor = content.backgroundColour;
    return banner;
  }
  if (type === "productCarousel") {
    // With the server's products (a preview): the row a storefront would render for that visitor.
    if (products) {
      return h("div", { class: "sf-carousel" },
        h("p", { class: "sf-title" }, content.title),
        h("p", { class: "sf-subtitle" }, content.productIds && content.productIds.length ? "The fixed products, in order." : `Filled for this visitor by ${content.strategy}.`),
        products.length ? h("ul", { class: "sf-cards" }, products.map(productCard)) : h("p", { class: "muted" }, "No products to show."));
    }
    const ids = content.productIds || [];
    const cards = ids.map((id) => h("li", { class: "sf-card" }, h("span", { class: "sf-thumb", "aria-hidden": "true" }), h("span", {}, id)));
    if (content.strategy) {
      for (let i = 0; i < Math.max(0, 4 - ids.length); i += 1) {
        cards.push(h("li", { class: "sf-card filled" }, h("span", { class: "sf-thumb", "aria-hidden": "true" }), h("span", {}, `${content.strategy} pick`)));
      }
    }
    return h("div", { class: "sf-carousel" },
      h("p", { class: "sf-title" }, content.title),
      content.strategy ? h("p", { class: "sf-subtitle" }, `Filled per visitor by ${content.strategy}${ids.length ? " after the fixed products" : ""}.`) : null,
      h("ul", { class: "sf-cards" }, cards));
  }
  if (type === "htmlBlock") {
    // A sandboxed frame: the HTML shows as the storefront would, without running scripts here.
    return h("iframe", { class: "sf-html", sandbox: "", title: "HTML block preview", srcdoc: content.html || "" });
  }
  return h("pre", { class: "sf-json" }, JSON.stringify(content.data ?? content, null, 2));
}
