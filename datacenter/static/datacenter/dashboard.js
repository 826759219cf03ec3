// Draws the indicator dashboard: each indicator over time (all counties) and by county for one month, the
// last one until another month is clicked on the line.
(function () {
  var source = document.getElementById("indicator-data");
  if (!source || !window.echarts) { return; }
  var charts = JSON.parse(source.textContent);
  var countyCharts = {};

  function drawCounties(index, month) {
    var c = charts[index];
    var chart = countyCharts[index];
    if (!chart) { return; }
    chart.setOption({ tooltip: {}, title: { text: month || "", textStyle: { fontSize: 12 } },
      grid: { bottom: 70 },
      xAxis: { type: "category", data: c.counties, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", minInterval: c.whole ? 1 : null },
      series: [{ type: "bar", data: c.by_month[month] || [], name: c.name }] });
  }

  document.querySelectorAll(".dc-chart").forEach(function (el) {
    var index = Number(el.dataset.chart);
    var c = charts[index];
    var chart = window.echarts.init(el);
    if (el.dataset.kind === "trend") {
      chart.setOption({ tooltip: { trigger: "axis" }, xAxis: { type: "category", data: c.months },
        yAxis: { type: "value", minInterval: c.whole ? 1 : null },
        series: [{ type: "line", data: c.series, name: c.name, connectNulls: false }] });
      chart.on("click", function (event) { drawCounties(index, c.months[event.dataIndex]); });
      chart.getZr().on("click", function (event) {
        var point = chart.convertFromPixel({ seriesIndex: 0 }, [event.offsetX, event.offsetY]);
        if (point && c.months[point[0]]) { drawCounties(index, c.months[point[0]]); }
      });
    } else {
      countyCharts[index] = chart;
      drawCounties(index, c.last);
    }
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
