// Paperstand's only script: upvotes without a page reload. Every form works without
// it; this just sends the same form with fetch and updates the button in place.
"use strict";
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.classList.contains("vote")) return;
  event.preventDefault();
  if (form.dataset.busy === "1") return; // a double click sends one request
  form.dataset.busy = "1";
  const button = form.querySelector("button");
  const up = form.querySelector("input[name=up]");
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
    const state = await response.json();
    button.setAttribute("aria-pressed", state.voted ? "true" : "false");
    button.querySelector(".count").textContent = String(state.upvotes);
    button.title = state.voted ? "Remove your upvote" : "Upvote";
    up.value = state.voted ? "0" : "1";
  } catch (_) {
    form.submit();
  } finally {
    form.dataset.busy = "";
  }
});
