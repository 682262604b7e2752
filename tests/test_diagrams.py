"""The concept diagrams: hand-written SVG in docs/diagrams/, each included inline by one page
(`<figure class="diagram" markdown>` around `--8<-- "docs/diagrams/NAME.svg"`), coloured only by
docs/stylesheets/diagrams.css so that it follows the light and dark palettes.

Checked here, for every diagram: the file parses as XML; it is an image with a title and a description
(role="img", aria-labelledby naming both), which are its alt text; it holds no colour, no style, no script and
nothing from another host; every text is at least 12 units high and the drawing at most 700 units wide; its ids
begin with its name (two diagrams on a page must not share one); and exactly one page includes it, inside a
figure of class "diagram". Every tensor shape a diagram writes (a <text> with data-shape="batch,seq,d_model" and
data-at="block.input") is the shape the course's code gives at that point, run with small sizes: the code points
are listed in CODE_POINTS, the sizes in SIZES."""

import ast
import math
import re
import sys
import xml.etree.ElementTree as ET

import pytest
import torch
from conftest import PROJECT

from foundations_of_llms.gpt import GPT, CausalSelfAttention, GPTConfig
from foundations_of_llms.training import decay_groups, train_step

DIAGRAMS = sorted((PROJECT.docs / "diagrams").glob("*.svg"))
SVG = "{http://www.w3.org/2000/svg}"
MIN_FONT, MAX_WIDTH = 12, 700
COLOUR_ATTRIBUTES = ("fill", "stroke", "color", "stop-color", "flood-color", "lighting-color")
NO_COLOUR = {"none", "currentcolor", "context-stroke", "context-fill"}
FORBIDDEN = {"script", "style", "image", "foreignObject", "iframe"}  # no code, no stylesheet, nothing loaded

# The sizes the code runs with, and the value of every symbol a data-shape may use. The sizes differ from one
# another, so a label that swaps two of them fails.
BATCH, SEQ, D_MODEL, N_HEAD, VOCAB_SIZE, N_LAYER = 2, 5, 32, 4, 50, 2
D_K = D_MODEL // N_HEAD
SOURCE, TARGET = 7, 9
D_IN, D_OUT, RANK, ALPHA = 24, 40, 3, 16
N_CTX = 11
SIZES = {"batch": BATCH, "seq": SEQ, "n": SEQ, "d_model": D_MODEL, "heads": N_HEAD, "n_head": N_HEAD, "h": N_HEAD,
         "d_k": D_K, "d_v": D_K, "d_head": D_K, "vocab_size": VOCAB_SIZE,
         "t": SEQ + 1,  # the KV cache: a prompt of seq tokens, then one step, after which t positions are cached
         "source": SOURCE, "target": TARGET,  # the encoder-decoder page: source (encoder) and target positions
         "d_in": D_IN, "d_out": D_OUT, "r": RANK,  # LoRA: one adapted nn.Linear(d_in, d_out), rank r
         "n_ctx": N_CTX}  # the training loop's windows: n_ctx inputs and their n_ctx targets


def run_gpt():
    """{code point: tensor shape} for one forward pass of the course's GPT (src/foundations_of_llms/gpt.py),
    from forward hooks and, for the attention's intermediate tensors, the locals of CausalSelfAttention.forward
    as it returns (its own names: queries, keys, values, scores, weights, heads)."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=VOCAB_SIZE, n_ctx=16, d_model=D_MODEL, n_layer=N_LAYER, n_head=N_HEAD)).eval()
    ids = torch.randint(VOCAB_SIZE, (BATCH, SEQ))
    seen, block = {}, model.h[0]
    block.attn.fused = False  # the attention written out, whose tensors the diagrams name

    def keep(name, which="output"):
        def hook(module, args, output):
            seen.setdefault(name, (args[0] if which == "input" else output).shape)
        return hook

    hooks = [block.register_forward_hook(keep("block.input", "input")),
             block.register_forward_hook(keep("block.output")),
             block.attn.register_forward_hook(keep("attn.input", "input")),
             block.attn.c_attn.register_forward_hook(keep("attn.qkv")),
             block.attn.c_proj.register_forward_hook(keep("attn.concat", "input")),
             block.attn.register_forward_hook(keep("attn.output")),
             block.mlp.c_fc.register_forward_hook(keep("mlp.hidden")),
             block.mlp.register_forward_hook(keep("mlp.output")),
             model.ln_f.register_forward_hook(keep("ln_f.output"))]
    with torch.no_grad(), locals_on_return(CausalSelfAttention.forward) as found:
        logits = model(ids)
    for hook in hooks:
        hook.remove()
    seen.update({"model.ids": ids.shape, "model.logits": logits.shape})
    first = found[0]  # block 0's attention
    for name in ("queries", "keys", "values", "scores", "weights", "heads"):
        seen[f"attn.{name}"] = first[name].shape
        seen[f"attn.one_head.{name}"] = first[name][0, 0].shape  # one sequence, one head: the page's Q, K, V
    seen["attn.one_head.input"] = seen["attn.input"][1:]  # one sequence: the page's X
    return seen


def snippet_functions(path):
    """The functions and classes a snippet defines, without running the rest of it (its timed generation, its
    training)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tree.body = [node for node in tree.body
                 if isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef))]
    namespace = {}
    exec(compile(tree, str(path), "exec"), namespace)  # noqa: S102 - the project's own example
    return namespace


def run_kv_cache():
    """{code point: shape} for the decoding page's KV cache (snippets/ch2/decoding/dec_kv_cache.py): a prompt of
    seq tokens, then one new token, seen inside block 0's cached_attention at that step."""
    functions = snippet_functions(PROJECT.snippets / "ch2" / "decoding" / "dec_kv_cache.py")
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=VOCAB_SIZE, n_ctx=16, d_model=D_MODEL, n_layer=N_LAYER, n_head=N_HEAD)).eval()
    ids = torch.randint(VOCAB_SIZE, (BATCH, SEQ + 1))
    caches = [{} for _ in model.h]
    with torch.no_grad():
        functions["cached_forward"](model, ids[:, :SEQ], caches)  # the prompt
        with locals_on_return(functions["cached_attention"]) as found:
            logits = functions["cached_forward"](model, ids[:, SEQ:], caches)  # one step
    step = found[0]
    seen = {f"cache.{name}": step[name].shape for name in ("x", "queries", "keys", "values", "scores", "heads")}
    seen["cache.logits"] = logits.shape
    return seen


def run_training():
    """{code point: shape} for one step of the course's training loop: train_step (src/foundations_of_llms/training.py)
    as snippets/ch3/training/train_tiny_gpt.py calls it, with AdamW on decay_groups and the gradient clipped, on a
    small GPT and random ids; windows from train_step's locals, logits from a hook on the model."""
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=VOCAB_SIZE, n_ctx=N_CTX, d_model=D_MODEL, n_layer=N_LAYER, n_head=N_HEAD))
    optimizer = torch.optim.AdamW(decay_groups(model, 0.1), lr=1e-3, betas=(0.9, 0.99))
    data = torch.randint(VOCAB_SIZE, (10 * N_CTX,))
    seen = {}

    def keep_logits(module, args, output):  # returns None: a hook's return value would replace the output
        seen.setdefault("train.logits", output.shape)
    hook = model.register_forward_hook(keep_logits)
    with locals_on_return(train_step) as found:
        loss = train_step(model, optimizer, data, N_CTX, BATCH, clip=1.0)
    hook.remove()
    assert loss.dim() == 0  # the mean loss: one number
    windows = found[0]["windows"]
    seen.update({"train.windows": windows.shape, "train.targets": windows[:, 1:].shape})
    return seen


def run_lora():
    """{code point: shape} for the fine-tuning page's LoRALinear (snippets/ch3/finetuning/lora_finetune.py), wrapped
    around one nn.Linear(d_in, d_out) with rank r, for a batch of seq positions."""
    lora_linear = snippet_functions(PROJECT.snippets / "ch3" / "finetuning" / "lora_finetune.py")["LoRALinear"]
    torch.manual_seed(0)
    layer = lora_linear(torch.nn.Linear(D_IN, D_OUT), RANK, ALPHA)
    x = torch.randn(BATCH, SEQ, D_IN)
    with torch.no_grad():
        h = layer(x)
        narrowed = x @ layer.lora_A.T  # the update's first product in LoRALinear.forward, (x @ self.lora_A.T)
    return {"lora.x": x.shape, "lora.W": layer.base.weight.shape, "lora.A": layer.lora_A.shape,
            "lora.B": layer.lora_B.shape, "lora.Ax": narrowed.shape, "lora.output": h.shape}


def script_variables(path, sizes):
    """The variables of a snippet's top-level code, run up to its first function (the figure it draws) with its
    size constants replaced (`sizes`: {constant: value}) and its printing silenced; matplotlib is not imported."""
    namespace = {"print": lambda *args, **kwargs: None}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            break
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) else []
        if any(m.startswith(("matplotlib", "foundations_of_llms.figures")) for m in modules):
            continue
        exec(compile(ast.Module([node], []), str(path), "exec"), namespace)  # noqa: S102 - the project's own example
        namespace.update({name: value for name, value in sizes.items() if name in namespace})
    return namespace


def run_encoder_decoder():
    """{code point: shape} for the encoder-decoder page's masks and cross-attention, written out in
    snippets/ch2/encoder-decoder/encdec_masks.py (and checked there against nn.MultiheadAttention), run with
    this file's sizes."""
    found = script_variables(PROJECT.snippets / "ch2" / "encoder-decoder" / "encdec_masks.py",
                             {"SOURCE_LEN": SOURCE, "TARGET_LEN": TARGET, "D_MODEL": D_MODEL, "N_HEAD": N_HEAD,
                              "BATCH": BATCH})
    names = ("bidirectional_mask", "causal_mask", "cross_mask", "encoder_states", "decoder_states", "queries",
             "keys", "values", "weights", "output")
    return {f"encdec.{name}": found[name].shape for name in names}


class locals_on_return:  # noqa: N801 - used as a context manager, like a function
    """The local variables of every call of `function` at the moment it returns, in call order."""
    def __init__(self, function):
        self.code, self.found = function.__code__, []

    def profile(self, frame, event, arg):
        if event == "return" and frame.f_code is self.code:
            self.found.append(dict(frame.f_locals))

    def __enter__(self):
        self.previous = sys.getprofile()
        sys.setprofile(self.profile)
        return self.found

    def __exit__(self, *exc):
        sys.setprofile(self.previous)


# data-at -> where its shape is read: a point of one forward pass of the GPT, of the KV cache's step, of the
# encoder-decoder page's cross-attention, of a LoRA layer, or of one training step.
CODE_POINTS = {
    "model.ids": run_gpt,  # GPT.forward's ids
    "block.input": run_gpt,  # x entering Block 0: wte(ids) + wpe(positions)
    "attn.input": run_gpt,  # ln_1(x), entering attn
    "attn.qkv": run_gpt,  # c_attn(x), W_Q, W_K and W_V side by side
    "attn.queries": run_gpt, "attn.keys": run_gpt, "attn.values": run_gpt,  # after view and transpose(1, 2)
    "attn.scores": run_gpt, "attn.weights": run_gpt, "attn.heads": run_gpt,
    "attn.concat": run_gpt,  # heads.transpose(1, 2).reshape(...), entering c_proj (W_O)
    "attn.output": run_gpt,  # c_proj's output, added to the residual stream
    "attn.one_head.input": run_gpt,  # one sequence of attn.input: the attention page's X
    "attn.one_head.queries": run_gpt, "attn.one_head.keys": run_gpt, "attn.one_head.values": run_gpt,
    "attn.one_head.scores": run_gpt, "attn.one_head.weights": run_gpt, "attn.one_head.heads": run_gpt,
    "mlp.hidden": run_gpt,  # c_fc's output, 4 d_model wide
    "mlp.output": run_gpt,
    "block.output": run_gpt,
    "ln_f.output": run_gpt,
    "model.logits": run_gpt,
    "cache.x": run_kv_cache,  # the new token's vector entering cached_attention
    "cache.queries": run_kv_cache, "cache.keys": run_kv_cache, "cache.values": run_kv_cache,
    "cache.scores": run_kv_cache, "cache.heads": run_kv_cache, "cache.logits": run_kv_cache,
    "encdec.bidirectional_mask": run_encoder_decoder,  # the encoder's mask: every source position sees all
    "encdec.causal_mask": run_encoder_decoder,  # the decoder's self-attention mask, lower triangular
    "encdec.cross_mask": run_encoder_decoder,  # cross-attention: every target position sees the whole source
    "encdec.encoder_states": run_encoder_decoder, "encdec.decoder_states": run_encoder_decoder,  # X and Y
    "encdec.queries": run_encoder_decoder,  # from the decoder's states
    "encdec.keys": run_encoder_decoder, "encdec.values": run_encoder_decoder,  # from the encoder's
    "encdec.weights": run_encoder_decoder, "encdec.output": run_encoder_decoder,
    "lora.x": run_lora, "lora.output": run_lora,  # LoRALinear.forward's input and output
    "lora.W": run_lora,  # the frozen base layer's weight, W_0, in PyTorch's (outputs, inputs) order
    "lora.A": run_lora, "lora.B": run_lora,  # the trainable lora_A and lora_B
    "lora.Ax": run_lora,  # x @ lora_A.T: r numbers per position
    "train.windows": run_training,  # train_step's windows of n_ctx + 1 ids from the training split
    "train.logits": run_training,  # model(windows[:, :-1])
    "train.targets": run_training,  # windows[:, 1:], what F.cross_entropy compares the logits with
}


def symbolic(shape, sizes=SIZES):
    """'batch,seq,4*d_model' -> (2, 5, 128): each entry a number, a symbol, or a product or sum of them."""
    def value(term):
        term = term.strip()
        if "+" in term:
            return sum(value(part) for part in term.split("+"))
        if "*" in term:
            return math.prod(value(part) for part in term.split("*"))
        if term.isdigit():
            return int(term)
        if term not in sizes:
            raise KeyError(f"unknown size {term!r} (known: {', '.join(sizes)})")
        return sizes[term]
    return tuple(value(term) for term in shape.split(","))


def parse(path):
    return ET.parse(path).getroot()


def local(tag):
    return tag.split("}")[-1]


def font_sizes(element, inherited=None):
    """(text, font size in units) for every <text> and <tspan>, font-size inherited from its ancestors."""
    size = element.get("font-size", inherited)
    if local(element.tag) in ("text", "tspan"):
        yield element, size
    for child in element:
        yield from font_sizes(child, size)


def labels(root):
    return [text for text in root.iter(f"{SVG}text") if text.get("data-shape") is not None]


def describe(text):
    return f"{''.join(text.itertext())!r} (data-shape={text.get('data-shape')!r}, data-at={text.get('data-at')!r})"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_a_diagram_is_an_image_with_a_title_and_a_description(path):
    root = parse(path)
    name = PROJECT.rel(path)
    assert local(root.tag) == "svg" and root.tag.startswith(SVG), f"{name}: the root is not an <svg> in SVG's namespace"
    assert root.get("role") == "img", f'{name}: the <svg> needs role="img"'
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and (title.text or "").strip(), f"{name}: no <title> (the diagram's name)"
    assert desc is not None and len((desc.text or "").split()) >= 20, \
        f"{name}: no <desc>, or one of under 20 words: it is the alt text, what the diagram shows in words"
    assert (root.get("aria-labelledby") or "").split() == [title.get("id"), desc.get("id")], \
        f"{name}: aria-labelledby must name the <title>'s id and then the <desc>'s"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_a_diagram_takes_its_colours_from_the_stylesheet_and_loads_nothing(path):
    name, problems = PROJECT.rel(path), []
    text = path.read_text(encoding="utf-8")
    for element in parse(path).iter():
        tag = local(element.tag)
        if tag in FORBIDDEN:
            problems.append(f"a <{tag}> element")
        for attribute, value in element.attrib.items():
            attribute = local(attribute)
            if attribute in COLOUR_ATTRIBUTES and value.strip().lower() not in NO_COLOUR \
                    and not value.startswith("url(#"):
                problems.append(f'<{tag} {attribute}="{value}">: a colour literal; give it a class instead')
            if attribute == "style":
                problems.append(f"<{tag} style=...>: styles belong in docs/stylesheets/diagrams.css")
            if attribute == "href" and not value.startswith("#"):
                problems.append(f'<{tag} href="{value}">: a diagram loads nothing')
            if attribute.startswith("on"):
                problems.append(f"<{tag} {attribute}=...>: no script")
    if "\n\n" in text or "\n \n" in text:
        problems.append("a blank line, which would end the raw HTML block it is included in")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_a_diagrams_text_is_legible_and_its_ids_are_its_own(path):
    root, name = parse(path), PROJECT.rel(path)
    x, y, width, height = (float(v) for v in root.get("viewBox", "").replace(",", " ").split())
    assert width <= MAX_WIDTH, f"{name}: the viewBox is {width:g} wide, over {MAX_WIDTH}"
    assert (root.get("width"), root.get("height")) == (f"{width:g}", f"{height:g}"), \
        f"{name}: width and height must be the viewBox's (one unit = one CSS pixel on a wide screen)"
    small = [f"{''.join(t.itertext())!r} at {size}" for t, size in font_sizes(root)
             if size is None or float(size) < MIN_FONT]
    assert not small, f"{name}: text under {MIN_FONT} units (or with no font-size): {small}"
    stem = path.stem
    foreign = [e.get("id") for e in root.iter() if e.get("id") and not e.get("id").startswith(f"{stem}-")]
    assert not foreign, f"{name}: ids must begin with '{stem}-' to be unique on the page: {foreign}"


@pytest.mark.parametrize("path", DIAGRAMS, ids=lambda p: p.name)
def test_a_diagram_is_shown_by_exactly_one_page_in_a_diagram_figure(path):
    target = PROJECT.rel(path)
    found = []
    for page in PROJECT.pages():
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if re.match(rf"""^\s*-+8<-+\s+["']{re.escape(target)}["']\s*$""", line):
                opened = [n for n in range(number) if lines[n].lstrip().startswith("<figure")]
                closed = [n for n in range(number) if lines[n].strip() == "</figure>"]
                inside = bool(opened) and (not closed or opened[-1] > closed[-1])
                found.append((PROJECT.rel(page), number + 1, inside and 'class="diagram"' in lines[opened[-1]]))
    assert len(found) == 1, f"{target} must be included by exactly one page, not {len(found)}: {found}"
    page, line, in_figure = found[0]
    assert in_figure, f'{page}:{line} includes {target} outside a <figure class="diagram" markdown>'


SHAPES = [(path, text) for path in DIAGRAMS for text in labels(parse(path))]


@pytest.fixture(scope="module")
def measured():
    """Each run of the code once: {run function: {code point: shape}}."""
    cache = {}

    def get(run):
        if run not in cache:
            cache[run] = run()
        return cache[run]
    return get


def test_the_diagrams_write_shapes():
    assert len(SHAPES) >= 10, "the diagrams write fewer tensor shapes than expected"


@pytest.mark.parametrize(("path", "text"), SHAPES, ids=lambda v: v.name if hasattr(v, "name") else v.get("data-at"))
def test_a_shape_in_a_diagram_is_the_codes(path, text, measured):
    name, at = PROJECT.rel(path), text.get("data-at")
    assert at in CODE_POINTS, f"{name}: {describe(text)}: data-at names no known code point ({', '.join(CODE_POINTS)})"
    expected = symbolic(text.get("data-shape"))
    actual = tuple(measured(CODE_POINTS[at])[at])
    assert actual == expected, (f"{name}: the label {describe(text)} says {expected} with {SIZES}, but the code "
                                f"gives {actual} at {at}")
    written = re.sub(r"[\s()_]", "", "".join(text.itertext()).split(":")[-1]).replace("×", ",")  # n × d_k
    assert written == re.sub(r"[\s_]", "", text.get("data-shape")).replace("*", "·"), \
        f"{name}: the label {describe(text)} does not write its data-shape (products as ·, e.g. 4 · d_model)"


def test_the_shape_check_fails_on_a_swapped_label():
    assert symbolic("batch,heads,seq,d_k") != symbolic("batch,heads,d_k,seq")
    assert symbolic("batch,seq,4*d_model") == (BATCH, SEQ, 4 * D_MODEL)
    with pytest.raises(KeyError):
        symbolic("batch,sequence")


def test_a_diagram_arrives_intact_in_the_built_page(site):
    """The page's HTML holds the diagram's drawing as written: every shape and text, and no glossary tooltip
    (<abbr>) or paragraph that Markdown could have put inside it (the include sits in <div markdown="0">)."""
    from bs4 import BeautifulSoup

    problems = []
    for path in DIAGRAMS:
        pages = [page for page in PROJECT.pages() if PROJECT.rel(path) in page.read_text(encoding="utf-8")]
        built = site / PROJECT.rel(pages[0]).removeprefix("docs/").removesuffix(".md") / "index.html"
        soup = BeautifulSoup(built.read_text(encoding="utf-8"), "html.parser")
        root = parse(path)
        svg = soup.find("svg", attrs={"aria-labelledby": root.get("aria-labelledby")})
        if svg is None or svg.find_parent("figure", class_="diagram") is None:
            problems.append(f"{built.relative_to(site)}: no figure.diagram holding {PROJECT.rel(path)}")
            continue
        for tag in ("text", "tspan", "rect", "path", "circle"):
            written, arrived = len(list(root.iter(f"{SVG}{tag}"))), len(svg.find_all(tag))
            if written != arrived:
                problems.append(f"{PROJECT.rel(path)}: {written} <{tag}> written, {arrived} in the page")
        if svg.find(["abbr", "p", "a"]):
            problems.append(f"{PROJECT.rel(path)}: Markdown put <{svg.find(['abbr', 'p', 'a']).name}> inside the svg")
    assert not problems, "\n".join(problems)
