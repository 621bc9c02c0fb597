// Follow-up check form: the offence fields matter only for a reconviction, so they are shown
// only then (the server drops them for other outcomes and checks them for a reconviction).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const outcome = document.getElementById("outcome");
  if (!outcome) {
    return;
  }
  const fields = ["offence_date", "conviction_date", "offence_category", "is_custodial"]
    .map((id) => document.getElementById(id))
    .filter(Boolean)
    .map((input) => input.closest(".mb-3"));
  const update = () => {
    fields.forEach((block) => {
      block.hidden = outcome.value !== "reconvicted";
    });
  };
  outcome.addEventListener("change", update);
  update();
});
