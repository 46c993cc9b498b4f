/* suqiu dashboard (一屏观全城): fetches /dashboard/data.json, draws the charts with the vendored
   ECharts, writes every chart's numbers as a table (shown with the 表格 button, always readable by
   screen readers), and refreshes on its own. No inline script (CSP script-src 'self'); all text
   from the data goes in through textContent, never as HTML. */
(function () {
  "use strict";

  var root = document.getElementById("dashboard");
  if (!root || typeof echarts === "undefined") { return; }
  var SRC = root.getAttribute("data-src");
  var REFRESH_MS = Math.max(15, parseInt(root.getAttribute("data-refresh"), 10) || 60) * 1000;
  var MAP = "suqiu-city";
  var charts = {};
  var mapState = { url: null, ready: false };
  var COLORS = ["#b4282d", "#0b5cad", "#2f9e44", "#e8590c", "#6741d9", "#0c8599", "#868e96", "#d6336c"];

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function num(v, digits) {
    if (v === null || v === undefined || isNaN(v)) { return "—"; }
    return Number(v).toFixed(digits || 0);
  }

  function pct(v) { return v === null || v === undefined ? "—" : (v * 100).toFixed(1) + "%"; }

  function band(iv, level) {
    var b = iv && (iv[level] || iv[String(level)]);
    return b ? num(b[0]) + "–" + num(b[1]) : "—";
  }

  /* a <table> with a caption, header and rows (cells are text, or {text, href}) */
  function table(caption, headers, rows) {
    var t = el("table", null, "data");
    t.appendChild(el("caption", caption));
    var head = el("thead"); var tr = el("tr");
    headers.forEach(function (h) { var th = el("th", h); th.scope = "col"; tr.appendChild(th); });
    head.appendChild(tr); t.appendChild(head);
    var body = el("tbody");
    rows.forEach(function (row) {
      var r = el("tr");
      row.forEach(function (cell) {
        var td = el("td");
        if (cell && typeof cell === "object" && cell.href) {
          var a = el("a", cell.text); a.href = cell.href; td.appendChild(a);
        } else { td.textContent = cell === null || cell === undefined ? "—" : String(cell); }
        r.appendChild(td);
      });
      body.appendChild(r);
    });
    if (!rows.length) { var e = el("tr"); var td = el("td", "暂无数据"); td.colSpan = headers.length; e.appendChild(td); body.appendChild(e); }
    t.appendChild(body);
    return t;
  }

  function fill(id, node) {
    var box = document.getElementById(id);
    if (!box) { return; }
    box.textContent = "";
    box.appendChild(node);
  }

  function note(card, text) {
    var p = document.querySelector("#card-" + card + " .card-note");
    if (p) { p.textContent = text || ""; }
  }

  function chart(id) {
    if (!charts[id]) {
      var box = document.getElementById("chart-" + id);
      charts[id] = echarts.init(box, null, { renderer: "canvas" });
    }
    return charts[id];
  }

  /* ------------------------------------------------------------------ KPIs */
  function kpi(id, value, text, level) {
    var box = document.getElementById(id);
    box.querySelector(".kpi-value").textContent = value;
    box.querySelector(".kpi-note").textContent = text || "";
    box.setAttribute("data-level", level || "none");
  }

  function compareKpi(id, c) {
    if (!c) { kpi(id, "—", "暂无预期（历史不足）"); return; }
    kpi(id, num(c.actual) + " 件", "预期 " + num(c.expected) + " 件（95% 区间 " + band(c.intervals, 95) + "）· " +
        c.level_label, c.level);
  }

  function drawKpis(d) {
    compareKpi("kpi-today", d.volume.today);
    compareKpi("kpi-week", d.volume.week);
    kpi("kpi-total", d.total + " 件", d.scope + " · 截至 " + d.generated_at.slice(0, 16).replace("T", " "));
    var overdue = d.overdue.reduce(function (s, o) { return s + o.count; }, 0);
    kpi("kpi-overdue", overdue + " 件", d.overdue.length ? "最多：" + d.overdue[0].department : "", overdue ? "medium" : "none");
    var sat = d.rates.filter(function (r) { return r.key === "satisfaction_rate"; })[0];
    kpi("kpi-satisfaction", sat ? pct(sat.value) : "—", sat ? "依据 " + sat.basis + " 件评价" : "近 30 天暂无评价");
  }

  /* ------------------------------------------------------------------ trend with the forecast band */
  function drawTrend(d) {
    var t = d.volume.trend || [];
    var dates = t.map(function (p) { return p.date.slice(5); });
    var lo = t.map(function (p) { return p.intervals ? p.intervals["95"][0] : null; });
    var hi = t.map(function (p) { return p.intervals ? p.intervals["95"][1] - p.intervals["95"][0] : null; });
    chart("trend").setOption({
      color: COLORS, tooltip: { trigger: "axis" }, legend: { data: ["实际", "预期", "95% 区间"] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 },
      xAxis: { type: "category", data: dates }, yAxis: { type: "value", name: "件" },
      series: [
        { name: "区间下限", type: "line", data: lo, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
        { name: "95% 区间", type: "line", data: hi, stack: "band", symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(11,92,173,0.15)" } },
        { name: "预期", type: "line", data: t.map(function (p) { return p.expected; }), symbol: "none", lineStyle: { type: "dashed" }, color: "#0b5cad" },
        { name: "实际", type: "bar", data: t.map(function (p) { return p.actual; }), color: "#b4282d" }
      ]
    }, true);
    fill("table-trend", table("每日诉求量与预测", ["日期", "实际", "预期", "80% 区间", "95% 区间"], t.map(function (p) {
      return [p.date + (p.partial ? "（截至目前）" : ""), p.actual, p.expected === null ? "—" : num(p.expected, 1),
              band(p.intervals, 80), band(p.intervals, 95)];
    })));
    note("trend", (d.volume.notes || []).join("；"));
  }

  function drawPie(id, caption, items, unit) {
    var total = items.reduce(function (s, i) { return s + i.value; }, 0);
    chart(id).setOption({
      color: COLORS, tooltip: { trigger: "item" }, legend: { type: "scroll", bottom: 0 },
      series: [{ name: caption, type: "pie", radius: ["35%", "65%"], data: items, label: { formatter: "{b}\n{c}" } }]
    }, true);
    fill("table-" + id, table(caption, ["类别", "件数", "占比"], items.map(function (i) {
      return [i.name, i.value, total ? (i.value / total * 100).toFixed(1) + "%" : "—"];
    })));
  }

  /* ------------------------------------------------------------------ the district map */
  function ensureMap(info) {
    if (!info.available) { return Promise.resolve(false); }
    if (mapState.ready && mapState.url === info.url) { return Promise.resolve(true); }
    return fetch(info.url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) { throw new Error("地图文件 " + r.status); }
      return r.json();
    }).then(function (geo) {
      echarts.registerMap(MAP, geo);
      mapState = { url: info.url, ready: true };
      return true;
    });
  }

  function drawMap(d) {
    var rows = d.districts;
    fill("table-map", table("各区诉求分布", ["区县", "近 30 天", "本周", "本周预期"], rows.map(function (r) {
      return [r.name, r.value, r.week, r.expected_week === null ? "—" : num(r.expected_week, 1)];
    })));
    var info = d.map;
    note("map", info.available ? (info.missing && info.missing.length ? "地图中缺少：" + info.missing.join("、") + "。" : "") +
      (d.points.length ? "圆点为文本地点或 Open311 坐标（约百米精度）。" : "") + (info.note || "") : info.note);
    return ensureMap(info).then(function (ok) {
      if (!ok) { return; }
      var max = rows.reduce(function (m, r) { return Math.max(m, r.value); }, 1);
      chart("map").setOption({
        tooltip: { trigger: "item", formatter: function (p) {
          if (p.seriesType === "scatter") { return "诉求点位：" + p.value[2] + " 件"; }
          var r = rows.filter(function (x) { return x.name === p.name; })[0];
          if (!r) { return p.name; }
          return p.name + "：近 30 天 " + r.value + " 件，本周 " + r.week + " 件" +
            (r.expected_week === null ? "" : "，本周预期 " + num(r.expected_week, 1) + " 件");
        } },
        visualMap: { min: 0, max: max, left: 8, bottom: 8, text: ["多", "少"], calculable: true, seriesIndex: 0,
                     inRange: { color: ["#fff5f0", "#fcbba1", "#fb6a4a", "#a50f15"] } },
        geo: { map: MAP, roam: true, layoutCenter: ["50%", "50%"], layoutSize: "95%", label: { show: true, fontSize: 11 },
               itemStyle: { borderColor: "#555" } },
        series: [
          { name: "近 30 天诉求", type: "map", geoIndex: 0, data: rows.map(function (r) { return { name: r.name, value: r.value }; }) },
          { name: "诉求点位", type: "scatter", coordinateSystem: "geo", data: d.points,
            symbolSize: function (v) { return Math.min(18, 4 + Math.sqrt(v[2]) * 2); }, itemStyle: { color: "#0b5cad", opacity: 0.7 } }
        ]
      }, true);
    }).catch(function (e) { note("map", "地图无法载入：" + e.message); });
  }

  /* ------------------------------------------------------------------ forecast, overdue, rates */
  function drawForecast(d) {
    var f = d.forecast;
    if (!f) { note("forecast", "尚无预测（分析完成后生成）"); fill("table-forecast", table("未来四周预测", ["周次", "预期"], [])); return; }
    var weeks = f.steps.map(function (s) { return s.week; });
    chart("forecast").setOption({
      color: COLORS, tooltip: { trigger: "axis" }, legend: { data: ["预期", "95% 区间"] },
      grid: { left: 40, right: 16, top: 36, bottom: 28 }, xAxis: { type: "category", data: weeks }, yAxis: { type: "value", name: "件" },
      series: [
        { name: "下限", type: "line", stack: "b", data: f.steps.map(function (s) { return s.intervals["95"][0]; }), symbol: "none", lineStyle: { opacity: 0 }, tooltip: { show: false } },
        { name: "95% 区间", type: "line", stack: "b", data: f.steps.map(function (s) { return s.intervals["95"][1] - s.intervals["95"][0]; }), symbol: "none", lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(180,40,45,0.15)" } },
        { name: "预期", type: "line", data: f.steps.map(function (s) { return s.mean; }), color: "#b4282d" }
      ]
    }, true);
    fill("table-forecast", table("未来四周预测", ["周次", "预期", "80% 区间", "95% 区间"], f.steps.map(function (s) {
      return [s.week, num(s.mean, 1), band(s.intervals, 80), band(s.intervals, 95)];
    })));
    note("forecast", "依据截至 " + f.history_end + " 的数据" + (f.notes.length ? "；" + f.notes.join("；") : ""));
  }

  function drawBars(id, caption, names, values, unit, fmt) {
    chart(id).setOption({
      color: COLORS, tooltip: { trigger: "axis" }, grid: { left: 110, right: 24, top: 12, bottom: 24 },
      xAxis: { type: "value", name: unit }, yAxis: { type: "category", data: names.slice().reverse() },
      series: [{ name: caption, type: "bar", data: values.slice().reverse(), label: { show: true, position: "right", formatter: fmt } }]
    }, true);
  }

  function drawOverdue(d) {
    drawBars("overdue", "超期件数", d.overdue.map(function (o) { return o.department; }), d.overdue.map(function (o) { return o.count; }), "件");
    fill("table-overdue", table("各部门超期未办结", ["部门", "超期件数"], d.overdue.map(function (o) { return [o.department, o.count]; })));
    note("overdue", d.overdue.length ? "" : "当前没有超期未办结的诉求");
  }

  function drawRates(d) {
    drawBars("rates", "比率", d.rates.map(function (r) { return r.name; }), d.rates.map(function (r) { return Math.round(r.value * 1000) / 10; }), "%",
             function (p) { return p.value + "%"; });
    fill("table-rates", table("办理比率", ["指标", "数值", "依据件数"], d.rates.map(function (r) { return [r.name, pct(r.value), r.basis]; })));
  }

  /* ------------------------------------------------------------------ lists */
  function drawLists(d) {
    fill("table-critical", table("紧急诉求（未办结）", ["等级", "受理时间", "区县", "承办部门", "诉求", "答复时限"], d.critical.map(function (c) {
      return [c.urgency_label, c.received_at, c.district, c.department,
              { text: c.title, href: "/records/" + encodeURIComponent(c.id) }, c.due_at + (c.overdue ? "（已超期）" : "")];
    })));
    fill("table-warnings", table("预警", ["周次", "类型", "等级", "说明"], d.warnings.map(function (w) {
      return [w.week, w.kind_label, w.level_label, w.message];
    })));
    fill("table-hotspots", table("热点问题", ["问题", "地点", "时间", "诉求数", "热度"], d.hotspots.map(function (h) {
      return [h.description, h.places, h.span, h.count, num(h.heat, 2)];
    })));
  }

  function draw(d) {
    drawKpis(d);
    drawTrend(d);
    drawPie("channels", "诉求渠道", d.channels);
    drawPie("satisfaction", "满意度", d.satisfaction);
    drawForecast(d);
    drawOverdue(d);
    drawRates(d);
    drawLists(d);
    return drawMap(d);
  }

  function status(text) { document.getElementById("dash-updated").textContent = text; }

  function load() {
    return fetch(SRC, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      var type = r.headers.get("content-type") || "";
      if (!r.ok || type.indexOf("json") < 0) { throw new Error(r.status === 403 ? "无权查看" : "登录已过期，请刷新页面重新登录"); }
      return r.json();
    }).then(function (d) {
      return Promise.resolve(draw(d)).then(function () {
        root.setAttribute("data-loaded", d.generated_at);
        status("数据更新于 " + d.generated_at.slice(0, 16).replace("T", " ") + "，每 " + REFRESH_MS / 1000 + " 秒自动刷新");
      });
    }).catch(function (e) { status("数据载入失败：" + e.message); })
      .then(function () { window.setTimeout(load, REFRESH_MS); });
  }

  /* 表格 buttons: the table in view (the chart hidden), or the chart with the table for screen readers only */
  Array.prototype.forEach.call(root.querySelectorAll("button.toggle"), function (btn) {
    btn.addEventListener("click", function () {
      var on = btn.getAttribute("aria-pressed") !== "true";
      var card = btn.closest(".card");
      btn.setAttribute("aria-pressed", on ? "true" : "false");
      btn.textContent = on ? "图表" : "表格";
      card.querySelector(".table-view").classList.toggle("sr-only", !on);
      card.querySelector(".chart").classList.toggle("hidden", on);
      if (!on) { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); }
    });
  });
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  root.suqiuCharts = charts;
  load();
})();
