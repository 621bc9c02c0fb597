// Steps editor: a live total of the minutes, a warning when it exceeds the session, and a button
// to add rows. The server checks the same rule on every save; this only tells the author sooner.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("steps-form");
  if (!form) {
    return;
  }
  const limit = parseInt(form.dataset.sessionMinutes, 10);
  const total = document.getElementById("steps-total");
  const over = document.getElementById("steps-over");
  const rows = document.getElementById("step-rows");
  const addButton = document.getElementById("add-step");

  const recount = () => {
    let sum = 0;
    form.querySelectorAll(".js-step-minutes").forEach((input) => {
      const minutes = parseInt(input.value, 10);
      if (!Number.isNaN(minutes) && minutes > 0) {
        sum += minutes;
      }
    });
    total.textContent = String(sum);
    const tooLong = sum > limit;
    over.classList.toggle("d-none", !tooLong);
    total.classList.toggle("text-danger", tooLong);
  };

  const renumber = () => {
    rows.querySelectorAll(".step-row").forEach((row, index) => {
      row.querySelector(".step-number").textContent = String(index + 1);
    });
  };

  form.addEventListener("input", recount);
  recount();

  // New rows copy the last row with the next index in the field names (steps-N-field).
  addButton.classList.remove("d-none");
  addButton.addEventListener("click", () => {
    const all = rows.querySelectorAll(".step-row");
    if (all.length >= 20) {
      return;
    }
    const last = all[all.length - 1];
    const copy = last.cloneNode(true);
    const next = all.length;
    copy.querySelectorAll("input, select, textarea").forEach((field) => {
      field.name = field.name.replace(/^steps-\d+-/, `steps-${next}-`);
      field.id = field.name;
      if (field.tagName !== "SELECT") {
        field.value = "";
      }
    });
    rows.appendChild(copy);
    renumber();
    recount();
  });
});
