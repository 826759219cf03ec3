// The coverage map: a heatmap of chain segments x fields, empty cells highlighted.
(function () {
  var holder = document.getElementById("coverage-chart");
  var source = document.getElementById("coverage-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var fields = data.fields.map(function (f) { return f.name; });
  var segments = data.segments.map(function (s) { return s.name; });
  var fieldIndex = {}, segmentIndex = {};
  data.fields.forEach(function (f, i) { fieldIndex[f.code] = i; });
  data.segments.forEach(function (s, i) { segmentIndex[s.code] = i; });
  var max = 1;
  var points = data.cells.map(function (c) {
    max = Math.max(max, c.policies);
    return [fieldIndex[c.field], segmentIndex[c.segment], c.policies, c.linked.length];
  });
  var chart = echarts.init(holder);
  chart.setOption({
    tooltip: {
      formatter: function (p) {
        return segments[p.value[1]] + " × " + fields[p.value[0]] + "<br>" +
          holder.dataset.policiesLabel + ": " + p.value[2] + "<br>" + holder.dataset.linkedLabel + ": " + p.value[3];
      }
    },
    grid: { top: 20, left: 140, right: 20, bottom: 90 },
    xAxis: { type: "category", data: fields, axisLabel: { rotate: 30, interval: 0 } },
    yAxis: { type: "category", data: segments, inverse: true },
    visualMap: {
      dimension: 2, min: 0, max: max, calculable: true, orient: "horizontal", left: "center", bottom: 0,
      inRange: { color: ["#fff3cd", "#9ec5fe", "#0d6efd"] }
    },
    series: [{
      type: "heatmap", data: points,
      label: { show: true, formatter: function (p) { return p.value[2] === 0 ? holder.dataset.gapLabel : p.value[2]; } },
      itemStyle: { borderColor: "#fff", borderWidth: 2 }
    }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
  holder.dataset.ready = "true";
})();
