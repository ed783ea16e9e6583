// Preview: a real visitor (by id) or a described one, or a forced variant: what every slot would
// show, and why. Uses the admin API's `preview` (the workspace, drafts included); nothing is
// recorded. A real visitor is read as the storefront reads them (profile, session, segments,
// behaviour counts); what the form adds changes them for this preview only.

import vocab from "../vocabulary.js";
import { gql, workspace } from "../api.js";
import { button, checkboxGroup, checkedValues, field, h } from "../dom.js";
import { conditionVocabulary } from "../conditions.js";
import { renderContent } from "../content.js";
import { page } from "./common.js";

const PREVIEW = `query($input: PreviewInput!) { preview(input: $input) {
  contentType content decision { reason variantId detail matchedConditions experiment { key arm holdout } }
  products { id name price currency imageUrl imageAlt inStock }
  visitor { visitorId profileId known personalized reason segments facts
            behaviour { event withinDays category brand product count given } } } }`;
const REASONS = {
  EXPERIMENT: "the visitor's arm of a running experiment",
  HOLDOUT: "held out of an experiment: default content, still measured",
  AUDIENCE_MATCH: "the highest-priority variant whose targeting matched",
  DEFAULT: "no variant matched: the default content",
  FREQUENCY_CAPPED: "matching variants reached their frequency caps",
  CHANNEL_NOT_SERVED: "the slot does not serve this channel",
  FORCED: "you asked for this variant",
  PERSONALIZATION_UNAVAILABLE: "personalization was unavailable: the default content",
};
let remembered = null; // the last context, kept while the tab is open

export async function render(ctx, [forcedSlot, forcedVariant]) {
  const [ws, vocabulary] = await Promise.all([workspace(), conditionVocabulary()]);
  const segments = await gql("{ segments { key name } }").then((d) => d.segments).catch(() => []);
  const last = remembered || { visitorId: "v_preview", channel: "web", traits: [], behaviour: [] };
  const f = (label, name, opts = {}) => field({ label, name, value: last[name] ?? "", ...opts });
  const visitorId = f("Visitor id", "visitorId", { hint: "A real visitor's id (viewer { visitorId } on the storefront) previews them as they are: profile, session, segments and behaviour counts. Any other id is a new visitor. The id also decides the experiment arm." });
  const channel = f("Channel", "channel", { type: "select", options: [["", "any"], ...vocab.channels.map((c) => [c, c])] });
  const device = f("Device", "device", { type: "select", options: [["", "not sent"], ["desktop", "desktop"], ["mobile", "mobile"], ["tablet", "tablet"]] });
  const country = f("Country", "country", { hint: "Two letters, e.g. PL" });
  const city = f("City", "city");
  const utmSource = f("UTM source", "utmSource");
  const utmCampaign = f("UTM campaign", "utmCampaign");
  const referrer = f("Referrer", "referrer");
  const cartValue = f("Cart value", "cartValue", { type: "number", min: 0, step: "any" });
  const cartItems = f("Cart products", "cartItems", { hint: "Product ids, separated by commas" });
  const at = f("At (your local time)", "at", { type: "datetime-local", hint: "Leave empty for now. Schedules use each slot's time zone." });
  const segmentPick = checkboxGroup({ legend: "Segments the visitor is in (added to a real visitor's own)", name: "segments", options: segments.map((s) => s.key), values: last.segments || [] });
  const otherSegments = f("Other segments", "otherSegments", { hint: "Keys separated by commas" });

  const traitRows = h("div", { class: "kv-rows" });
  const addTrait = (k = "", v = "") => {
    const row = h("div", { class: "kv" }, field({ label: "Trait", value: k, placeholder: "tier" }), field({ label: "Value", value: v, placeholder: "gold" }), button("Remove", () => row.remove(), { class: "link" }));
    traitRows.append(row);
  };
  (last.traits.length ? last.traits : [["", ""]]).forEach(([k, v]) => addTrait(k, v));
  const behaviourRows = h("div", { class: "kv-rows" });
  const addBehaviour = (b = { event: "Product Viewed", category: "", withinDays: 7, count: 1 }) => {
    const categories = [["", "any category"], ...vocabulary.categories.map((c) => [c.id, `${"\u00a0\u00a0".repeat(c.depth)}${c.name} (${c.id})`])];
    const row = h("div", { class: "kv behaviour-row" },
      field({ label: "Event", type: "select", value: b.event, options: vocabulary.events }),
      field({ label: "Category", type: "select", value: b.category, options: categories }), field({ label: "Within days", type: "number", value: b.withinDays, min: 1, max: 365 }),
      field({ label: "Count", type: "number", value: b.count, min: 0 }), button("Remove", () => row.remove(), { class: "link" }));
    behaviourRows.append(row);
  };
  last.behaviour.forEach(addBehaviour);

  const slotChoice = checkboxGroup({ legend: "Slots", name: "slots", options: ws.slots.map((s) => s.key), values: forcedSlot ? [forcedSlot] : (last.slots || ws.slots.map((s) => s.key)) });
  const variantOptions = [["", "whatever targeting decides"], ...ws.variants.filter((v) => !forcedSlot || v.slot === forcedSlot).map((v) => [v.id, `${v.id} (${v.slot})`])];
  const force = field({ label: "Force a variant", type: "select", value: forcedVariant || "", options: variantOptions, hint: "Shows that variant regardless of targeting (drafts too)." });

  const results = h("div", { class: "preview-results", "aria-live": "polite" });
  const form = h("form", { class: "card preview-form", "aria-label": "Visitor to preview" },
    h("fieldset", {}, h("legend", {}, "Visitor and request"), h("div", { class: "grid" }, visitorId, channel, device, country, city, utmSource, utmCampaign, referrer, at)),
    h("fieldset", {}, h("legend", {}, "Profile"), segmentPick, otherSegments,
      h("p", { class: "hint" }, "Traits as sent with identify (profile.traits.<name>)."), traitRows, button("Add a trait", () => addTrait(), { class: "secondary small" })),
    h("fieldset", {}, h("legend", {}, "Cart and behaviour"), h("div", { class: "grid2" }, cartValue, cartItems),
      h("p", { class: "hint" }, "How many events of a kind the visitor had in a window (for behaviour conditions). For a real visitor, a count given here replaces the one read."), behaviourRows, button("Add behaviour", () => addBehaviour(), { class: "secondary small" })),
    h("fieldset", {}, h("legend", {}, "What to show"), slotChoice, force),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "primary" }, "Show preview")));

  const read = () => {
    const traits = [...traitRows.querySelectorAll(".kv")].map((r) => [...r.querySelectorAll("input")].map((i) => i.value.trim())).filter(([k]) => k);
    const behaviour = [...behaviourRows.querySelectorAll(".kv")].map((r) => {
      const [event, category] = [...r.querySelectorAll("select")].map((i) => i.value);
      const [days, count] = [...r.querySelectorAll("input")].map((i) => i.value.trim());
      return { event, category, withinDays: Number(days || 7), count: Number(count || 0) };
    }).filter((b) => b.event);
    const segs = [...checkedValues(segmentPick, "segments"), ...otherSegments.control.value.split(",").map((s) => s.trim()).filter(Boolean)];
    remembered = {
      visitorId: visitorId.control.value, channel: channel.control.value, device: device.control.value, country: country.control.value,
      city: city.control.value, utmSource: utmSource.control.value, utmCampaign: utmCampaign.control.value, referrer: referrer.control.value,
      cartValue: cartValue.control.value, cartItems: cartItems.control.value, at: at.control.value,
      segments: checkedValues(segmentPick, "segments"), otherSegments: otherSegments.control.value, traits, behaviour,
      slots: checkedValues(slotChoice, "slots"),
    };
    const input = { visitorId: remembered.visitorId || "v_preview" };
    for (const k of ["channel", "device", "country", "city", "utmSource", "utmCampaign", "referrer"]) if (remembered[k]) input[k] = remembered[k];
    if (segs.length) input.segments = segs;
    if (traits.length) input.traits = Object.fromEntries(traits.map(([k, v]) => [k, /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v]));
    if (remembered.cartValue !== "") input.cartValue = Number(remembered.cartValue);
    const items = remembered.cartItems.split(",").map((s) => s.trim()).filter(Boolean);
    if (items.length) input.cartItems = items;
    if (behaviour.length) input.behaviour = behaviour.map((b) => ({ event: b.event, withinDays: b.withinDays, count: b.count, ...(b.category ? { category: b.category } : {}) }));
    if (remembered.at) input.at = new Date(remembered.at).toISOString();
    return input;
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const input = read();
    const chosen = remembered.slots;
    if (!chosen.length) { results.replaceChildren(h("p", { class: "alert", role: "alert" }, "Pick at least one slot.")); return; }
    results.replaceChildren(h("p", { class: "muted" }, "Deciding…"));
    const forced = force.control.value;
    let seen = null;
    const cards = await Promise.all(chosen.map(async (slotKey) => {
      const slotInput = { ...input, slotKey };
      const variant = ws.variants.find((v) => v.id === forced);
      if (forced && variant && variant.slot === slotKey) slotInput.variantId = forced;
      try {
        const answer = (await gql(PREVIEW, { input: slotInput })).preview;
        // One visitor for every slot; each slot reads the behaviour counts its conditions use.
        if (!seen) seen = { ...answer.visitor, behaviour: [] };
        for (const b of answer.visitor.behaviour) {
          if (!seen.behaviour.some((x) => JSON.stringify(x) === JSON.stringify(b))) seen.behaviour.push(b);
        }
        return decisionCard(slotKey, answer);
      } catch (err) {
        return h("article", { class: "card decision", "data-slot": slotKey }, h("h3", {}, slotKey), h("p", { class: "alert" }, err.message));
      }
    }));
    results.replaceChildren(...[h("h2", { tabindex: "-1", id: "preview-results" }, "What the storefront would show"), seen ? visitorCard(seen) : null, ...cards].filter(Boolean));
    results.querySelector("h2").focus();
  });

  return page("Preview", ctx,
    h("p", {}, "Give a real visitor's id to see what each slot would show them as they are (their profile, session, segments and behaviour counts), or describe a visitor; the fields you fill change the visitor for this preview only. Slots come from the workspace (drafts and unpublished changes included). Previews record nothing."),
    form, results);
}

function decisionCard(slotKey, preview) {
  const d = preview.decision;
  return h("article", { class: "card decision", "data-slot": slotKey, "data-reason": d.reason, "aria-labelledby": `dec-${slotKey}` },
    h("h3", { id: `dec-${slotKey}` }, slotKey),
    h("dl", { class: "why" },
      h("dt", {}, "Reason"), h("dd", {}, h("span", { class: `badge reason reason-${d.reason.toLowerCase()}` }, d.reason), ` — ${REASONS[d.reason] || ""}`),
      h("dt", {}, "Variant"), h("dd", { class: "variant-id" }, d.variantId || "none (default content)"),
      d.experiment ? [h("dt", {}, "Experiment"), h("dd", {}, `${d.experiment.key}: ${d.experiment.holdout ? "holdout" : `arm ${d.experiment.arm}`}`)] : null,
      h("dt", {}, "Matched conditions"),
      h("dd", {}, d.matchedConditions.length ? h("ul", { class: "matched" }, d.matchedConditions.map((c) => h("li", {}, h("code", {}, c)))) : "none"),
      d.detail ? [h("dt", {}, "Detail"), h("dd", {}, d.detail)] : null),
    h("div", { class: "storefront", role: "group", "aria-label": `Rendered ${preview.contentType}` }, renderContent(preview.contentType, preview.content, preview.products)));
}

/** Who was previewed: a real visitor as read (profile, segments, counts) or a new one. */
function visitorCard(v) {
  const counts = v.behaviour.map((b) => {
    const scope = [b.category, b.brand, b.product].filter(Boolean).join(", ");
    return h("li", {}, `${b.event}${scope ? ` (${scope})` : ""} in ${b.withinDays} days: `, h("strong", {}, String(b.count)), b.given ? " (given here)" : " (read)");
  });
  return h("section", { class: "card visitor-card", "aria-labelledby": "visitor-title", "data-known": String(v.known) },
    h("h3", { id: "visitor-title" }, v.known ? `Real visitor ${v.visitorId}` : `New visitor ${v.visitorId}`),
    h("p", {}, v.known
      ? "Read as the storefront reads them: profile, session, segments and behaviour counts. What you entered above changes them for this preview only."
      : "Nothing is stored for this id: the decision used only what you entered above."),
    h("dl", {},
      v.profileId !== v.visitorId ? [h("dt", {}, "Profile"), h("dd", {}, `${v.profileId} (merged)`)] : null,
      h("dt", {}, "Personalized"), h("dd", {}, v.personalized ? "yes" : `no (${v.reason})`),
      h("dt", {}, "Segments"), h("dd", { class: "visitor-segments" }, v.segments.length ? v.segments.join(", ") : "none"),
      h("dt", {}, "Behaviour counts"), h("dd", {}, counts.length ? h("ul", { class: "counts" }, counts) : "none used by these slots")),
    h("details", {}, h("summary", {}, "Every fact the audiences saw"), h("pre", {}, JSON.stringify(v.facts, null, 2))));
}
