/* Draws the dashboard's charts from the data the page embeds (json_script); the tables beside
   them carry the same numbers for readers without JavaScript. Legends are HTML lists next to
   the canvas: they wrap on a phone instead of running over the axis titles. */
(function () {
  "use strict";
  var form = document.querySelector(".filters");
  var period = form && form.querySelector("select[name=period]");
  function syncCustom() { form.classList.toggle("custom", period.value === "custom"); }
  if (period) { period.addEventListener("change", syncCustom); syncCustom(); }

  /* A table that scrolls inside its panel ends on a whole row, whatever the screen, the font and
     a horizontal scrollbar take: half a row reads as a cut-off page. */
  function fitRows(box) {
    box.style.maxHeight = "";
    var hint = box.nextElementSibling;
    var scrolls = box.scrollHeight > box.clientHeight + 1;
    if (hint && hint.classList.contains("scroll-hint")) { hint.hidden = !scrolls; }
    if (!scrolls) { return; }
    var top = box.getBoundingClientRect().top + box.clientTop - box.scrollTop;
    var fit = 0;
    box.querySelectorAll("tbody tr").forEach(function (row) {
      var bottom = row.getBoundingClientRect().bottom - top;
      if (bottom <= box.clientHeight + 0.5) { fit = Math.max(fit, bottom); }
    });
    if (fit > 0) { box.style.maxHeight = Math.ceil(fit + box.offsetHeight - box.clientHeight) + "px"; }
  }
  function fitAllRows() { document.querySelectorAll(".scroll").forEach(fitRows); }

  var node = document.getElementById("dashboard-data");
  if (!node || !window.echarts) {
    document.documentElement.className = "no-js";
    return;
  }
  var data = JSON.parse(node.textContent);
  var text = "#e6eefc", dim = "#93a8cc", line = "#1f3d6e";
  var palette = ["#ffb547", "#35c2ff", "#a5b4ff", "#3ddc97", "#ff5d6c", "#f38ee6", "#7be0e0", "#c2d36b",
    "#ff8a5c", "#6f9bff", "#e0e070", "#b58cff"];
  var axis = { axisLine: { lineStyle: { color: line } }, axisLabel: { color: dim, fontSize: 13 }, splitLine: { lineStyle: { color: line } } };
  // Axis titles sit above the plot, inside the chart: left-aligned on a left axis, right-aligned
  // on a right one, so that neither is cut at the canvas' edge.
  function axisName(name, align) {
    return { name: name, nameLocation: "end", nameGap: 10, nameTextStyle: { color: dim, align: align || "left" } };
  }
  function base(extra) {
    var option = Object.assign({ color: palette, textStyle: { color: text, fontSize: 13 }, animation: false,
      grid: { left: 4, right: 12, top: 32, bottom: 4, containLabel: true },
      legend: { show: false }, tooltip: { trigger: "axis", confine: true } }, extra);
    // Tooltips drawn on the canvas: echarts' HTML tooltips carry style attributes, which the
    // Content-Security-Policy refuses (style-src without 'unsafe-inline'; liaison.csp).
    option.tooltip = Object.assign({ renderMode: "richText" }, option.tooltip);
    return option;
  }
  function pct(value, total) { return total ? (Math.round(value * 1000 / total) / 10) + "%" : "—"; }

  var options = {
    weekly: function () {
      return base({
        xAxis: Object.assign({ type: "category", data: data.weekly.labels }, axis),
        yAxis: Object.assign({ type: "value" }, axis, axisName(data.labels.cases)),
        series: data.weekly.series.map(function (s) { return { name: s.name, type: "bar", stack: "all", data: s.data, barMaxWidth: 28 }; })
      });
    },
    categories: function () {
      return base({
        tooltip: { trigger: "item", confine: true, formatter: "{b}: {c} ({d}%)" },
        series: [{ type: "pie", radius: ["42%", "74%"], center: ["50%", "50%"], data: data.categories,
          label: { show: false }, labelLine: { show: false }, itemStyle: { borderColor: "#11264a", borderWidth: 2 } }]
      });
    },
    stations: function (el) {
      var labelWidth = Math.round(Math.min(190, Math.max(72, el.clientWidth * 0.42)));
      // A station's name breaks onto a second line rather than end in "…": the chart grows.
      var perBar = el.clientWidth < 480 ? 36 : 26;
      var height = Math.max(240, data.stations.length * perBar + 40) + "px";
      if (el.style.height !== height) { el.style.height = height; }
      return base({
        grid: { left: 4, right: 40, top: 8, bottom: 4, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, confine: true },
        xAxis: Object.assign({ type: "value", splitNumber: el.clientWidth < 420 ? 3 : 5 }, axis),
        yAxis: Object.assign({ type: "category", inverse: true, data: data.stations.map(function (s) { return s.name; }) },
          axis, { axisLabel: { color: dim, fontSize: 13, lineHeight: 15, width: labelWidth, overflow: "break" } }),
        series: [{ type: "bar", data: data.stations.map(function (s) { return s.value; }), barMaxWidth: 22,
          itemStyle: { color: "#35c2ff" }, label: { show: true, position: "right", color: text } }]
      });
    },
    reply_time: function (el) {
      // Every bucket keeps its label: on a phone a label breaks onto two lines rather than vanish.
      var width = Math.floor((el.clientWidth - 56) / Math.max(1, data.reply_time.labels.length));
      return base({
        xAxis: Object.assign({ type: "category", data: data.reply_time.labels }, axis,
          { axisLabel: { color: dim, fontSize: 13, interval: 0, width: width, overflow: "break" } }),
        yAxis: Object.assign({ type: "value" }, axis, axisName(data.labels.cases)),
        series: [{ type: "bar", data: data.reply_time.data, barMaxWidth: 48, itemStyle: { color: "#a5b4ff" },
          label: { show: true, position: "top", color: text } }]
      });
    },
    satisfaction: function () {
      return base({
        color: ["#1f5e8f", "#3ddc97"],
        xAxis: Object.assign({ type: "category", data: data.satisfaction.labels }, axis),
        yAxis: [Object.assign({ type: "value", min: 0, max: 100 }, axis, axisName(data.labels.satisfaction)),
          Object.assign({ type: "value", minInterval: 1 }, axis, axisName(data.labels.evaluated, "right"), { splitLine: { show: false } })],
        series: [
          { name: data.labels.evaluated, type: "bar", yAxisIndex: 1, data: data.satisfaction.evaluated, barMaxWidth: 28 },
          { name: data.labels.satisfaction, type: "line", data: data.satisfaction.data, connectNulls: true, symbolSize: 8, lineStyle: { width: 3 } }
        ]
      });
    }
  };

  // What each chart's legend lists: a name, its colour and, for the pie, its count and share.
  var legends = {
    weekly: function () {
      return data.weekly.series.map(function (s, i) { return { name: s.name, color: palette[i % palette.length] }; });
    },
    categories: function () {
      var total = data.categories.reduce(function (sum, c) { return sum + c.value; }, 0);
      return data.categories.map(function (c, i) {
        return { name: c.name, color: palette[i % palette.length], value: c.value + " · " + pct(c.value, total) };
      });
    },
    satisfaction: function () {
      return [{ name: data.labels.evaluated, color: "#1f5e8f" }, { name: data.labels.satisfaction, color: "#3ddc97" }];
    }
  };

  function drawLegend(el, chart, items) {
    var list = document.createElement("ul");
    list.className = "legend";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("aria-pressed", "true");
      var swatch = document.createElement("i");
      swatch.style.background = item.color;
      var name = document.createElement("span");
      name.textContent = item.name;
      button.append(swatch, name);
      if (item.value) {
        var value = document.createElement("span");
        value.className = "v";
        value.textContent = item.value;
        button.append(value);
      }
      button.addEventListener("click", function () {
        chart.dispatchAction({ type: "legendToggleSelect", name: item.name });
        button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
      });
      li.append(button);
      list.append(li);
    });
    var body = document.createElement("div");
    body.className = "chart-body" + (el.getAttribute("data-chart") === "categories" ? " side" : "");
    el.parentNode.insertBefore(body, el);
    body.append(list, el);
    if (body.classList.contains("side")) { body.append(list); }
  }

  var charts = [];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var key = el.getAttribute("data-chart");
    if (!options[key]) { return; }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    if (legends[key]) { drawLegend(el, chart, legends[key]()); chart.resize(); }
    var option = options[key](el);
    chart.resize();  // the option may have set the chart's height
    chart.setOption(option);
    charts.push({ key: key, el: el, chart: chart });
  });
  fitAllRows();
  // A data table opened under its chart is laid out only then.
  document.querySelectorAll("details.data").forEach(function (d) { d.addEventListener("toggle", fitAllRows); });
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      charts.forEach(function (c) {
        var option = options[c.key](c.el);
        c.chart.resize();
        c.chart.setOption(option, { replaceMerge: ["xAxis", "yAxis"] });
      });
      fitAllRows();
    }, 100);
  });
})();
