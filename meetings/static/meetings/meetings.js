// The joint meeting's member statistics chart. Confirmations (<form data-confirm>) are portal.js's, on every page.
(function () {
  "use strict";

  function drawChart() {
    var holder = document.getElementById("member-chart");
    var source = document.getElementById("member-chart-data");
    if (!holder || !source || !window.echarts) {
      return;
    }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(holder);
    chart.setOption({
      tooltip: { trigger: "axis" },
      // The legend on top, above the axis names; the grid keeps room for the rotated unit names below it.
      legend: { top: 0 },
      grid: { top: 64, left: 16, right: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.units, axisLabel: { rotate: 30, interval: 0 } },
      yAxis: [
        { type: "value", name: data.labels.attendance, max: 100 },
        { type: "value", name: "", minInterval: 1 }
      ],
      series: [
        { name: data.labels.attendance, type: "bar", data: data.attendance },
        { name: data.labels.on_time, type: "line", yAxisIndex: 1, data: data.on_time },
        { name: data.labels.late, type: "line", yAxisIndex: 1, data: data.late }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    holder.setAttribute("data-rendered", "true");
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawChart);
  } else {
    drawChart();
  }
})();
