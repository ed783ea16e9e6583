// Putting the server's validation problems next to the fields they concern.
//
// A problem's path is a JSON path into the saved definition ("variant.content.altText",
// "variant.conditions.any[1].op", "slot.channels[0]"). Every control carries the path of the
// value it edits in data-path; a problem goes to the control with its path, or with the longest
// path it starts with, else to the form's summary.

const STEP = /(\.[^.[\]]+|\[\d+\])$/;

export function clearProblems(form) {
  for (const p of form.querySelectorAll(".problem")) { p.hidden = true; p.textContent = ""; }
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-summary");
  if (summary) { summary.hidden = true; summary.replaceChildren(); }
}

function findTarget(form, path) {
  let candidate = path;
  while (candidate) {
    const found = form.querySelector(`[data-path="${CSS.escape(candidate)}"]`);
    if (found) return found;
    if (!STEP.test(candidate)) break;
    candidate = candidate.replace(STEP, "");
  }
  return null;
}

function problemSlot(target) {
  if (target.tagName === "FIELDSET") return target.querySelector(":scope > .problem");
  const described = (target.getAttribute("aria-describedby") || "").split(" ");
  for (const id of described) {
    const el = id && document.getElementById(id);
    if (el && el.classList.contains("problem")) return el;
  }
  return target.closest(".field, fieldset")?.querySelector(".problem");
}

/**
 * Show problems ({path, message}) in `form`. `root` is the path's first segment the form stands
 * for ("slot", "variant"...). Returns the element focused (the first problem's control).
 */
export function showProblems(form, problems, root) {
  clearProblems(form);
  let first = null;
  const summary = form.querySelector(".form-summary");
  const unplaced = [];
  for (const problem of problems) {
    let path = problem.path || "";
    if (path === root) path = "";
    else if (path.startsWith(`${root}.`)) path = path.slice(root.length + 1);
    else if (path.startsWith(`${root}[`)) path = path.slice(root.length);
    const target = path ? findTarget(form, path) : null;
    const slot = target && problemSlot(target);
    if (!slot) { unplaced.push(problem); continue; }
    slot.textContent = problem.message;
    slot.hidden = false;
    target.setAttribute("aria-invalid", "true");
    first = first || target;
  }
  if (summary) {
    const count = problems.length;
    summary.append(document.createTextNode(count === 1 ? "The server found a problem to fix." : `The server found ${count} problems to fix.`));
    for (const p of unplaced) {
      const item = document.createElement("p");
      item.textContent = p.path ? `${p.path}: ${p.message}` : p.message;
      summary.append(item);
    }
    summary.hidden = false;
  }
  const focus = first && (first.matches("input, select, textarea") ? first : first.querySelector("input, select, textarea, button"));
  if (focus) focus.focus();
  else if (summary) summary.focus();
  return focus || summary;
}
