// Paperstand's only script: upvotes and saves without a page reload, and reading a
// BibTeX file for the import form. Every form works without it; this just sends the
// same form with fetch and updates the button in place.
"use strict";

// How each enhanced form shows the state the server sent back.
const enhanced = {
  vote(form, state) {
    const button = form.querySelector("button");
    button.setAttribute("aria-pressed", state.voted ? "true" : "false");
    button.querySelector(".count").textContent = String(state.upvotes);
    button.title = state.voted ? "Remove your upvote" : "Upvote";
    form.querySelector("input[name=up]").value = state.voted ? "0" : "1";
  },
  save(form, state) {
    const button = form.querySelector("button");
    button.setAttribute("aria-pressed", state.saved ? "true" : "false");
    button.querySelector(".label").textContent = state.saved ? "Saved" : "Save";
    button.title = state.saved ? "Remove from your library" : "Save to your library";
    form.querySelector("input[name=saved]").value = state.saved ? "0" : "1";
  },
};

document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const kind = Object.keys(enhanced).find((name) => form.classList.contains(name));
  if (!kind) return;
  event.preventDefault();
  if (form.dataset.busy === "1") return; // a double click sends one request
  form.dataset.busy = "1";
  try {
    const response = await fetch(form.action, {
      method: "POST",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams(new FormData(form)),
      credentials: "same-origin",
    });
    if (!response.ok) { form.submit(); return; }
    enhanced[kind](form, await response.json());
  } catch (_) {
    form.submit();
  } finally {
    form.dataset.busy = "";
  }
});

// The import form: a chosen file's text goes into the text box, so the plain form
// (which cannot upload files) sends it.
document.addEventListener("change", async (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.id !== "import-file") return;
  const file = input.files && input.files[0];
  const box = document.getElementById("import-text");
  if (file && box) box.value = await file.text();
});
