"""Compare what a snippet printed or drew with what the reference run recorded, knowing what may differ.

Text, integers, token ids, counts and hashes must be equal to the letter. A number with a decimal point or an
exponent is a floating-point result: it must be equal too, unless the snippet's folder declares a tolerance for
it in `tolerances.toml`, next to the snippet, with the measurement that justifies it:

    [[tolerance]]
    snippet = "encdec_sort.py"     # the snippet (its stdout), or a figure it writes ("figure = 'x-*.svg'")
    lines = "^step"                # optional: a regular expression; only lines matching it
    last_digit = 1                 # up to this many units of the number's last printed digit ...
    abs = 0.004                    # ... or this much ...
    rel = 0.01                     # ... or this share of the expected value, whichever is largest
    pixels = 1                     # figures: how far a colour channel (0-255) of an embedded image may move
    why = "measured: ..."          # required: what was measured, and where

    [[varies]]                     # text that is machine-specific by nature, replaced before comparing
    snippet = "train_tiny_gpt.py"
    pattern = "sha256 [0-9a-f]{16}"
    why = "..."

Wall-clock times ("12.3 s", "40 ms") and speed-ups ("3.1x faster") are never compared (TIMING). Matplotlib's
SVG figures are compared the same way, number by number, after their content-hashed ids are renumbered; an image
embedded in one (imshow's heat maps) is compared pixel by pixel, each colour channel within `pixels`. A JSON
data file is compared as data: its structure, strings and booleans exactly, its numbers under the rule whose
`lines` expression matches the number's path (`models/0/sentences/1/weights/2/0/5`), exactly if none does.
"""

import base64
import difflib
import fnmatch
import io
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

# A wall-clock time as snippets print it ("12.3 s", "40 ms"), or a measured speed-up ("3.1x faster"):
# it differs on every run, so it is not compared, nor are the spaces that right-align it in a column.
TIMING = re.compile(r" *(?<![\w.])\d+(?:\.\d+)?(?: (?:s|ms)\b|x faster\b)")
# A number as printed: optional sign, digits with optional thousands commas, optional decimals and exponent.
NUMBER = re.compile(r"(?<![\w.])[-+]?\d+(?:,\d{3})*(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w])")
SVG_ID = re.compile(r"\b(?:[mp]|image)[0-9a-f]{10}\b")  # matplotlib's ids, hashes of the content they name
SVG_IMAGE = re.compile(r"data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)")  # an embedded PNG, up to its quote
TOLERANCE_FILE = "tolerances.toml"


@dataclass
class Rule:
    lines: re.Pattern | None = None  # the lines it applies to; None: all
    last_digit: float = 0.0
    abs: float = 0.0
    rel: float = 0.0
    pixels: int = 0
    why: str = ""
    source: str = ""

    def allowed(self, expected_token, expected_value):
        return max(self.last_digit * last_digit_unit(expected_token), self.abs, self.rel * abs(expected_value))

    def describe(self):
        parts = [f"{self.last_digit:g} in the last digit" if self.last_digit else "",
                 f"abs {self.abs:g}" if self.abs else "", f"rel {self.rel:g}" if self.rel else "",
                 f"pixels {self.pixels}" if self.pixels else ""]
        return f"{', '.join(p for p in parts if p) or 'exact'} ({self.source}: {self.why})"


EXACT = Rule(why="no tolerance declared", source="default")


@dataclass
class Tolerances:
    rules: list = field(default_factory=list)  # Rule, for the lines they name
    varies: list = field(default_factory=list)  # (compiled pattern, why)

    def rule_for(self, line):
        for rule in self.rules:
            if rule.lines is None or rule.lines.search(line):
                return rule
        return EXACT


def tolerances_for(snippet, output_name=None):
    """The tolerances that snippets/<folder>/tolerances.toml declares for a snippet's stdout (output_name None)
    or for a file it writes (output_name: the file's name)."""
    snippet = Path(snippet)
    path = snippet.parent / TOLERANCE_FILE
    found = Tolerances()
    if not path.is_file():
        return found
    with path.open("rb") as handle:
        table = tomllib.load(handle)
    for kind in ("tolerance", "varies"):
        for number, entry in enumerate(table.get(kind, []), start=1):
            where = f"{path.name} [[{kind}]] #{number}"
            if "why" not in entry or "snippet" not in entry:
                raise ValueError(f"{path}: {where} needs 'snippet' and 'why'")
            if entry["snippet"] != snippet.name:
                continue
            figure = entry.get("figure")
            if (output_name is None) != (figure is None):
                continue
            if figure is not None and not fnmatch.fnmatch(output_name, figure):
                continue
            if kind == "varies":
                found.varies.append((re.compile(entry["pattern"]), entry["why"]))
            else:
                found.rules.append(Rule(re.compile(entry["lines"]) if "lines" in entry else None,
                                        float(entry.get("last_digit", 0)), float(entry.get("abs", 0)),
                                        float(entry.get("rel", 0)), int(entry.get("pixels", 0)), entry["why"],
                                        where))
    return found


def last_digit_unit(token):
    """10 ** -(decimals), scaled by the exponent: '0.061' -> 0.001, '3.14e23' -> 1e21, '42' -> 1."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def is_float(token):
    return "." in token or "e" in token.lower()


def value(token):
    return float(token.replace(",", ""))


def normalise(text, tolerances, svg=False):
    text = TIMING.sub(" <time>", text)
    for pattern, _ in tolerances.varies:
        text = pattern.sub("<varies>", text)
    if svg:
        ids = {}
        text = SVG_ID.sub(lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), text)
    return text


def _split(line):
    """A line's text around its numbers (runs of spaces folded, as columns re-align) and the numbers."""
    tokens = NUMBER.findall(line)
    skeleton = re.sub(r" +", " ", NUMBER.sub("#", line))
    return skeleton, tokens


def images(text):
    """The PNG images embedded in an SVG, as arrays of pixels."""
    return [np.asarray(Image.open(io.BytesIO(base64.b64decode(re.sub(r"\s", "", m)))).convert("RGBA"), dtype=int)
            for m in SVG_IMAGE.findall(text)]


def differences(expected, actual, tolerances, svg=False):
    """Each difference between two texts: (line, expected token, actual token, how far it moved, the rule),
    with moved None where the text itself differs, or an integer; line -1 for an SVG's embedded image."""
    if svg:
        rule = next((r for r in tolerances.rules if r.pixels), EXACT)
        for number, (want, got) in enumerate(zip(images(expected), images(actual), strict=False), start=1):
            if want.shape != got.shape:
                yield -1, f"image {number}: {want.shape}", f"{got.shape}", None, EXACT
            elif (want != got).any():
                yield -1, f"image {number}", f"image {number}", float(abs(want - got).max()), rule
        expected, actual = SVG_IMAGE.sub("<image>", expected), SVG_IMAGE.sub("<image>", actual)
    expected_lines = normalise(expected, tolerances, svg).splitlines()
    actual_lines = normalise(actual, tolerances, svg).splitlines()
    if len(expected_lines) != len(actual_lines):
        yield 0, f"{len(expected_lines)} lines", f"{len(actual_lines)} lines", None, EXACT
        return
    for number, (want, got) in enumerate(zip(expected_lines, actual_lines, strict=True), start=1):
        if want == got:
            continue
        (want_text, want_numbers), (got_text, got_numbers) = _split(want), _split(got)
        if want_text != got_text or len(want_numbers) != len(got_numbers):
            yield number, want, got, None, EXACT
            continue
        rule = tolerances.rule_for(want)
        for w, g in zip(want_numbers, got_numbers, strict=True):
            if w != g:
                moved = abs(value(g) - value(w)) if is_float(w) and is_float(g) else None
                yield number, w, g, moved, rule


def compare_text(expected, actual, tolerances, expected_name, svg=False):
    """'' when actual matches expected under the tolerances, else a unified diff and, for each number that
    moved, how far it moved and what was allowed."""
    problems = []
    for number, w, g, moved, rule in differences(expected, actual, tolerances, svg):
        if number == 0:
            problems.append(f"{g} instead of {w}")
        elif number == -1:
            allowed = rule.pixels
            if moved is None or moved > allowed:
                problems.append(f"{w}: a colour channel moved {moved} (of 255), more than {allowed} allowed: "
                                f"{rule.describe()}" if moved is not None else f"{w} -> {g}")
        elif moved is None and not NUMBER.fullmatch(w):
            problems.append(f"line {number}: the text differs")
        elif moved is None:
            problems.append(f"line {number}: {w} -> {g}, which must be exact")
        elif rule is EXACT or (rule.last_digit and not (rule.abs or rule.rel)
                               and last_digit_unit(w) != last_digit_unit(g)):
            problems.append(f"line {number}: {w} -> {g}; allowed: {rule.describe()}")
        elif not math.isfinite(moved) or moved > rule.allowed(w, value(w)) * (1 + 1e-9):
            problems.append(f"line {number}: {w} -> {g} moved {moved:.3g}, more than "
                            f"{rule.allowed(w, value(w)):.3g} allowed: {rule.describe()}")
    if not problems:
        return ""
    shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
    diff = "".join(difflib.unified_diff([line + "\n" for line in expected.splitlines()],
                                        [line + "\n" for line in actual.splitlines()],
                                        fromfile=f"{expected_name} (expected)", tofile="this run", n=1))
    if len(diff) > 12_000:
        diff = diff[:12_000] + "\n... (diff cut)\n"
    return diff + "".join(f"\n  {p}" for p in shown) + "\n"


def compare_json(expected, actual, tolerances, expected_name):
    """'' when two JSON texts hold the same data under the tolerances, else what differs, by path."""
    problems = []

    def walk(want, got, path):
        if len(problems) > 20:
            return
        if isinstance(want, bool) or isinstance(got, bool) or not isinstance(want, int | float):
            if type(want) is not type(got):
                problems.append(f"{path or '/'}: {type(want).__name__} -> {type(got).__name__}")
            elif isinstance(want, dict):
                if sorted(want) != sorted(got):
                    problems.append(f"{path or '/'}: keys {sorted(want)} -> {sorted(got)}")
                for key in want.keys() & got.keys():
                    walk(want[key], got[key], f"{path}/{key}")
            elif isinstance(want, list):
                if len(want) != len(got):
                    problems.append(f"{path}: {len(got)} items instead of {len(want)}")
                for i, (w, g) in enumerate(zip(want, got, strict=False)):
                    walk(w, g, f"{path}/{i}")
            elif want != got:
                problems.append(f"{path}: {want!r} -> {got!r}")
            return
        if not isinstance(got, int | float) or isinstance(got, bool):
            problems.append(f"{path}: {want!r} -> {got!r}")
            return
        if want == got:
            return
        rule = tolerances.rule_for(path)
        moved, allowed = abs(got - want), max(rule.abs, rule.rel * abs(want))
        if rule is EXACT or not moved <= allowed * (1 + 1e-9):
            problems.append(f"{path}: {want!r} -> {got!r} moved {moved:.3g}; allowed: {rule.describe()}")

    walk(json.loads(expected), json.loads(actual), "")
    if not problems:
        return ""
    return f"{expected_name}: the data differ\n" + "".join(f"  {p}\n" for p in problems[:20])
