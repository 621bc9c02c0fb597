// Scheduling pages: "choose" in the list of fitting facilitators fills the assignment form.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const select = document.getElementById("facilitator_id");
  document.querySelectorAll(".js-pick-facilitator").forEach((button) => {
    button.addEventListener("click", () => {
      if (select) {
        select.value = button.dataset.facilitator;
        select.focus();
      }
    });
  });
});
