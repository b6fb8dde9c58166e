// Small behaviours of every page, bound by data attributes: the Content-Security-Policy allows no
// inline script (no <script> without src, no on*= attributes), so pages declare what they need here.
//
//   data-confirm="问题"         on a button, link or form: ask before it acts; cancel stops it.
//   data-prompt="问题"          on a form, or on its submit button: ask for a reason before submitting;
//                              the answer goes into the form's field named by data-prompt-field
//                              (default "reason"); an empty answer cancels.
//   data-print                 on a button: print the page.
//   data-autosubmit            on a select or input: submit its form when it changes.
//   data-check-all="NAME"      on a checkbox: check or uncheck every input[name=NAME] with it.
//   data-pick-target="ID"      on a button: put data-value into the input #ID (data-multi="1"
//                              appends with 、) and fire its change event.
//   data-percent="N"           sets the element's width to N% (progress bars; style= is not allowed).
//   data-keep-typed            on an element whose htmx request re-renders form fields (a live
//                              re-check): a field the user changes while the request is in flight
//                              keeps the user's value after the swap (the answer is for older values).
//   input[type=date]           becomes a Chinese date picker (flatpickr, served locally): the field
//                              takes typed dates (2022-01-20) and a calendar button beside it opens
//                              the calendar; the value sent stays ISO (YYYY-MM-DD).
(function () {
  "use strict";

  // htmx: show server errors instead of failing silently.
  document.body.addEventListener("htmx:responseError", function (evt) {
    var box = document.getElementById("lm-htmx-error");
    if (!box) {
      box = document.createElement("div");
      box.id = "lm-htmx-error";
      box.className = "alert alert-danger position-fixed bottom-0 end-0 m-3";
      document.body.appendChild(box);
    }
    box.textContent = "操作失败(" + evt.detail.xhr.status + "),请刷新页面后重试。";
  });

  function cancel(evt) {
    evt.preventDefault();
    evt.stopPropagation();
  }

  // Capture phase: runs before htmx or any handler on the element itself, so a cancel stops everything.
  document.addEventListener("click", function (evt) {
    var el = evt.target.closest && evt.target.closest("[data-confirm]:not(form)");
    if (el && !window.confirm(el.dataset.confirm)) {
      cancel(evt);
      return;
    }
    if (evt.target.closest && evt.target.closest("[data-print]")) {
      evt.preventDefault();
      window.print();
    }
  }, true);

  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      cancel(evt);
      return;
    }
    var asker = form.matches("[data-prompt]") ? form
      : (evt.submitter && evt.submitter.matches("[data-prompt]") ? evt.submitter : null);
    if (!asker) return;
    var answer = window.prompt(asker.dataset.prompt);
    if (!answer || !answer.trim()) {
      cancel(evt);
      return;
    }
    form.elements[asker.dataset.promptField || "reason"].value = answer;
  }, true);

  document.addEventListener("change", function (evt) {
    var el = evt.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) {
      el.form.submit();
    }
  });

  document.addEventListener("click", function (evt) {
    var all = evt.target.closest && evt.target.closest("input[data-check-all]");
    if (all) {
      document.querySelectorAll('input[name="' + all.dataset.checkAll + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
      return;
    }
    var button = evt.target.closest && evt.target.closest("[data-pick-target]");
    if (button) {
      evt.preventDefault();
      var input = document.getElementById(button.dataset.pickTarget);
      if (!input) return;
      var value = button.dataset.value;
      var current = input.value.replace(/[、,,;;\s]+$/, "");
      input.value = button.dataset.multi === "1" && current ? current + "、" + value : value;
      input.dispatchEvent(new Event("change", { bubbles: true }));
      var box = button.closest(".lm-picker-results");
      if (box) box.innerHTML = "";
    }
  });

  // Live re-checks: what the user typed or ticked while the request was in flight survives the swap.
  function fieldState(root) {
    var state = {};
    root.querySelectorAll("input[id], select[id], textarea[id]").forEach(function (el) {
      if (el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox" || el.type === "radio") state[el.id] = el.checked;
      else if (el.multiple) state[el.id] = Array.prototype.map.call(el.selectedOptions, function (o) { return o.value; }).join("\n");
      else state[el.id] = el.value;
    });
    return state;
  }
  function setField(el, value) {
    if (el.type === "checkbox" || el.type === "radio") el.checked = value;
    else if (el.multiple) {
      var wanted = value.split("\n");
      Array.prototype.forEach.call(el.options, function (o) { o.selected = wanted.indexOf(o.value) >= 0; });
    } else el.value = value;
  }
  var typedDuringRequest = {};
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var el = evt.detail.elt;
    if (el && el.matches && el.matches("[data-keep-typed][id]")) el.lmSentState = fieldState(el);
  });
  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    var el = evt.detail.elt;
    if (!el || !el.lmSentState) return;
    var now = fieldState(el), changed = {};
    Object.keys(now).forEach(function (id) {
      if (id in el.lmSentState && now[id] !== el.lmSentState[id]) changed[id] = now[id];
    });
    typedDuringRequest[el.id] = changed;
  });
  document.body.addEventListener("htmx:afterSwap", function () {
    Object.keys(typedDuringRequest).forEach(function (rootId) {
      var root = document.getElementById(rootId), changed = typedDuringRequest[rootId];
      delete typedDuringRequest[rootId];
      if (!root) return;
      Object.keys(changed).forEach(function (id) {
        var field = document.getElementById(id);
        if (field && root.contains(field)) setField(field, changed[id]);
      });
    });
  });

  // Widths from data attributes (setting el.style from a script is allowed; a style= attribute is not).
  function applyWidths(root) {
    if (root.matches && root.matches("[data-percent]")) root.style.width = root.dataset.percent + "%";
    root.querySelectorAll("[data-percent]").forEach(function (el) {
      el.style.width = el.dataset.percent + "%";
    });
  }
  applyWidths(document);
  document.body.addEventListener("htmx:load", function (evt) { applyWidths(evt.target); });

  // Date fields: the browser's own control shows mm/dd/yyyy in an English locale; a flatpickr calendar
  // shows 年/月/日 in Chinese. The field itself becomes a plain text field that takes typed dates
  // (2022-01-20, sent as typed: the server checks them); the calendar opens from the button beside it and
  // writes the picked date into the field with one change event, as typing does. The calendar is bound to a
  // hidden anchor, not to the field, so it never rewrites or re-announces what the user typed.
  // Run on htmx:load (after htmx has bound `change from:input[type=date]` triggers to these fields).
  var ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
  function datePicker(el) {
    if (el.dataset.datePicker || el.disabled || el.readOnly) return;
    el.dataset.datePicker = "1";
    el.type = "text";
    if (!el.placeholder) el.placeholder = "年-月-日";
    el.setAttribute("inputmode", "numeric");
    el.setAttribute("autocomplete", "off");
    var group = document.createElement("div");
    group.className = "input-group flex-nowrap lm-date" + (el.classList.contains("form-control-sm") ? " input-group-sm" : "");
    el.parentNode.insertBefore(group, el);
    group.appendChild(el);
    var anchor = document.createElement("input");
    anchor.className = "d-none";
    anchor.tabIndex = -1;
    anchor.setAttribute("aria-hidden", "true");
    group.appendChild(anchor);
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-outline-secondary";
    button.setAttribute("aria-label", "选择日期");
    button.title = "选择日期";
    var icon = document.createElement("i");
    icon.className = "bi bi-calendar3";
    button.appendChild(icon);
    group.appendChild(button);
    var picker = window.flatpickr(anchor, {
      locale: "zh", dateFormat: "Y-m-d", clickOpens: false, disableMobile: true, positionElement: el,
      minDate: el.min || null, maxDate: el.max || null,
      onOpen: function () { if (ISO_DAY.test(el.value)) picker.setDate(el.value, false); else picker.clear(false); },
      onChange: function (dates, text) {
        if (!text || text === el.value) return;
        el.value = text;
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
      },
    });
    button.addEventListener("click", function () { picker.toggle(); });
  }
  function datePickers(root) {
    if (!window.flatpickr || !root.querySelectorAll) return;
    if (root.matches && root.matches('input[type="date"]')) datePicker(root);
    root.querySelectorAll('input[type="date"]').forEach(datePicker);
  }
  document.body.addEventListener("htmx:load", function (evt) { datePickers(evt.target); });
  if (!window.htmx) datePickers(document);
})();
