// The register: "everyone present", then adjust from the keyboard.
// ↑/↓ move between people; ←/→ (native) or 1–4 set the status; a number moves on to the next person.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector(".register-form");
  if (!form) {
    return;
  }
  const rows = Array.from(form.querySelectorAll("[data-register-row]"));
  const summary = document.getElementById("register-summary");
  const template = document.getElementById("register-strings").dataset.summary;

  const radiosOf = (row) => Array.from(row.querySelectorAll("input[type=radio]"));
  const focusRow = (row) => {
    const radios = radiosOf(row);
    const target = radios.find((radio) => radio.checked) || radios[0];
    if (target) {
      target.focus();
    }
  };
  const updateSummary = () => {
    const marked = rows.filter((row) => radiosOf(row).some((radio) => radio.checked)).length;
    summary.textContent = template.replace("{marked}", marked).replace("{total}", rows.length);
  };

  document.getElementById("all-present").addEventListener("click", () => {
    rows.forEach((row) => {
      const present = row.querySelector("input[type=radio][value=present]");
      present.checked = true;
    });
    updateSummary();
    if (rows.length) {
      focusRow(rows[0]);
    }
  });

  form.addEventListener("change", updateSummary);

  form.addEventListener("keydown", (event) => {
    const radio = event.target;
    if (!(radio instanceof HTMLInputElement) || radio.type !== "radio") {
      return;
    }
    const row = radio.closest("[data-register-row]");
    const index = rows.indexOf(row);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = rows[index + (event.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        focusRow(next);
      }
      return;
    }
    if (/^[1-4]$/.test(event.key) && !event.altKey && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      const chosen = row.querySelector(`input[type=radio][data-key="${event.key}"]`);
      chosen.checked = true;
      chosen.dispatchEvent(new Event("change", { bubbles: true }));
      const next = rows[index + 1];
      if (next) {
        focusRow(next);
      } else {
        chosen.focus();
      }
    }
  });

  updateSummary();
});
