// 志愿服务: the overview chart and the volunteer rows of the service-record form.
(function () {
  "use strict";

  // Overview: monthly person-times by team type, from the json_script #vol-chart-data.
  var el = document.getElementById("vol-chart");
  var source = document.getElementById("vol-chart-data");
  if (el && source && window.echarts) {
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el);
    chart.setOption({
      tooltip: {trigger: "axis", renderMode: "richText"}, legend: {type: "scroll", bottom: 0},
      grid: {left: 10, right: 10, top: 36, bottom: 36, containLabel: true},
      xAxis: {type: "category", data: data.months}, yAxis: {type: "value", name: "人次"},
      series: data.series.map(function (s) { return {name: s.name, type: "bar", stack: "pt", data: s.data}; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    el.dataset.ready = "1";
  }

  // Service-record form: choosing a team reloads its members as rows (the URL is on #volunteer-rows).
  var rows = document.getElementById("volunteer-rows");
  var team = document.getElementById("id_team");
  if (rows && team) {
    team.addEventListener("change", function () {
      htmx.ajax("GET", rows.dataset.rowsUrl + "?rows=1&team=" + encodeURIComponent(team.value), {target: "#volunteer-rows"});
    });
  }
  document.addEventListener("click", function (e) {
    if (e.target && e.target.id === "add-volunteer-row") {
      var body = document.querySelector("#volunteer-rows tbody");
      var all = body.querySelectorAll("tr");
      var copy = all[all.length - 1].cloneNode(true);
      var n = all.length;
      copy.querySelectorAll("select, input").forEach(function (field) {
        field.name = field.name.replace(/_\d+$/, "_" + n); field.value = "";
      });
      body.appendChild(copy);
    }
  });
})();
