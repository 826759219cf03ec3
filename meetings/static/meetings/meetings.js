// The joint meeting's pages: confirmations before workflow steps, and the member statistics chart.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

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
      legend: {},
      grid: { left: 40, right: 40, bottom: 90 },
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
