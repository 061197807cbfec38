// The Trends tab: tagged records (a file, or the upload tab's results) counted by
// POST /v1/report and drawn here as inline SVG; nothing is loaded from elsewhere.
// Every text from a file or the API goes into the page as text, never as HTML.
"use strict";

(() => {
  const panel = document.getElementById("panel-trends");
  if (!panel) return;
  const $ = (id) => document.getElementById(id);
  const SVG = (() => { // the SVG namespace, as the HTML parser gives it to an inline <svg>
    const template = document.createElement("template");
    template.innerHTML = "<svg></svg>";
    return template.content.firstChild.namespaceURI;
  })();
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  const FIELDS = ["id", "date", "title", "url", "countries", "topics", "partners", "cooperation"];

  function svg(tag, attrs = {}, text = null) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
    if (text !== null) node.textContent = text;
    return node;
  }

  function fail(title, detail) {
    const box = $("trends-error");
    box.replaceChildren(Object.assign(document.createElement("strong"), { textContent: title }));
    if (detail) box.append(`: ${detail}`);
    box.hidden = false;
  }

  // Tagged records from the chosen file, or from the upload tab's download link.
  async function records() {
    const file = $("trends-file").files[0];
    let text;
    if (file) text = await file.text();
    else {
      const link = document.getElementById("download");
      if (!link || !link.href.startsWith("blob:")) {
        throw new Error("choose a tagged JSONL file, or tag a file in the upload tab first");
      }
      text = await (await fetch(link.href)).text();
    }
    const rows = [];
    text.replace(/^\uFEFF/, "").split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      let record;
      try {
        record = JSON.parse(line);
      } catch (error) {
        throw new Error(`line ${i + 1} is not valid JSON (${error.message})`);
      }
      if (!file && !(record && Array.isArray(record.countries))) return; // an error row of the upload tab
      rows.push(record && typeof record === "object" && !Array.isArray(record)
        ? Object.fromEntries(FIELDS.filter((k) => k in record).map((k) => [k, record[k]])) : record);
    });
    return rows;
  }

  const words = (id) => $(id).value.split(/[\s,;]+/).filter(Boolean);

  async function ask(rows) {
    const body = { records: rows, by: $("trends-by").value, country: words("trends-country"),
      topic: words("trends-topic"), cooperation: $("trends-cooperation").checked };
    const response = await fetch(panel.dataset.reportUrl, { method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", Accept: "application/json" } });
    let answer = null;
    try { answer = await response.json(); } catch { /* handled below */ }
    if (!response.ok) {
      const error = new Error(answer && answer.detail ? answer.detail : `${response.status} ${response.statusText}`);
      error.title = answer && answer.title ? `${answer.title} (${response.status})` : "The report failed";
      throw error;
    }
    return answer;
  }

  // A chart frame: the SVG, x of a period index, y of a count, and the axes drawn.
  function frame(periods, top) {
    const width = 720, height = 260, left = 44, bottom = 56, right = 130, upper = 12;
    const root = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img" });
    const step = (width - left - right) / Math.max(periods.length, 1);
    const x = (i) => left + step * (i + 0.5);
    const y = (n) => upper + (height - upper - bottom) * (1 - n / Math.max(top, 1));
    root.append(svg("line", { x1: left, y1: y(0), x2: width - right, y2: y(0), class: "axis" }),
      svg("line", { x1: left, y1: upper, x2: left, y2: y(0), class: "axis" }),
      svg("text", { x: left - 6, y: y(top) + 4, "text-anchor": "end" }, String(top)),
      svg("text", { x: left - 6, y: y(0) + 4, "text-anchor": "end" }, "0"));
    const every = Math.ceil(periods.length / 12);
    periods.forEach((p, i) => {
      if (i % every === 0) {
        root.append(svg("text", { x: x(i), y: y(0) + 16, "text-anchor": "end",
          transform: `rotate(-40 ${x(i)} ${y(0) + 16})` }, p));
      }
    });
    return { root, x, y, step, legendX: width - right + 12 };
  }

  function topicChart(answer) {
    const periods = answer.periods, series = new Map();
    for (const { period, topic, articles } of answer.topics) {
      if (!series.has(topic)) series.set(topic, new Array(periods.length).fill(0));
      series.get(topic)[periods.indexOf(period)] = articles;
    }
    const top = Math.max(1, ...answer.topics.map((t) => t.articles));
    const { root, x, y, legendX } = frame(periods, top);
    root.setAttribute("aria-label", "Articles per period per topic");
    [...series.keys()].sort().forEach((topic, k) => {
      const colour = COLOURS[k % COLOURS.length];
      const counts = series.get(topic);
      root.append(svg("polyline", { fill: "none", stroke: colour, "stroke-width": 2,
        points: counts.map((n, i) => `${x(i)},${y(n)}`).join(" ") }));
      counts.forEach((n, i) => {
        const dot = svg("circle", { cx: x(i), cy: y(n), r: 3, fill: colour });
        dot.append(svg("title", {}, `${topic}, ${periods[i]}: ${n}`));
        root.append(dot);
      });
      root.append(svg("text", { x: legendX, y: 20 + 16 * k, fill: colour }, topic));
    });
    $("trends-topics").replaceChildren(root);
  }

  function periodChart(answer) {
    const periods = answer.periods;
    const top = Math.max(1, ...answer.per_period.map((p) => p.articles));
    const { root, x, y, step, legendX } = frame(periods, top);
    root.setAttribute("aria-label", "Articles per period, cooperation articles darker");
    for (const { period, articles, cooperation } of answer.per_period) {
      const i = periods.indexOf(period), w = step * 0.7;
      const bar = svg("rect", { x: x(i) - w / 2, y: y(articles), width: w, height: y(0) - y(articles), fill: "#9ecae1" });
      bar.append(svg("title", {}, `${period}: ${articles} articles, ${cooperation} cooperation`));
      root.append(bar, svg("rect", { x: x(i) - w / 2, y: y(cooperation), width: w, height: y(0) - y(cooperation),
        fill: "#08519c" }));
    }
    root.append(svg("text", { x: legendX, y: 20, fill: "#6baed6" }, "articles"),
      svg("text", { x: legendX, y: 36, fill: "#08519c" }, "cooperation"));
    $("trends-periods").replaceChildren(root);
  }

  function table(answer) {
    const cell = (value) => Object.assign(document.createElement("td"), { textContent: value ?? "—" });
    $("trends-table").tBodies[0].replaceChildren(...answer.counts.map((c) => {
      const row = document.createElement("tr");
      const n = cell(String(c.articles));
      n.dataset.v = c.articles;
      row.append(cell(c.period ?? "undated"), cell(c.country), cell(c.topic), cell(c.cooperation ? "yes" : "no"), n);
      return row;
    }));
  }

  $("trends-table").tHead.addEventListener("click", (event) => {
    const th = event.target.closest("th");
    if (!th) return;
    const col = th.cellIndex, up = th.getAttribute("aria-sort") !== "ascending";
    for (const other of th.parentNode.cells) other.removeAttribute("aria-sort");
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    const key = (r) => (r.cells[col].dataset.v !== undefined ? Number(r.cells[col].dataset.v) : r.cells[col].textContent);
    const body = $("trends-table").tBodies[0];
    [...body.rows].sort((a, b) => {
      const p = key(a), q = key(b);
      return (typeof p === "number" ? p - q : String(p).localeCompare(String(q))) * (up ? 1 : -1);
    }).forEach((r) => body.appendChild(r));
  });

  $("trends-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    $("trends-error").hidden = true;
    $("trends-result").hidden = true;
    $("trends-status").textContent = "Counting…";
    try {
      const answer = await ask(await records());
      if (answer.matched === 0) {
        fail("No article matches these filters", `none of the ${answer.total} records`);
        return;
      }
      $("trends-summary").textContent = `${answer.matched} of ${answer.total} records counted by ${answer.by}` +
        ` (${answer.undated} undated), ${answer.periods.length} periods.`;
      topicChart(answer);
      periodChart(answer);
      table(answer);
      $("trends-result").hidden = false;
    } catch (error) {
      fail(error.title || "Cannot count these records", error.message);
    } finally {
      $("trends-status").textContent = "";
    }
  });
})();
