/* Draws the dashboard's charts from the data the page embeds (json_script); the tables beside
   them carry the same numbers for readers without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector(".filters");
  var period = form && form.querySelector("select[name=period]");
  function syncCustom() { form.classList.toggle("custom", period.value === "custom"); }
  if (period) { period.addEventListener("change", syncCustom); syncCustom(); }

  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) { document.documentElement.className = "no-js"; return; }
  var data = JSON.parse(node.textContent);
  var text = "#e6eefc", dim = "#93a8cc", line = "#1f3d6e";
  var palette = ["#ffb547", "#35c2ff", "#a5b4ff", "#3ddc97", "#ff5d6c", "#f38ee6", "#7be0e0", "#c2d36b",
    "#ff8a5c", "#6f9bff", "#e0e070", "#b58cff"];
  var axis = { axisLine: { lineStyle: { color: line } }, axisLabel: { color: dim, fontSize: 13 }, splitLine: { lineStyle: { color: line } } };
  function base(extra) {
    return Object.assign({ color: palette, textStyle: { color: text, fontSize: 13 }, animation: false,
      grid: { left: 48, right: 16, top: 36, bottom: 28, containLabel: true },
      tooltip: { trigger: "axis" } }, extra);
  }
  var options = {
    weekly: base({
      legend: { top: 0, textStyle: { color: text, fontSize: 13 } },
      xAxis: Object.assign({ type: "category", data: data.weekly.labels }, axis),
      yAxis: Object.assign({ type: "value", name: data.labels.cases, nameTextStyle: { color: dim } }, axis),
      series: data.weekly.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 28 }; })
    }),
    categories: base({
      tooltip: { trigger: "item" },
      legend: { type: "scroll", orient: "vertical", right: 0, top: "middle", itemGap: 6, itemHeight: 12, textStyle: { color: text, fontSize: 13 } },
      series: [{ type: "pie", radius: ["38%", "68%"], center: ["36%", "52%"], data: data.categories,
        label: { color: text, formatter: "{d}%" }, itemStyle: { borderColor: "#11264a", borderWidth: 2 } }]
    }),
    stations: base({
      grid: { left: 8, right: 40, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: Object.assign({ type: "value" }, axis),
      yAxis: Object.assign({ type: "category", inverse: true, data: data.stations.map(function (s) { return s.name; }) },
        axis, { axisLabel: { color: dim, fontSize: 13, width: 190, overflow: "truncate" } }),
      series: [{ type: "bar", data: data.stations.map(function (s) { return s.value; }), barMaxWidth: 22,
        itemStyle: { color: "#35c2ff" }, label: { show: true, position: "right", color: text } }]
    }),
    reply_time: base({
      xAxis: Object.assign({ type: "category", data: data.reply_time.labels }, axis),
      yAxis: Object.assign({ type: "value", name: data.labels.cases, nameTextStyle: { color: dim } }, axis),
      series: [{ type: "bar", data: data.reply_time.data, barMaxWidth: 48, itemStyle: { color: "#a5b4ff" },
        label: { show: true, position: "top", color: text } }]
    }),
    satisfaction: base({
      xAxis: Object.assign({ type: "category", data: data.satisfaction.labels }, axis),
      yAxis: [Object.assign({ type: "value", min: 0, max: 100, name: data.labels.satisfaction, nameTextStyle: { color: dim } }, axis),
        Object.assign({ type: "value", name: data.labels.evaluated, nameTextStyle: { color: dim } }, axis, { splitLine: { show: false } })],
      legend: { top: 0, textStyle: { color: text, fontSize: 13 } },
      series: [
        { name: data.labels.evaluated, type: "bar", yAxisIndex: 1, data: data.satisfaction.evaluated, itemStyle: { color: "#1f5e8f" }, barMaxWidth: 28 },
        { name: data.labels.satisfaction, type: "line", data: data.satisfaction.data, connectNulls: true, symbolSize: 8,
          itemStyle: { color: "#3ddc97" }, lineStyle: { width: 3 } }
      ]
    })
  };
  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var option = options[el.getAttribute("data-chart")];
    if (!option) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
