// Keyboard-first entry of paper questionnaires (no inline scripts: the CSP forbids them).
// The server checks every answer again; this only makes typing fast.
"use strict";

(function () {
  const MISSING = { KeyM: "m", Minus: "m", NumpadSubtract: "m", KeyR: "r" };

  function answers(form) {
    return Array.from(form.querySelectorAll("input.js-answer"));
  }

  function focusAt(list, index) {
    const target = list[Math.max(0, Math.min(list.length - 1, index))];
    if (target) {
      target.focus();
      target.select();
    }
  }

  function advance(form, input) {
    const list = answers(form);
    const index = list.indexOf(input);
    if (index === list.length - 1) {
      form.querySelector("[type=submit]").focus();
    } else {
      focusAt(list, index + 1);
    }
  }

  function markRange(input, ok) {
    input.classList.toggle("is-invalid", !ok);
    let note = input.parentElement.querySelector(".js-range-note");
    if (!ok && !note) {
      note = document.createElement("div");
      note.className = "invalid-feedback js-range-note";
      note.textContent = input.dataset.rangeMessage || "";
      input.after(note);
    }
    if (note) {
      note.hidden = ok;
    }
  }

  function onScaleKey(event, form, input) {
    const list = answers(form);
    const index = list.indexOf(input);
    const max = Number(input.dataset.max);
    const min = Number(input.dataset.min);
    if (event.ctrlKey && event.key === "Enter") {
      return; // handled by the form: save
    }
    if (event.key === "Tab" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (/^[0-9]$/.test(event.key) && max <= 9) {
      event.preventDefault();
      const value = Number(event.key);
      input.value = event.key;
      const ok = value >= min && value <= max;
      markRange(input, ok);
      if (ok) {
        advance(form, input);
      }
      return;
    }
    if (MISSING[event.code] && !/^[0-9]$/.test(event.key)) {
      event.preventDefault();
      input.value = MISSING[event.code];
      markRange(input, true);
      advance(form, input);
      return;
    }
    if (event.key === "Backspace" && input.value === "") {
      event.preventDefault();
      focusAt(list, index - 1);
      return;
    }
    if (event.key === "ArrowUp") {
      event.preventDefault();
      focusAt(list, index - 1);
      return;
    }
    if (event.key === "ArrowDown" || (event.key === "Enter" && input.value !== "")) {
      event.preventDefault();
      advance(form, input);
      return;
    }
    if (event.key === "Enter") {
      event.preventDefault();
    }
  }

  function onFreeKey(event, form, input) {
    if (event.key === "Enter" && !event.ctrlKey) {
      event.preventDefault();
      advance(form, input);
    }
  }

  function setUpEntryForm(form) {
    const code = form.querySelector(".js-participant-code");
    if (code) {
      code.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.ctrlKey) {
          event.preventDefault();
          focusAt(answers(form), 0);
        }
      });
    }
    answers(form).forEach((input) => {
      const scale = input.dataset.kind === "likert" || input.dataset.kind === "single_choice";
      input.addEventListener("keydown", (event) =>
        scale ? onScaleKey(event, form, input) : onFreeKey(event, form, input)
      );
      input.addEventListener("focus", () => input.closest("tr").classList.add("table-active"));
      input.addEventListener("blur", () => input.closest("tr").classList.remove("table-active"));
    });
    form.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.ctrlKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    // After a refusal, start where the first problem is.
    const firstInvalid = form.querySelector(".is-invalid");
    if (firstInvalid) {
      firstInvalid.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form.js-entry-form").forEach(setUpEntryForm);
    // Kiosk start page: choosing a language shows the page in it.
    document.querySelectorAll("form.js-kiosk-start input[name=language]").forEach((radio) => {
      radio.addEventListener("change", () => {
        window.location.search = "?language=" + encodeURIComponent(radio.value);
      });
    });
  });
})();
