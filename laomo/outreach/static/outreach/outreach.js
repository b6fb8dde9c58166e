// 宣讲与宣传: the worker picker (chips + htmx search) and the charts of the module's pages.
(function () {
  "use strict";

  function changed(el) {
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function chip(picker, id, name, org) {
    var span = document.createElement("span");
    span.className = "badge rounded-pill text-bg-light border lm-chip";
    span.dataset.id = id;
    span.appendChild(document.createTextNode(name + " "));
    var small = document.createElement("small");
    small.className = "text-muted";
    small.textContent = org;
    span.appendChild(small);
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = picker.dataset.name;
    input.value = id;
    span.appendChild(input);
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "btn-close btn-close-sm ms-1 lm-chip-remove";
    remove.setAttribute("aria-label", "移除 " + name);
    span.appendChild(remove);
    return span;
  }

  document.addEventListener("click", function (evt) {
    var pick = evt.target.closest(".lm-pick");
    if (pick) {
      var picker = pick.closest(".lm-picker") || document.getElementById(pick.closest(".lm-picker-results").id.replace("picker-results-", "picker-"));
      var chips = picker.querySelector(".lm-picker-chips");
      if (picker.dataset.multiple !== "1") {
        chips.innerHTML = "";
      }
      if (!chips.querySelector('[data-id="' + pick.dataset.id + '"]')) {
        chips.appendChild(chip(picker, pick.dataset.id, pick.dataset.name, pick.dataset.org));
      }
      picker.querySelector(".lm-picker-results").innerHTML = "";
      var q = picker.querySelector(".lm-picker-q");
      q.value = "";
      q.focus();
      changed(chips);
      return;
    }
    var remove = evt.target.closest(".lm-chip-remove");
    if (remove) {
      var box = remove.closest(".lm-picker-chips");
      remove.closest(".lm-chip").remove();
      changed(box);
    }
  });

  // Typing in the picker's search box is not a change of the form: keep its change events from the
  // form's validation trigger (an htmx trigger filter would need eval, which the CSP forbids).
  document.addEventListener("change", function (evt) {
    if (evt.target.classList && evt.target.classList.contains("lm-picker-q")) { evt.stopPropagation(); }
  }, true);

  // Enter in the picker's search box picks the first result instead of submitting the form.
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" && evt.target.classList && evt.target.classList.contains("lm-picker-q")) {
      evt.preventDefault();
      var first = evt.target.closest(".lm-picker").querySelector(".lm-pick");
      if (first) { first.click(); }
    }
  });

  // Charts: <div class="lm-chart" data-chart="venue-months|readings" data-source="id of a json_script">.
  var PALETTE = ["#b71c1c", "#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#5d4037"];

  function renderChart(el) {
    if (typeof echarts === "undefined") { return; }
    var source = document.getElementById(el.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var chart = echarts.getInstanceByDom(el) || echarts.init(el);
    var option;
    if (el.dataset.chart === "venue-months") {
      option = {
        color: PALETTE,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, renderMode: "richText" },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 10, right: 16, top: 36, bottom: 36, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1, name: "场次" },
        series: data.series.map(function (s) {
          return { name: s.name, type: "bar", stack: "venue", data: s.data, emphasis: { focus: "series" } };
        })
      };
    } else {
      option = {
        color: PALETTE,
        tooltip: { trigger: "axis", renderMode: "richText" },
        grid: { left: 10, right: 16, top: 36, bottom: 10, containLabel: true },
        xAxis: { type: "category", data: data.dates },
        yAxis: { type: "value", name: "累计人次" },
        series: [{ name: "累计观看人次", type: "line", step: "end", data: data.views, areaStyle: { opacity: 0.1 } }]
      };
    }
    chart.setOption(option, true);
    el.dataset.total = data.total !== undefined ? data.total : "";
    el.dataset.rendered = "1";
  }

  function renderAll(root) {
    (root || document).querySelectorAll(".lm-chart[data-chart]").forEach(renderChart);
  }

  document.addEventListener("DOMContentLoaded", function () { renderAll(document); });
  document.body.addEventListener("htmx:afterSettle", function (evt) { renderAll(evt.target); });
  window.addEventListener("resize", function () {
    document.querySelectorAll(".lm-chart[data-rendered]").forEach(function (el) {
      var chart = typeof echarts !== "undefined" && echarts.getInstanceByDom(el);
      if (chart) { chart.resize(); }
    });
  });
})();
