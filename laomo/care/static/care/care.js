// 关爱劳模: the bar chart of care money per unit, from the json_script #county-chart-data.
(function () {
  "use strict";
  var source = document.getElementById("county-chart-data");
  var el = document.getElementById("county-chart");
  if (!window.echarts || !el || !source) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, {renderer: "canvas"});
  chart.setOption({
    animation: false,
    tooltip: {trigger: "axis", renderMode: "richText",
              valueFormatter: function (v) { return Number(v).toLocaleString("zh-CN", {minimumFractionDigits: 2}) + " 元"; }},
    grid: {left: 10, right: 20, top: 36, bottom: 10, containLabel: true},
    xAxis: {type: "category", data: data.units, axisLabel: {interval: 0, rotate: 35}},
    yAxis: {type: "value", name: "元"},
    series: [{type: "bar", name: "慰问金", data: data.amounts.map(Number), itemStyle: {color: "#b71c1c"},
              label: {show: data.units.length <= 12, position: "top", formatter: function (p) { return p.value ? Math.round(p.value).toLocaleString("zh-CN") : ""; }}}]
  });
  el.setAttribute("data-rendered", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
