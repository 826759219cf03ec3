// The fund dashboard's charts, drawn from the JSON the page carries (no inline script).
(function () {
  "use strict";
  var source = document.getElementById("fund-chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  function bar(id, names, series, horizontal) {
    var el = document.getElementById(id);
    if (!el || !names.length) { return; }
    var chart = window.echarts.init(el);
    var category = { type: "category", data: names, axisLabel: { interval: 0, width: 120, overflow: "truncate" } };
    var value = { type: "value" };
    chart.setOption({
      tooltip: { trigger: "axis" },
      // The legend above the plot, never on an axis; room on the right for the last value label.
      legend: series.length > 1 ? { top: 0 } : undefined,
      grid: { containLabel: true, left: 8, right: 48, top: series.length > 1 ? 40 : 16, bottom: 8 },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: series.map(function (s) { return { name: s.name, type: "bar", stack: s.stack, data: s.data }; })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var programmes = document.getElementById("chart-programmes");
  if (programmes) {
    bar("chart-programmes", data.programmes, [
      { name: programmes.dataset.disbursed, data: data.disbursed, stack: "money" },
      { name: programmes.dataset.committed, data: data.committed, stack: "money" },
      { name: programmes.dataset.available, data: data.available, stack: "money" }
    ], true);
  }
  bar("chart-counties", data.counties, [{ name: "", data: data.county_paid }], false);
  bar("chart-departments", data.departments, [{ name: "", data: data.department_paid }], true);
})();
