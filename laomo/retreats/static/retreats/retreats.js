// 疗休养: the satisfaction report's chart of average scores, from the json_script #chart-data.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  var el = document.getElementById("chart-averages");
  if (!window.echarts || !el || !source) return;
  var data = JSON.parse(source.textContent);
  echarts.init(el).setOption({
    animation: false,
    grid: {left: 10, right: 20, top: 10, bottom: 10, containLabel: true},
    xAxis: {type: "value", min: 0, max: 5},
    yAxis: {type: "category", data: data.labels},
    series: [{type: "bar", data: data.values, itemStyle: {color: "#b71c1c"}, label: {show: true, position: "right"}}]
  });
})();
