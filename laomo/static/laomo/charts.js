// Render every [data-chart] element from the ECharts option in the <script type="application/json"> it names.
(function () {
  function render(root) {
    (root || document).querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source || !window.echarts) return;
      var chart = echarts.init(el);
      var option = JSON.parse(source.textContent);
      // Tooltips drawn on the canvas: ECharts' HTML tooltips carry style= attributes the CSP refuses.
      [].concat(option.tooltip || []).forEach(function (t) { t.renderMode = "richText"; });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(); });
  document.body.addEventListener("htmx:afterSwap", function (evt) { render(evt.target); });
})();
