// The analysts' page: tag one article or a JSONL/CSV file through the JSON API.
// Plain browser JavaScript, no dependencies; every text from the API or a file
// is put in the page as text, never as HTML.
"use strict";

(() => {
  const page = document.body.dataset;
  const BATCH_MAX = Number(page.batchMax) || 64;
  const COOPERATION = "cooperation";
  const COUNTRY_FLOOR = 0.05; // countries scoring less, and not given, are only counted
  const EXAMPLE = {
    title: "Việt Nam và Nhật Bản hợp tác đào tạo kỹ sư trí tuệ nhân tạo",
    text: "Một trường đại học kỹ thuật ở Đà Nẵng vừa ký biên bản ghi nhớ với một tập đoàn công nghệ " +
      "Nhật Bản. Hai bên sẽ cùng mở phòng thí nghiệm trí tuệ nhân tạo và thử nghiệm mạng 5G ngay " +
      "trong khuôn viên trường.\n\nTheo kế hoạch, mỗi năm có năm mươi sinh viên Việt Nam sang Nhật Bản " +
      "thực tập về AI và an ninh mạng.",
  };

  const $ = (id) => document.getElementById(id);
  let model = null; // GET /v1/model: labels, thresholds, model_version
  let downloadUrl = null;

  // Builds an element; `children` are nodes or strings (always inserted as text).
  function h(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs)) {
      if (name === "class") node.className = value;
      else if (name === "style") Object.assign(node.style, value);
      else node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  // ---- Calling the API -------------------------------------------------------

  class ApiProblem extends Error {
    constructor(problem) {
      super(problem.detail || problem.title);
      this.problem = problem;
    }
  }

  const problemOf = (error) => error instanceof ApiProblem
    ? error.problem
    : { title: "Unexpected error in the page", detail: String(error) };

  // fetch with the API key of this tab's session, if any. When the service
  // answers 401 the key is asked for (once per refusal), kept in sessionStorage
  // and the request sent again with it; a key refused again is forgotten.
  const KEY_STORE = "tagger.apiKey";
  const withKey = (options) => {
    const key = sessionStorage.getItem(KEY_STORE);
    return key ? { ...options, headers: { ...options.headers, Authorization: `Bearer ${key}` } } : options;
  };

  async function fetchWithKey(url, options = {}) {
    const response = await fetch(url, withKey(options));
    if (response.status !== 401) return response;
    const key = (window.prompt("This service needs an API key. Enter yours:") || "").trim();
    if (!key) return response;
    sessionStorage.setItem(KEY_STORE, key);
    const retried = await fetch(url, withKey(options));
    if (retried.status === 401) sessionStorage.removeItem(KEY_STORE);
    return retried;
  }

  // The JSON body of a successful answer; throws ApiProblem with the service's
  // problem details (or a stand-in when the answer is not one) otherwise.
  async function call(url, options = {}) {
    let response;
    try {
      response = await fetchWithKey(url, { headers: { Accept: "application/json" }, ...options });
    } catch (error) {
      throw new ApiProblem({ title: "The service cannot be reached",
        detail: `Check that it is running and try again (${error.message}).` });
    }
    let body = null;
    try {
      body = await response.json();
    } catch {
      // not JSON: handled below
    }
    if (!response.ok) {
      if (body && typeof body.title === "string") throw new ApiProblem(body);
      throw new ApiProblem({ title: `${response.status} ${response.statusText}`.trim(), status: response.status,
        detail: "The service answered with an error but without a problem description." });
    }
    if (body === null) {
      throw new ApiProblem({ title: "Unexpected answer", detail: "The service did not answer with JSON." });
    }
    return body;
  }

  const postJson = (url, data) => call(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(data),
  });

  function showProblem(box, problem) {
    box.replaceChildren(h("strong", {}, problem.title || "Error"));
    if (problem.status) box.append(` (${problem.status})`);
    if (problem.detail) box.append(`: ${problem.detail}`);
    box.hidden = false;
  }

  function clearProblem(box) {
    box.hidden = true;
    box.replaceChildren();
  }

  // Runs `work` unless it is already running. The button is marked, not
  // disabled, so that it keeps the keyboard focus.
  async function busy(button, status, work) {
    if (button.getAttribute("aria-disabled") === "true") return;
    button.setAttribute("aria-disabled", "true");
    status.textContent = "Tagging…";
    try {
      await work();
    } finally {
      button.removeAttribute("aria-disabled");
      status.textContent = "";
    }
  }

  function showVersion(version) {
    $("model-version").textContent = version;
  }

  async function loadModel() {
    try {
      model = await call(page.modelUrl);
      showVersion(model.model_version);
    } catch (error) {
      showVersion("unavailable");
      showProblem($("model-error"), problemOf(error));
    }
  }

  // ---- Tabs (WAI-ARIA tabs pattern, automatic activation) --------------------

  const tabs = [...document.querySelectorAll('[role="tab"]')];

  function selectTab(tab, focus) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      $(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (focus) tab.focus();
  }

  for (const tab of tabs) tab.addEventListener("click", () => selectTab(tab, false));
  document.querySelector('[role="tablist"]').addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (at < 0 || to === undefined) return;
    event.preventDefault();
    selectTab(tabs[(to + tabs.length) % tabs.length], true);
  });

  // ---- One article: scores ---------------------------------------------------

  const isCountry = (label) => /^[A-Z]{2}$/.test(label);
  const PARTNER = "partner:"; // "partner:JP": Japan as the foreign side of the cooperation
  const isPartner = (label) => label.startsWith(PARTNER);
  const regions = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "region" }) : null;

  function countryName(code) {
    try {
      const name = regions && regions.of(code);
      return name && name !== code ? name : "";
    } catch {
      return "";
    }
  }

  // A text under this many characters is a news-feed item, tagged at the model's short thresholds.
  const SHORT_TEXT = 600;

  function scoreRow(label, score, given, short) {
    const limits = model && (short && model.short_thresholds ? model.short_thresholds : model.thresholds);
    const threshold = limits ? limits[label] : undefined;
    const over = given; // the service's decision: a partner also needs cooperation
    const code = isPartner(label) ? label.slice(PARTNER.length) : label;
    const name = isCountry(code) ? countryName(code) : "";
    const bar = h("span", { class: "bar", "aria-hidden": "true" },
      h("span", { class: "fill", style: { width: `${Math.round(score * 100)}%` } }));
    if (typeof threshold === "number") {
      bar.append(h("span", { class: "tick", style: { left: `${threshold * 100}%` } }));
      bar.title = `threshold ${threshold.toFixed(2)}`;
    }
    const limit = typeof threshold === "number" ? ` (threshold ${threshold.toFixed(2)})` : "";
    return h("li", { class: over ? "score over" : "score", "data-label": label },
      h("span", { class: "name" }, label, name ? h("small", {}, ` ${name}`) : ""),
      bar,
      h("span", { class: "value" }, score.toFixed(2), h("span", { class: "visually-hidden" }, limit)),
      h("span", { class: "flag" }, over ? "✓ given" : ""));
  }

  function showScores(result, short) {
    const partners = result.partners || [];
    const given = new Set([...result.countries, ...result.topics, ...(result.cooperation ? [COOPERATION] : []),
      ...partners.map((c) => PARTNER + c)]);
    const labels = model && Array.isArray(model.labels) ? model.labels : Object.keys(result.scores);
    const row = (label) => scoreRow(label, result.scores[label] ?? 0, given.has(label), short);

    $("cooperation-flag").textContent = result.cooperation ? "yes" : "no";
    $("cooperation-score").replaceChildren(row(COOPERATION));
    $("partner-list").textContent = partners.length ? partners.map((c) => countryName(c) || c).join(", ") : "none";
    $("partner-scores").replaceChildren(...labels.filter(isPartner)
      .filter((l) => given.has(l) || (result.scores[l] ?? 0) >= COUNTRY_FLOOR)
      .sort((a, b) => (result.scores[b] ?? 0) - (result.scores[a] ?? 0)).map(row));
    $("topic-scores").replaceChildren(...labels.filter((l) => l !== COOPERATION && !isCountry(l) && !isPartner(l))
      .map(row));

    const countries = labels.filter(isCountry);
    const shown = countries
      .filter((l) => given.has(l) || (result.scores[l] ?? 0) >= COUNTRY_FLOOR)
      .sort((a, b) => (result.scores[b] ?? 0) - (result.scores[a] ?? 0));
    $("country-scores").replaceChildren(...shown.map(row));
    const hidden = countries.length - shown.length;
    $("country-note").textContent = shown.length === 0
      ? `No country scored ${COUNTRY_FLOOR} or more.`
      : hidden > 0 ? `${hidden} other countries scored below ${COUNTRY_FLOOR}.` : "";
  }

  // ---- One article: evidence highlighted in the text -------------------------

  const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const termKey = (s) => s.normalize("NFC").replace(/[\s_]+/gu, " ").trim().toLocaleLowerCase("vi");

  // Evidence term (as a lookup key) -> the labels it stands behind. Country
  // evidence may end in a count, "Nhật Bản (x3)"; n-grams may join syllables with "_".
  function evidenceTerms(evidence) {
    const terms = new Map();
    for (const [label, list] of Object.entries(evidence || {})) {
      for (const raw of list) {
        const key = termKey(String(raw).replace(/\s*\(x\d+\)\s*$/u, ""));
        if (!key) continue;
        if (!terms.has(key)) terms.set(key, new Set());
        terms.get(key).add(label);
      }
    }
    return terms;
  }

  // One pattern for all terms, longest first, matching whole words only,
  // case-insensitively and whatever the spaces between syllables.
  function termPattern(terms) {
    if (terms.size === 0) return null;
    const alternatives = [...terms.keys()]
      .sort((a, b) => b.length - a.length)
      .map((t) => t.split(" ").map(escapeRegExp).join("[\\s_]+"));
    return new RegExp(`(?<![\\p{L}\\p{N}\\p{M}])(?:${alternatives.join("|")})(?![\\p{L}\\p{N}\\p{M}])`, "giu");
  }

  function highlighted(text, pattern, terms) {
    const nodes = [];
    let last = 0;
    for (const match of pattern ? text.matchAll(pattern) : []) {
      nodes.push(text.slice(last, match.index));
      const labels = [...(terms.get(termKey(match[0])) || [])].join(", ");
      nodes.push(h("mark", labels ? { title: labels, "data-labels": labels } : {}, match[0]));
      last = match.index + match[0].length;
    }
    nodes.push(text.slice(last));
    return nodes;
  }

  function showEvidence(result, article) {
    const evidence = result.evidence || {};
    const terms = evidenceTerms(evidence);
    const pattern = termPattern(terms);

    $("evidence").replaceChildren(...Object.entries(evidence).map(([label, list]) =>
      h("li", {}, h("span", { class: "label" }, label), " ", list.length ? list.join(", ") : "(no single term)")));

    const body = [];
    const title = article.title.normalize("NFC").trim();
    if (title) body.push(h("h3", {}, ...highlighted(title, pattern, terms)));
    for (const paragraph of article.text.normalize("NFC").split(/\n\s*\n|\r\n\s*\r\n/)) {
      if (paragraph.trim()) body.push(h("p", {}, ...highlighted(paragraph, pattern, terms)));
    }
    $("article").replaceChildren(...body);
  }

  $("example").addEventListener("click", () => {
    $("title").value = EXAMPLE.title;
    $("text").value = EXAMPLE.text;
    $("text").focus();
  });

  $("one-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("one-error");
    const article = { title: $("title").value, text: $("text").value };
    await busy($("tag-button"), $("one-status"), async () => {
      clearProblem(error);
      try {
        const result = await postJson(`${page.tagUrl}?explain=true`, article);
        showVersion(result.model_version);
        showScores(result, article.text.trim().length < SHORT_TEXT);
        showEvidence(result, article);
        $("one-result").hidden = false;
      } catch (failure) {
        $("one-result").hidden = true;
        showProblem(error, problemOf(failure));
      }
    });
  });

  // ---- A file: parsing in the browser ---------------------------------------

  // A row of the file: its line number and either an article to send or the
  // problem that kept it from being sent.
  const unreadable = (line, detail) => ({ line, problem: { title: "Unreadable record", detail, line } });

  function jsonlRows(text) {
    const rows = [];
    text.split(/\r?\n/).forEach((raw, i) => {
      if (!raw.trim()) return;
      try {
        rows.push({ line: i + 1, article: JSON.parse(raw) });
      } catch (error) {
        rows.push(unreadable(i + 1, `line ${i + 1} is not valid JSON (${error.message})`));
      }
    });
    return rows;
  }

  // RFC 4180 records with the line each starts on: quoted fields may hold
  // commas, doubled quotes and line breaks.
  function csvRecords(text) {
    const records = [];
    let cells = [], field = "", quoted = false, line = 1, start = 1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
        else if (c === '"') quoted = false;
        else { if (c === "\n") line++; field += c; }
      } else if (c === '"') quoted = true;
      else if (c === ",") { cells.push(field); field = ""; }
      else if (c === "\n" || c === "\r") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        cells.push(field);
        records.push({ line: start, cells });
        cells = []; field = ""; line++; start = line;
      } else field += c;
    }
    if (quoted) throw new Error(`a quoted field opened on line ${start} is never closed`);
    if (field || cells.length) { cells.push(field); records.push({ line: start, cells }); }
    return records.filter((r) => r.cells.some((cell) => cell.trim()));
  }

  function csvRows(text) {
    const [header, ...records] = csvRecords(text);
    const names = header ? header.cells.map((n) => n.trim().toLowerCase()) : [];
    if (!names.includes("text") && !names.includes("body")) {
      throw new Error("the CSV file needs a header row with a 'text' (or 'body') column");
    }
    return records.map(({ line, cells }) => {
      if (cells.length !== names.length) {
        return unreadable(line, `line ${line} has ${cells.length} fields, the header has ${names.length}`);
      }
      const article = {};
      names.forEach((name, i) => {
        if (cells[i] !== "" || name === "text" || name === "body") article[name] = cells[i];
      });
      return { line, article };
    });
  }

  // ---- A file: tagging and the table ----------------------------------------

  const list = (items) => (items.length ? items.join(", ") : "—");

  function tableRow(row) {
    const id = row.article && typeof row.article === "object" && row.article.id != null ? String(row.article.id) : "";
    const cells = [h("th", { scope: "row" }, String(row.line)), h("td", {}, row.result ? row.result.id ?? "" : id)];
    if (row.result) {
      cells.push(h("td", {}, list(row.result.countries)), h("td", {}, list(row.result.topics)),
        h("td", {}, row.result.cooperation ? "yes" : "no"), h("td", {}, list(row.result.partners || [])));
    } else {
      const p = row.problem;
      cells.push(h("td", { colspan: "4", class: "error-cell" },
        h("strong", {}, `Error: ${p.title}`), p.detail ? ` ${p.detail}` : ""));
    }
    return h("tr", { class: row.result ? "ok" : "error" }, ...cells);
  }

  function showTable(rows, fileName) {
    const errors = rows.filter((r) => !r.result).length;
    $("file-summary").textContent =
      `${fileName}: ${rows.length} records, ${rows.length - errors} tagged, ${errors} with errors.`;
    $("file-table").tBodies[0].replaceChildren(...rows.map(tableRow));

    const jsonl = rows.map((r) => JSON.stringify(r.result || r.problem)).join("\n") + "\n";
    if (downloadUrl) URL.revokeObjectURL(downloadUrl);
    downloadUrl = URL.createObjectURL(new Blob([jsonl], { type: "application/x-ndjson" }));
    const link = $("download");
    link.href = downloadUrl;
    link.download = `${fileName.replace(/\.[^.]*$/, "")}.tagged.jsonl`;
    $("file-result").hidden = false;
  }

  async function tagFile(file, error) {
    if (!file) {
      showProblem(error, { title: "No file chosen", detail: "Choose a JSONL or CSV file first." });
      return;
    }
    let rows;
    try {
      const text = (await file.text()).replace(/^\uFEFF/, "");
      rows = /\.csv$/i.test(file.name) || file.type === "text/csv" ? csvRows(text) : jsonlRows(text);
    } catch (failure) {
      showProblem(error, { title: "Cannot read the file", detail: `${file.name}: ${failure.message}` });
      return;
    }
    const toSend = rows.filter((r) => "article" in r);
    if (rows.length === 0) {
      showProblem(error, { title: "Empty file", detail: `${file.name} holds no records.` });
      return;
    }
    if (toSend.length > BATCH_MAX) {
      showProblem(error, { title: "Too many articles", detail: `${file.name} holds ${toSend.length} articles; ` +
        `the service tags at most ${BATCH_MAX} at a time. Split the file.` });
      return;
    }
    if (toSend.length) {
      const { results } = await postJson(page.batchUrl, { articles: toSend.map((r) => r.article) });
      toSend.forEach((row, i) => {
        const answer = results[i];
        if (answer && "index" in answer && "status" in answer) row.problem = answer;
        else row.result = answer;
      });
    }
    showTable(rows, file.name);
  }

  $("file-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("file-error");
    await busy($("file-button"), $("file-status"), async () => {
      clearProblem(error);
      $("file-result").hidden = true;
      try {
        await tagFile($("file").files[0], error);
      } catch (failure) {
        showProblem(error, problemOf(failure));
      }
    });
  });

  loadModel();
})();
