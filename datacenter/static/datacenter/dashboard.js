// Draws the indicator dashboard: each indicator over time (all counties) and by county for the last month.
(function () {
  var source = document.getElementById("indicator-data");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  document.querySelectorAll(".dc-chart").forEach(function (el) {
    var c = charts[Number(el.dataset.chart)];
    var chart = window.echarts.init(el);
    if (el.dataset.kind === "trend") {
      chart.setOption({ tooltip: { trigger: "axis" }, xAxis: { type: "category", data: c.months },
        yAxis: { type: "value" }, series: [{ type: "line", data: c.series, name: c.name }] });
    } else {
      chart.setOption({ tooltip: {}, title: { text: c.last || "", textStyle: { fontSize: 12 } },
        xAxis: { type: "category", data: c.counties, axisLabel: { rotate: 30 } }, yAxis: { type: "value" },
        series: [{ type: "bar", data: c.county_values, name: c.name }] });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
