// The controls of the page "Play with the tiny GPT" (docs/ch3/play.md): a prompt, generation a character at a
// time, the sampling settings with the next character's distribution before and after truncation, a seed, and
// every head's attention, drawn with the attention explorer's maps. The model is tiny-gpt.js; its weights are
// fetched only when the reader presses "Start the model". This file runs once per visit to the page (Material's
// instant navigation runs the scripts of the page it brings in).
(function () {
  "use strict";
  const WEIGHTS_URL = new URL("../figures/ch3/play/tiny-gpt-f16.safetensors", document.currentScript.src);
  const { loadModel, run, createContext, xorshift32, nextDistribution, draw } = window.TinyGPT;
  let element, shown, heatMap, thumbnail, legend;  // the attention explorer's (attention-explorer.js), from start()
  const SHOWN_BARS = 12;

  function control(form, id, label, input, hint = null) {
    const wrapper = element("div", { className: "ae-control" });
    input.id = id;
    wrapper.append(element("label", { htmlFor: id }, label), input);
    if (hint) {
      const note = element("span", { className: "tg-hint", id: `${id}-hint` }, hint);
      input.setAttribute("aria-describedby", note.id);
      wrapper.append(note);
    }
    form.append(wrapper);
    return input;
  }

  function build(root) {
    root.dataset.ready = "waiting";
    const start = element("button", { type: "button", className: "md-button md-button--primary" },
                          "Start the model");
    const status = element("p", { className: "tg-status" }, "The model's weights (1.6 MB) load when you start it.");
    status.setAttribute("aria-live", "polite");
    root.replaceChildren(start, status);
    start.addEventListener("click", () => {
      start.disabled = true;
      status.textContent = "Loading the weights…";
      fetch(WEIGHTS_URL)
        .then((response) => {
          if (!response.ok) throw new Error(`could not load ${WEIGHTS_URL} (HTTP ${response.status})`);
          return response.arrayBuffer();
        })
        .then((buffer) => playground(root, loadModel(buffer)))
        .catch((error) => {
          root.dataset.ready = "failed";
          start.disabled = false;
          status.textContent = `The model could not load: ${error.message}`;
        });
    });
  }

  function playground(root, model) {
    const index = new Map(model.chars.map((c, i) => [c, i]));
    const nCtx = model.config.n_ctx;
    const form = element("form", { className: "ae-controls tg-controls" });
    form.addEventListener("submit", (event) => event.preventDefault());
    const others = model.chars.filter((c) => !/[A-Za-z0-9]/.test(c)).map(shown).join(" ");
    const prompt = control(form, "tg-prompt", "Prompt", element("textarea", { rows: 2, value: "My lord, " }),
                           `The model's ${model.chars.length} characters only: letters, digits and ${others}`);
    const temperature = control(form, "tg-temperature", "Temperature T",
                                element("input", { type: "number", min: "0", max: "3", step: "0.05", value: "0.8" }),
                                "0 is greedy.");
    const topK = control(form, "tg-top-k", "Top-k",
                         element("input", { type: "number", min: "0", max: String(model.chars.length), step: "1",
                                            value: "0" }), "0 keeps every character.");
    const topP = control(form, "tg-top-p", "Top-p",
                         element("input", { type: "number", min: "0.01", max: "1", step: "0.01", value: "1" }),
                         "1 keeps every character.");
    const seed = control(form, "tg-seed", "Seed", element("input", { type: "number", min: "1", step: "1", value: "1" }));
    const length = control(form, "tg-length", "Characters to write",
                           element("input", { type: "number", min: "1", max: "2000", step: "1", value: "200" }));
    const cached = element("input", { type: "checkbox", checked: true, id: "tg-cache" });
    const cacheBox = element("div", { className: "ae-control tg-check" });
    cacheBox.append(cached, element("label", { htmlFor: "tg-cache" }, "Use the KV cache"));
    form.append(cacheBox);
    const buttons = element("div", { className: "tg-buttons" });
    const generate = element("button", { type: "button", className: "md-button md-button--primary" }, "Generate");
    const stepOne = element("button", { type: "button", className: "md-button" }, "Step");
    const reset = element("button", { type: "button", className: "md-button" }, "Reset");
    buttons.append(generate, stepOne, reset);
    const message = element("p", { className: "tg-message", id: "tg-message" });
    message.setAttribute("role", "status");
    prompt.setAttribute("aria-describedby", `${prompt.getAttribute("aria-describedby")} tg-message`);
    const text = element("pre", { className: "tg-text" });
    text.setAttribute("role", "region");
    text.setAttribute("aria-label", "The text so far");
    const speed = element("p", { className: "tg-status" });
    const bars = element("div", { className: "tg-bars" });
    const barsTitle = element("p", { className: "tg-bars-title" });
    const barsKey = element("p", { className: "tg-bars-key" });
    barsKey.append(element("span", { className: "tg-key tg-before" }), " before truncation (softmax of the logits / T)  ",
                   element("span", { className: "tg-key tg-after" }), " after top-k and top-p, renormalised: what is drawn from");
    const attention = element("details", { className: "tg-attention" });
    attention.append(element("summary", {}, "Attention of every layer and head over the context"));
    const mapForm = element("form", { className: "ae-controls" });
    const layer = control(mapForm, "tg-layer", "Layer", element("select"));
    const head = control(mapForm, "tg-head", "Head", element("select"));
    for (const [select, count, name] of [[layer, model.config.n_layer, "layer"], [head, model.config.n_head, "head"]]) {
      select.replaceChildren(...Array.from({ length: count }, (_, i) => element("option", { value: String(i) }, `${name} ${i}`)));
    }
    const readout = element("p", { className: "ae-readout" });
    readout.setAttribute("aria-live", "polite");
    const mapBox = element("div", { className: "ae-grid-box" });
    const thumbs = element("div", { className: "ae-thumbs", role: "group" });
    thumbs.setAttribute("aria-label", "All heads of all layers");
    const thumbsTitle = element("p", { className: "ae-thumbs-title" },
                                `All ${model.config.n_layer * model.config.n_head} heads, named layer.head (choose one to draw it above):`);
    attention.append(mapForm, readout, mapBox, legend(), thumbsTitle, thumbs);
    const ready = element("p", { className: "tg-status" },
                          `The model is running here: ${model.h.length} layers of ${model.config.n_head} heads, `
                          + `d_model ${model.config.d_model}, ${nCtx} positions, ${model.chars.length} characters.`);
    ready.setAttribute("role", "status");
    root.replaceChildren(ready, form, buttons, message, text, speed, barsTitle, barsKey, bars, attention);

    let state = null;  // { context (tiny-gpt.js's createContext), promptLength, written, rng }
    let timer = null;

    function promptIds() {  // the prompt as ids, or a message naming the first character outside the alphabet
      const chars = [...prompt.value];
      const bad = chars.findIndex((c) => !index.has(c));
      if (bad >= 0) {
        return { error: `The character ${JSON.stringify(chars[bad])} (position ${bad + 1}) is not one of the `
                        + `model's ${model.chars.length} characters; remove it to generate.` };
      }
      if (!chars.length) return { error: "Type a prompt of at least one character." };
      return { ids: chars.map((c) => index.get(c)) };
    }

    function settings() {
      const clamp = (input, low, high, fallback) => {  // the value used is the value shown
        const value = input.value.trim() === "" ? NaN : Number(input.value);
        const used = Number.isFinite(value) ? Math.min(high, Math.max(low, value)) : fallback;
        if (String(used) !== input.value) input.value = String(used);
        return used;
      };
      for (const input of [topK, seed, length]) input.value = input.value && String(Math.round(Number(input.value)));
      return { temperature: clamp(temperature, 0, 3, 0.8), topK: clamp(topK, 0, model.chars.length, 0),
               topP: clamp(topP, 0.01, 1, 1), seed: clamp(seed, 1, 2 ** 32 - 1, 1), length: clamp(length, 1, 2000, 200) };
    }

    function begin() {
      const parsed = promptIds();
      message.textContent = parsed.error || "";
      root.dataset.error = parsed.error ? "true" : "false";
      generate.disabled = stepOne.disabled = Boolean(parsed.error);
      if (parsed.error) { state = null; return false; }
      speed.textContent = "";
      state = { context: createContext(model, parsed.ids, cached.checked), promptLength: parsed.ids.length,
                written: 0, rng: xorshift32(settings().seed) };
      return true;
    }

    function once() {  // one character: the distribution, one uniform number, the choice
      const s = settings();
      const { before, after } = nextDistribution(state.context.logits, s.temperature, s.topK, s.topP);
      const id = draw(after, state.rng());
      state.context.push(id);
      state.written += 1;
      return { before, after, id };
    }

    function showText() {
      const all = state.context.ids.map((i) => model.chars[i]).join("");
      text.replaceChildren(document.createTextNode(all.slice(0, state.promptLength)),
                           element("strong", {}, all.slice(state.promptLength)));
      root.dataset.text = all;
    }

    function showBars(before, after, chosen) {
      const order = Array.from(before, (_, i) => i).sort((a, b) => before[b] - before[a] || a - b).slice(0, SHOWN_BARS);
      barsTitle.textContent = chosen === null
        ? `The next character: its ${SHOWN_BARS} most probable values, before truncation and after.`
        : `The distribution that ${JSON.stringify(shown(model.chars[chosen]))} was drawn from (in bold): its `
          + `${SHOWN_BARS} most probable values, before truncation and after.`;
      bars.replaceChildren(...order.map((i) => {
        const row = element("div", { className: "tg-bar-row" });
        row.dataset.char = model.chars[i];
        row.dataset.before = String(before[i]);
        row.dataset.after = String(after[i]);
        if (i === chosen) row.classList.add("tg-chosen");
        const track = element("span", { className: "tg-bar-track" });
        track.append(element("span", { className: "tg-bar tg-before" }), element("span", { className: "tg-bar tg-after" }));
        track.children[0].style.width = `${(100 * before[i]).toFixed(2)}%`;
        track.children[1].style.width = `${(100 * after[i]).toFixed(2)}%`;
        row.append(element("span", { className: "tg-bar-label" }, JSON.stringify(shown(model.chars[i]))), track,
                   element("span", { className: "tg-bar-value" }, `${before[i].toFixed(3)} → ${after[i].toFixed(3)}`));
        return row;
      }));
    }

    function showAttention() {
      if (!attention.open || !state) return;
      const ids = state.context.window(), n = ids.length, tokens = ids.map((i) => model.chars[i]);
      const rows = state.context.rows ?? run(model, ids).attention;  // without the cache, computed for the map
      const matrix = (l, h) => rows.map((r, q) => Array.from({ length: n }, (_, k) => (k <= q ? r[l][h][k] : 0)));
      const l = Number(layer.value), h = Number(head.value);
      root.dataset.layer = String(l);
      root.dataset.head = String(h);
      root.dataset.context = tokens.join("");
      const sentence = { tokens, text: tokens.join("") };
      mapBox.replaceChildren(heatMap({ causal: true }, sentence, matrix(l, h), 1, readout,
                                     `the tiny GPT, layer ${l}, head ${h}`, { bothSides: true }));
      mapBox.scrollTo({ top: mapBox.scrollHeight, left: mapBox.scrollWidth });  // the newest characters
      thumbs.replaceChildren(...model.h.flatMap((_, tl) => Array.from({ length: model.config.n_head }, (_, th) => {
        const button = element("button", { type: "button", className: "ae-thumb" });
        button.setAttribute("aria-pressed", String(tl === l && th === h));
        button.setAttribute("aria-label", `layer ${tl}, head ${th}`);
        button.append(thumbnail(matrix(tl, th), 1, true), element("span", {}, `${tl}.${th}`));
        button.addEventListener("click", () => {
          layer.value = String(tl);
          head.value = String(th);
          showAttention();
          thumbs.querySelector("[aria-pressed='true']").focus();  // the buttons were drawn again
        });
        return button;
      })));
    }

    function refresh() {
      showText();
      const s = settings();
      const { before, after } = nextDistribution(state.context.logits, s.temperature, s.topK, s.topP);
      showBars(before, after, null);
      showAttention();
    }

    function stop() {
      clearTimeout(timer);
      timer = null;
      generate.textContent = "Generate";
      root.dataset.running = "false";
    }

    function generateMore() {
      if (!state && !begin()) return;
      const target = state.written + settings().length;
      const started = performance.now(), startCount = state.written;
      generate.textContent = "Stop";
      root.dataset.running = "true";
      const tick = () => {
        const until = performance.now() + 30;  // about 30 ms of work, then let the page breathe
        while (state.written < target && performance.now() < until) once();
        showText();
        const seconds = (performance.now() - started) / 1000;
        speed.textContent = `${state.written - startCount} characters in ${seconds.toFixed(2)} s `
          + `(${cached.checked ? "with" : "without"} the KV cache).`;
        if (state.written < target) timer = setTimeout(tick, 0);
        else { stop(); refresh(); }
      };
      tick();
    }

    generate.addEventListener("click", () => {
      if (!timer) return generateMore();
      stop();
      refresh();  // the bars and the map of where the text stopped
    });
    stepOne.addEventListener("click", () => {
      stop();
      if (!state && !begin()) return;
      const { before, after, id } = once();
      showText();
      showBars(before, after, id);
      showAttention();
    });
    reset.addEventListener("click", () => { stop(); if (begin()) refresh(); });
    prompt.addEventListener("input", () => { stop(); if (begin()) refresh(); else text.replaceChildren(); });
    for (const input of [temperature, topK, topP]) input.addEventListener("change", () => { if (state && !timer) refresh(); });
    seed.addEventListener("change", () => { stop(); if (begin()) refresh(); });
    cached.addEventListener("change", () => {
      if (state) Object.assign(state.context, { useCache: cached.checked }).recompute();
    });
    layer.addEventListener("change", showAttention);
    head.addEventListener("change", showAttention);
    attention.addEventListener("toggle", showAttention);
    if (begin()) refresh();
    root.dataset.ready = "true";
    prompt.focus();  // the Start button is gone: the keyboard carries on from the prompt
  }

  function start() {
    ({ element, shown, heatMap, thumbnail, legend } = window.attentionMaps);
    for (const root of document.querySelectorAll("[data-tiny-gpt]:not([data-ready])")) build(root);
  }

  // On a first visit this script runs before the site's scripts at the end of the page, the explorer's among
  // them; after Material's instant navigation they are all there already.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
