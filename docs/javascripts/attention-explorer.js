// The attention explorer (chapter 2): draws the attention weights that snippets/ch2/attention-explorer/attention_export.py
// exported to figures/ch2/attention-explorer/attention-explorer.json, one heat map per (model, sentence, layer, head), and the
// softmax-temperature slider. Plain JavaScript and SVG; nothing is computed here but a softmax for the slider.
// Material's instant navigation swaps page bodies without reloading scripts, so every new body arrives
// through `document$`; the JSON is fetched once, the first time a page needs it.
(function () {
  const DATA_URL = new URL("../figures/ch2/attention-explorer/attention-explorer.json", document.currentScript.src);
  const SVG = "http://www.w3.org/2000/svg";
  let dataReady = null;
  let counter = 0; // makes the ids of each explorer's controls unique

  function loadData() {
    dataReady ??= fetch(DATA_URL).then((response) => {
      if (!response.ok) throw new Error(`could not load ${DATA_URL} (HTTP ${response.status})`);
      return response.json();
    });
    return dataReady;
  }

  function element(tag, attributes = {}, text = null) {
    const node = Object.assign(document.createElement(tag), attributes);
    if (text !== null) node.textContent = text;
    return node;
  }

  // A weight's colour: matplotlib's viridis, as in the attention figures of chapter 2, the same in both palettes
  // (dark purple for 0, yellow for 1). Seventeen of its colours, at 0, 1/16, ..., 1, joined by straight lines in
  // RGB: within 6 of 255 of matplotlib's own in every channel (tests/test_attention_explorer.py).
  const VIRIDIS = ["#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e", "#21918c",
                   "#1fa088", "#28ae80", "#3fbc73", "#5ec962", "#84d44b", "#addc30", "#d8e219", "#fde725"]
    .map((hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)));

  function viridis(weight) {
    const at = Math.min(Math.max(weight, 0), 1) * (VIRIDIS.length - 1);
    const i = Math.min(Math.floor(at), VIRIDIS.length - 2);
    const [from, to] = [VIRIDIS[i], VIRIDIS[i + 1]];
    return `rgb(${from.map((c, k) => Math.round(c + (to[k] - c) * (at - i))).join(", ")})`;
  }

  function svgElement(tag, attributes = {}) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    return node;
  }

  // A token as a label: a space or a line break would be invisible, so they get a visible sign.
  function shown(token) {
    return token === " " ? "␣" : token === "\n" ? "⏎" : token;
  }

  function labelledSelect(form, id, label, onChange) {
    const wrapper = element("div", { className: "ae-control" });
    wrapper.append(element("label", { htmlFor: id }, label));
    const select = element("select", { id });
    select.addEventListener("change", onChange);
    wrapper.append(select);
    form.append(wrapper);
    return select;
  }

  function setOptions(select, labels, selected = 0) {
    select.replaceChildren(...labels.map((label, index) => element("option", { value: String(index) }, label)));
    select.value = String(Math.min(selected, labels.length - 1));
  }

  // --- the heat map ------------------------------------------------------------------------------
  function buildExplorer(root, data) {
    const prefix = `ae${++counter}`;
    const scale = data.scale;
    const form = element("form", { className: "ae-controls" });
    form.addEventListener("submit", (event) => event.preventDefault());
    const model = labelledSelect(form, `${prefix}-model`, "Model", () => { fillSentencesLayersHeads(); draw(); });
    const sentence = labelledSelect(form, `${prefix}-sentence`, "Sentence", () => draw());
    const layer = labelledSelect(form, `${prefix}-layer`, "Layer", () => draw());
    const head = labelledSelect(form, `${prefix}-head`, "Head", () => draw());
    const readout = element("p", { className: "ae-readout", id: `${prefix}-readout` });
    readout.setAttribute("aria-live", "polite");
    const box = element("div", { className: "ae-grid-box" });
    const scrollHint = element("p", { className: "ae-scroll-hint" }, "The map is wider than the screen: scroll it "
                                  + "sideways to see every column.");
    const thumbsTitle = element("p", { className: "ae-thumbs-title" });
    const thumbs = element("div", { className: "ae-thumbs", role: "group" });
    thumbs.setAttribute("aria-label", "All heads of this layer");
    root.replaceChildren(form, readout, box, scrollHint, legend(), thumbsTitle, thumbs);
    window.addEventListener("resize", showScrollHint);

    setOptions(model, data.models.map((m) => m.name));
    fillSentencesLayersHeads();
    draw();

    function fillSentencesLayersHeads() {
      const m = data.models[Number(model.value)];
      setOptions(sentence, m.sentences.map((s) => s.text), Number(sentence.value || 0));
      setOptions(layer, Array.from({ length: m.layers }, (_, i) => `layer ${i}`), Number(layer.value || 0));
      setOptions(head, Array.from({ length: m.heads }, (_, i) => `head ${i}`), Number(head.value || 0));
    }

    function showScrollHint() {  // on a narrow screen the map keeps its size and scrolls inside its box
      scrollHint.hidden = box.scrollWidth <= box.clientWidth + 1;
    }

    function current() {
      const m = data.models[Number(model.value)];
      const s = m.sentences[Number(sentence.value)];
      return { m, s, layer: Number(layer.value), head: Number(head.value) };
    }

    function draw() {
      const { m, s, layer: l, head: h } = current();
      root.dataset.model = m.id;
      root.dataset.sentence = sentence.value;
      root.dataset.layer = String(l);
      root.dataset.head = String(h);
      box.replaceChildren(heatMap(m, s, s.weights[l][h], scale, readout, `${m.name}, layer ${l}, head ${h}`));
      readout.textContent = "Point at a cell, or focus the map and use the arrow keys, to read its weight.";
      showScrollHint();
      thumbsTitle.textContent = `All ${m.heads} heads of layer ${l} (choose one to draw it above):`;
      thumbs.replaceChildren(...s.weights[l].map((matrix, index) => {
        const button = element("button", { type: "button", className: "ae-thumb" });
        button.setAttribute("aria-pressed", String(index === h));
        button.setAttribute("aria-label", `head ${index}`);
        button.append(thumbnail(matrix, scale, m.causal), element("span", {}, `head ${index}`));
        button.addEventListener("click", () => {
          head.value = String(index);
          draw();
          box.querySelector("svg").focus({ preventScroll: true });
        });
        return button;
      }));
    }
  }

  function legend() {
    const wrapper = element("div", { className: "ae-legend" });
    wrapper.setAttribute("aria-hidden", "true");
    wrapper.append(element("span", {}, "weight 0"));
    const svg = svgElement("svg", { width: 120, height: 12, viewBox: "0 0 120 12" });
    for (let i = 0; i <= 10; i++) {
      svg.append(svgElement("rect", { x: i * 120 / 11, y: 0, width: 120 / 11, height: 12, fill: viridis(i / 10) }));
    }
    svg.append(svgElement("rect", { x: 0.5, y: 0.5, width: 119, height: 11, class: "ae-frame" }));
    const masked = svgElement("svg", { width: 12, height: 12, viewBox: "0 0 12 12", class: "ae-legend-masked" });
    masked.append(svgElement("rect", { x: 0, y: 0, width: 12, height: 12, class: "ae-masked" }),
                  svgElement("rect", { x: 0.5, y: 0.5, width: 11, height: 11, class: "ae-frame" }));
    wrapper.append(svg, element("span", {}, "1"), masked, element("span", {}, "masked: a later token"));
    return wrapper;
  }

  // One cell per (query, key) pair: row = the query token, column = the key token it attends to. With
  // bothSides, the tokens are written on all four sides, so that a map wider than its box still shows them
  // where it is scrolled to (the play page scrolls to the newest characters, at the bottom right).
  function heatMap(m, s, matrix, scale, readout, title, { bothSides = false } = {}) {
    const tokens = s.tokens.map(shown);
    const n = tokens.length;
    const cell = n > 20 ? 15 : 24;
    const longest = Math.max(...tokens.map((t) => t.length));
    const margin = Math.max(16, Math.ceil(longest * 7.5) + 8);
    const end = margin + n * cell;  // the grid's right and bottom edges
    const size = end + 2 + (bothSides ? margin : 0);
    const svg = svgElement("svg", { class: "ae-map", width: size, height: size, viewBox: `0 0 ${size} ${size}`,
                                    tabindex: 0, role: "img" });
    svg.setAttribute("aria-label", `Attention weights of ${title} for "${s.text}": ${n} query rows by ${n} `
                     + "key columns. Use the arrow keys to read the cells one by one.");
    const labels = svgElement("g", { class: "ae-labels" });
    tokens.forEach((token, i) => {
      const middle = margin + i * cell + cell / 2;
      const row = svgElement("text", { x: margin - 4, y: middle, "text-anchor": "end", "dominant-baseline": "central" });
      row.textContent = token;
      const column = svgElement("text", { x: middle, y: margin - 4, "dominant-baseline": "central",
                                          transform: `rotate(-90 ${middle} ${margin - 4})` });
      column.textContent = token;
      labels.append(row, column);
      if (!bothSides) return;
      const right = svgElement("text", { x: end + 4, y: middle, "dominant-baseline": "central" });
      right.textContent = token;
      const bottom = svgElement("text", { x: middle, y: end + 4, "text-anchor": "end",
                                          "dominant-baseline": "central",
                                          transform: `rotate(-90 ${middle} ${end + 4})` });
      bottom.textContent = token;
      labels.append(right, bottom);
    });
    svg.append(labels);
    const cells = svgElement("g");
    const byPosition = [];
    matrix.forEach((row, i) => {
      byPosition.push([]);
      row.forEach((thousandths, j) => {
        const weight = thousandths / scale;
        const masked = m.causal && j > i;
        const rect = svgElement("rect", {
          x: margin + j * cell, y: margin + i * cell, width: cell, height: cell,
          class: masked ? "ae-cell ae-masked" : "ae-cell", ...(masked ? {} : { fill: viridis(weight) }),
          "data-query": i, "data-key": j, "data-weight": String(weight),
        });
        const text = `query ${i} ${JSON.stringify(s.tokens[i])} → key ${j} ${JSON.stringify(s.tokens[j])}: `
          + (masked ? "0 (masked: a later token)" : weight.toFixed(3));
        const tooltip = svgElement("title");
        tooltip.textContent = text;
        rect.append(tooltip);
        rect.addEventListener("mouseenter", () => activate(i, j));
        cells.append(rect);
        byPosition[i].push({ rect, text });
      });
    });
    svg.append(cells);
    svg.append(svgElement("rect", { x: margin - 0.5, y: margin - 0.5, width: n * cell + 1, height: n * cell + 1,
                                    class: "ae-frame" }));
    const cursor = svgElement("rect", { class: "ae-cursor", width: cell, height: cell, visibility: "hidden" });
    svg.append(cursor);

    let active = [0, 0];
    function activate(i, j) {
      active = [i, j];
      const { rect, text } = byPosition[i][j];
      cursor.setAttribute("x", rect.getAttribute("x"));
      cursor.setAttribute("y", rect.getAttribute("y"));
      cursor.setAttribute("visibility", "visible");
      readout.textContent = text;
    }
    svg.addEventListener("focus", () => activate(...active));
    svg.addEventListener("blur", () => cursor.setAttribute("visibility", "hidden"));
    svg.addEventListener("keydown", (event) => {
      const moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      const move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      const clamp = (value) => Math.max(0, Math.min(n - 1, value));
      activate(clamp(active[0] + move[0]), clamp(active[1] + move[1]));
    });
    return svg;
  }

  function thumbnail(matrix, scale, causal) {
    const n = matrix.length;
    const cell = Math.max(2, Math.floor(72 / n));
    const svg = svgElement("svg", { width: n * cell, height: n * cell, viewBox: `0 0 ${n * cell} ${n * cell}` });
    svg.setAttribute("aria-hidden", "true");
    matrix.forEach((row, i) => row.forEach((thousandths, j) => {
      const masked = causal && j > i;
      svg.append(svgElement("rect", { x: j * cell, y: i * cell, width: cell, height: cell,
                                      class: masked ? "ae-cell ae-masked" : "ae-cell",
                                      ...(masked ? {} : { fill: viridis(thousandths / scale) }) }));
    }));
    svg.append(svgElement("rect", { x: 0.5, y: 0.5, width: n * cell - 1, height: n * cell - 1, class: "ae-frame" }));
    return svg;
  }

  // --- the temperature slider ----------------------------------------------------------------------
  function softmax(logits, temperature) {
    const scaled = logits.map((z) => z / temperature);
    const top = Math.max(...scaled);
    const exps = scaled.map((z) => Math.exp(z - top)); // minus the largest: no overflow at T = 0.1
    const total = exps.reduce((a, b) => a + b, 0);
    return exps.map((e) => e / total);
  }

  function buildSlider(root, data) {
    const prefix = `ae${++counter}`;
    const { labels, logits } = data.slider;
    const control = element("div", { className: "ae-control ae-slider" });
    control.append(element("label", { htmlFor: `${prefix}-temperature` }, "Temperature T"));
    const input = element("input", { type: "range", id: `${prefix}-temperature`, min: "0.1", max: "5",
                                     step: "0.1", value: "1" });
    const output = element("output", { htmlFor: `${prefix}-temperature` });
    control.append(input, output);
    const bars = element("div", { className: "ae-bars" });
    const rows = labels.map((label, index) => {
      const row = element("div", { className: "ae-bar-row" });
      row.dataset.label = label;
      const fill = element("span", { className: "ae-bar-fill" });
      const track = element("span", { className: "ae-bar-track" });
      track.append(fill);
      const value = element("span", { className: "ae-bar-value" });
      row.append(element("span", { className: "ae-bar-label" }, `${JSON.stringify(shown(label))}`),
                 element("span", { className: "ae-bar-logit" }, `z = ${logits[index].toFixed(2)}`), track, value);
      bars.append(row);
      return { row, fill, value };
    });
    root.replaceChildren(control, bars);

    function update() {
      const temperature = Number(input.value);
      output.textContent = temperature.toFixed(1);
      root.dataset.temperature = String(temperature);
      softmax(logits, temperature).forEach((p, index) => {
        const { row, fill, value } = rows[index];
        row.dataset.probability = String(p);
        fill.style.width = `${(100 * p).toFixed(2)}%`;
        value.textContent = p.toFixed(3);
      });
    }
    input.addEventListener("input", update);
    update();
  }

  window.attentionMaps = { heatMap, thumbnail, legend, element, shown, viridis };  // also used by tiny-gpt-play.js

  document$.subscribe(({ body }) => {
    const explorers = [...body.querySelectorAll("[data-ae-explorer]:not([data-ae-ready])")];
    const sliders = [...body.querySelectorAll("[data-ae-temperature]:not([data-ae-ready])")];
    if (!explorers.length && !sliders.length) return;
    for (const root of [...explorers, ...sliders]) root.dataset.aeReady = "loading";
    loadData().then((data) => {
      explorers.forEach((root) => buildExplorer(root, data));
      sliders.forEach((root) => buildSlider(root, data));
      for (const root of [...explorers, ...sliders]) root.dataset.aeReady = "true";
    }).catch((error) => {
      dataReady = null; // a later visit tries again
      for (const root of [...explorers, ...sliders]) {
        root.dataset.aeReady = "failed";
        root.replaceChildren(element("p", { className: "ae-error" },
                                     `The explorer could not load its data: ${error.message}`));
      }
    });
  });
})();
