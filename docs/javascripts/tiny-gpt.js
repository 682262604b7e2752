// Chapter 3's tiny GPT in plain JavaScript, for the page that runs it in the
// browser (docs/ch3/play.md). It mirrors the course's PyTorch classes in
// src/foundations_of_llms/gpt.py, and the seeded sampler mirrors
// src/foundations_of_llms/play.py; tests/test_play.py checks both against
// PyTorch in Chromium.
// Numbers are JavaScript's float64; the weights are the float16 ones that
// snippets/ch3/play/export_tiny_gpt_web.py wrote.
(function () {
  "use strict";

  // --8<-- [start:load]
  // A safetensors file: 8 bytes that give the header's length, the header
  // (JSON: each tensor's dtype, shape and byte range), then the tensors' bytes,
  // here float16 numbers, which are widened to float32 without loss.
  function float16(bits) {
    const sign = bits & 0x8000 ? -1 : 1;
    const exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
    // subnormal numbers
    if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
    if (exponent === 31) return fraction ? NaN : sign * Infinity;
    return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
  }

  function loadModel(buffer) {
    const view = new DataView(buffer);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(
      new TextDecoder().decode(new Uint8Array(buffer, 8, headerLength)));
    const tensor = (name) => {
      const { shape, data_offsets: [begin, end] } = header[name];
      const values = new Float32Array((end - begin) / 2);
      for (let i = 0; i < values.length; i++) {
        const at = 8 + headerLength + begin + 2 * i;
        values[i] = float16(view.getUint16(at, true));
      }
      return { shape, values };
    };
    // float32: exact
    const layer = (name) => ({
      weight: tensor(`${name}.weight`), bias: tensor(`${name}.bias`),
    });
    // the sizes and the alphabet
    const { config, chars } = JSON.parse(header.__metadata__.model);
    return {
      config, chars,
      wte: tensor("wte.weight"), wpe: tensor("wpe.weight"), ln_f: layer("ln_f"),
      // the names of the PyTorch model's state dict
      h: Array.from({ length: config.n_layer }, (_, l) => ({
        ln_1: layer(`h.${l}.ln_1`), ln_2: layer(`h.${l}.ln_2`),
        attn: {
          c_attn: layer(`h.${l}.attn.c_attn`),
          c_proj: layer(`h.${l}.attn.c_proj`),
        },
        mlp: {
          c_fc: layer(`h.${l}.mlp.c_fc`),
          c_proj: layer(`h.${l}.mlp.c_proj`),
        },
      })),
    };
  }
  // --8<-- [end:load]

  // --8<-- [start:layers]
  // nn.Linear for one position: y = W x + b, with W stored as (out, in) rows,
  // as PyTorch stores it.
  function linear(x, { weight, bias }) {
    const [out, width] = weight.shape, y = new Float64Array(out);
    for (let o = 0; o < out; o++) {
      let sum = bias.values[o];
      for (let i = 0; i < width; i++) sum += weight.values[o * width + i] * x[i];
      y[o] = sum;
    }
    return y;
  }

  // nn.LayerNorm: subtract the mean, divide by the standard deviation
  // (eps 1e-5), then scale and shift.
  function layerNorm(x, { weight, bias }) {
    const mean = x.reduce((a, b) => a + b) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    const scale = 1 / Math.sqrt(variance + 1e-5);
    return x.map((v, i) =>
      (v - mean) * scale * weight.values[i] + bias.values[i]);
  }

  // GPT-2's GELU in its tanh approximation, nn.GELU(approximate="tanh").
  const gelu = (v) =>
    0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

  function softmax(z) {
    const top = Math.max(...z), e = z.map((v) => Math.exp(v - top));
    const total = e.reduce((a, b) => a + b);
    return e.map((v) => v / total);
  }

  const add = (x, y) => x.map((v, i) => v + y[i]);
  // --8<-- [end:layers]

  // --8<-- [start:step]
  // One position through the whole model, CausalSelfAttention, MLP, Block and
  // GPT of gpt.py at once. `cache` holds each layer's keys and values of the
  // positions before; this position adds its own and attends to all of them,
  // so the causal mask is simply that later positions are not there yet.
  // Returns the next token's logits and each layer's and head's attention
  // weights for this position.
  function step(model, id, position, cache) {
    const { d_model: d, n_head: heads } = model.config, dk = d / heads;
    let x = new Float64Array(d).map((_, i) =>
      model.wte.values[id * d + i] + model.wpe.values[position * d + i]);
    const attention = model.h.map((block, l) => {
      // [q | k | v], each d wide
      const qkv = linear(layerNorm(x, block.ln_1), block.attn.c_attn);
      const q = qkv.subarray(0, d);
      cache[l].keys.push(qkv.slice(d, 2 * d));
      cache[l].values.push(qkv.slice(2 * d));
      const mixed = new Float64Array(d), weights = [];
      // head h: the dimensions h * dk to (h + 1) * dk of q, k and v
      for (let h = 0; h < heads; h++) {
        const scores = cache[l].keys.map((k) => {
          let dot = 0;
          for (let i = h * dk; i < (h + 1) * dk; i++) dot += q[i] * k[i];
          return dot / Math.sqrt(dk);
        });
        const w = softmax(scores);
        w.forEach((wj, j) => {
          for (let i = h * dk; i < (h + 1) * dk; i++) {
            mixed[i] += wj * cache[l].values[j][i];
          }
        });
        weights.push(w);
      }
      // x + attn(LN(x)): the heads side by side, then W_O
      x = add(x, linear(mixed, block.attn.c_proj));
      // + mlp(LN(x))
      const hidden = linear(layerNorm(x, block.ln_2), block.mlp.c_fc).map(gelu);
      x = add(x, linear(hidden, block.mlp.c_proj));
      return weights;
    });
    const last = layerNorm(x, model.ln_f);
    const logits = new Float64Array(model.config.vocab_size);
    // the output layer is the token embedding (tied)
    for (let t = 0; t < logits.length; t++) {
      for (let i = 0; i < d; i++) {
        logits[t] += model.wte.values[t * d + i] * last[i];
      }
    }
    return { logits, attention };
  }

  const emptyCache = (model) => model.h.map(() => ({ keys: [], values: [] }));

  // The logits at every position of `ids`, one position at a time, each
  // reusing the cache of those before.
  function run(model, ids) {
    const cache = emptyCache(model);
    const steps = ids.map((id, position) => step(model, id, position, cache));
    return {
      cache,
      logits: steps.map((s) => s.logits),
      attention: steps.map((s) => s.attention),
    };
  }
  // --8<-- [end:step]

  // --8<-- [start:context]
  // The context the model reads, kept as generate() in play.py keeps it: the
  // characters from `start` on, at most n_ctx. While it grows, each new
  // character costs one step() with the cache. When it outgrows n_ctx it
  // restarts from the last n_ctx / 2: every position moves, and positions are
  // learned, so every key and value is computed again (with the cache off,
  // forward() computes them all for every character).
  function createContext(model, ids, useCache = true) {
    const n = model.config.n_ctx;
    const context = {
      ids: ids.slice(), start: Math.max(0, ids.length - n), useCache,
    };
    context.window = () => context.ids.slice(context.start);
    context.recompute = () => {
      if (!context.useCache) {
        const logits = forward(model, context.window()).at(-1);
        return Object.assign(context, { cache: null, rows: null, logits });
      }
      const result = run(model, context.window());
      return Object.assign(context, {
        cache: result.cache, rows: result.attention, logits: result.logits.at(-1),
      });
    };
    context.push = (id) => {
      context.ids.push(id);
      if (context.ids.length - context.start > n) {
        context.start = context.ids.length - n / 2;
      } else if (context.cache) {
        const position = context.ids.length - 1 - context.start;
        const result = step(model, id, position, context.cache);
        context.rows.push(result.attention);
        return Object.assign(context, { logits: result.logits });
      }
      return context.recompute();
    };
    return context.recompute();
  }
  // --8<-- [end:context]

  // --8<-- [start:uncached]
  // The same model without a cache, as PyTorch runs it: every layer for all
  // positions at once, with an explicit causal mask. It is here to check step()
  // and to time what the cache saves.
  function forward(model, ids) {
    const { d_model: d, n_head: heads } = model.config, dk = d / heads;
    const n = ids.length;
    let xs = ids.map((id, p) => new Float64Array(d).map((_, i) =>
      model.wte.values[id * d + i] + model.wpe.values[p * d + i]));
    for (const block of model.h) {
      // [q | k | v] per position
      const qkv = xs.map((x) =>
        linear(layerNorm(x, block.ln_1), block.attn.c_attn));
      xs = xs.map((x, query) => {
        const mixed = new Float64Array(d);
        for (let h = 0; h < heads; h++) {
          const scores = qkv.map((row, key) => {
            // the causal mask: softmax gives it weight 0
            if (key > query) return -Infinity;
            let dot = 0;
            for (let i = h * dk; i < (h + 1) * dk; i++) {
              dot += qkv[query][i] * row[d + i];
            }
            return dot / Math.sqrt(dk);
          });
          softmax(scores).forEach((w, key) => {
            for (let i = h * dk; i < (h + 1) * dk; i++) {
              mixed[i] += w * qkv[key][2 * d + i];
            }
          });
        }
        return add(x, linear(mixed, block.attn.c_proj));
      });
      xs = xs.map((x) => {
        const hidden = linear(layerNorm(x, block.ln_2), block.mlp.c_fc).map(gelu);
        return add(x, linear(hidden, block.mlp.c_proj));
      });
    }
    return xs.map((x) => {
      const last = layerNorm(x, model.ln_f);
      const logits = new Float64Array(model.config.vocab_size);
      for (let t = 0; t < logits.length; t++) {
        for (let i = 0; i < d; i++) {
          logits[t] += model.wte.values[t * d + i] * last[i];
        }
      }
      return logits;
    });
  }
  // --8<-- [end:uncached]

  // --8<-- [start:sampler]
  // Marsaglia's xorshift32 (shifts 13, 17, 5), as XorShift32 in play.py: the
  // same numbers in both languages. JavaScript's << works on 32-bit signed
  // integers and >>> on unsigned ones; >>>= 0 reads the bits as unsigned.
  function xorshift32(seed) {
    let state = seed >>> 0 || 1;  // a state of 0 would stay 0
    return () => {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      state >>>= 0;
      return state / 2 ** 32;
    };
  }

  // softmax(logits / T) before and after top-k, then top-p, as
  // next_distribution in play.py. T = 0 is greedy: all the probability on the
  // first largest logit, and "before" is then softmax(logits), the
  // distribution at T = 1.
  function nextDistribution(logits, temperature, topK, topP) {
    if (temperature === 0) {
      const greedy = new Float64Array(logits.length);
      greedy[logits.indexOf(Math.max(...logits))] = 1;
      return { before: softmax(Array.from(logits)), after: greedy };
    }
    let scaled = Array.from(logits, (z) => z / temperature);
    const before = softmax(scaled);
    if (topK) {  // keep the k largest logits
      const kth = [...scaled].sort((a, b) => b - a)[topK - 1];
      scaled = scaled.map((z) => (z < kth ? -Infinity : z));
    }
    // keep the smallest set of most probable tokens whose probabilities reach p
    if (topP < 1) {
      const probs = softmax(scaled);
      const order = probs.map((_, i) => i)
        .sort((a, b) => probs[b] - probs[a] || a - b);
      let cumulative = 0;
      for (const i of order) {
        cumulative += probs[i];
        // the set reached p without this token
        if (cumulative - probs[i] >= topP) scaled[i] = -Infinity;
      }
    }
    return { before, after: softmax(scaled) };
  }

  // The first token whose cumulative probability, in id order, passes the
  // uniform number u. If rounding leaves the total just under u, the last
  // token with a probability above 0 (play.py's draw() guards the same way).
  function draw(probabilities, u) {
    let cumulative = 0, chosen = 0;
    for (let i = 0; i < probabilities.length; i++) {
      cumulative += probabilities[i];
      if (probabilities[i] > 0) chosen = i;
      if (cumulative > u) return i;
    }
    return chosen;
  }
  // --8<-- [end:sampler]

  window.TinyGPT = {
    loadModel, step, run, forward, emptyCache, createContext,
    xorshift32, nextDistribution, draw,
  };
})();
