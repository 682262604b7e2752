"""Which of KaTeX's web fonts a rendered formula needs, so that a page can preload exactly those.

KaTeX's stylesheet picks a font family, weight and style from the classes of each span (`.katex .mathnormal` is
KaTeX_Math italic, `.katex .delimsizing.size1` is KaTeX_Size1, ...). A font the browser discovers only while it
lays out the page arrives after the text has been drawn with a fallback font, and the text moves when it does
(Lighthouse's "cumulative layout shift"). A `<link rel="preload">` in the page's head fetches it with the
stylesheets instead. RULES restates the rules of docs/assets/katex/katex.min.css that set a font;
tests/test_quality.py checks, in Chromium, that every page preloads exactly the KaTeX fonts it then uses."""

from html.parser import HTMLParser

DEFAULT = ("Main", "normal", "normal")  # .katex{font: ... KaTeX_Main}: family, weight, style
ITALIC, BOLD = ("style", "italic"), ("weight", "bold")

# (classes the element must all have) -> what they set; later rules win, as in the stylesheet
RULES = [
    ({"textrm"}, [("family", "Main")]),
    ({"textsf"}, [("family", "SansSerif")]),
    ({"texttt"}, [("family", "Typewriter")]),
    ({"textbf"}, [BOLD]),
    ({"textit"}, [ITALIC]),
    ({"mathnormal"}, [("family", "Math"), ITALIC]),
    ({"mathit"}, [("family", "Main"), ITALIC]),
    ({"mathrm"}, [("style", "normal")]),
    ({"mathbf"}, [("family", "Main"), BOLD]),
    ({"boldsymbol"}, [("family", "Math"), ITALIC, BOLD]),
    ({"amsrm"}, [("family", "AMS")]),
    ({"mathbb"}, [("family", "AMS")]),
    ({"textbb"}, [("family", "AMS")]),
    ({"mathcal"}, [("family", "Caligraphic")]),
    ({"mathfrak"}, [("family", "Fraktur")]),
    ({"textfrak"}, [("family", "Fraktur")]),
    ({"mathtt"}, [("family", "Typewriter")]),
    ({"mathscr"}, [("family", "Script")]),
    ({"textscr"}, [("family", "Script")]),
    ({"mathsf"}, [("family", "SansSerif")]),
    ({"mainrm"}, [("family", "Main"), ("style", "normal")]),
    ({"delimsizing", "size1"}, [("family", "Size1")]),
    ({"delimsizing", "size2"}, [("family", "Size2")]),
    ({"delimsizing", "size3"}, [("family", "Size3")]),
    ({"delimsizing", "size4"}, [("family", "Size4")]),
    ({"op-symbol", "small-op"}, [("family", "Size1")]),
    ({"op-symbol", "large-op"}, [("family", "Size2")]),
]
FILES = {  # the faces docs/assets/katex/fonts/ has, by family: (weight, style) -> file name
    "Main": {("normal", "normal"): "Main-Regular", ("bold", "normal"): "Main-Bold",
             ("normal", "italic"): "Main-Italic", ("bold", "italic"): "Main-BoldItalic"},
    "Math": {("normal", "italic"): "Math-Italic", ("bold", "italic"): "Math-BoldItalic"},
    "AMS": {("normal", "normal"): "AMS-Regular"},
    "Caligraphic": {("normal", "normal"): "Caligraphic-Regular", ("bold", "normal"): "Caligraphic-Bold"},
    "Fraktur": {("normal", "normal"): "Fraktur-Regular", ("bold", "normal"): "Fraktur-Bold"},
    "SansSerif": {("normal", "normal"): "SansSerif-Regular", ("bold", "normal"): "SansSerif-Bold",
                  ("normal", "italic"): "SansSerif-Italic"},
    "Script": {("normal", "normal"): "Script-Regular"},
    "Typewriter": {("normal", "normal"): "Typewriter-Regular"},
    **{f"Size{n}": {("normal", "normal"): f"Size{n}-Regular"} for n in range(1, 5)},
}


def font_file(family, weight, style):
    """The face a browser picks for a family: the exact one if it exists, else (CSS font matching, simplified)
    the same style before the same weight."""
    faces = FILES[family]
    for wanted in [(weight, style), ("normal", style), (weight, "normal"), ("normal", "normal")]:
        if wanted in faces:
            return f"KaTeX_{faces[wanted]}.woff2"
    return f"KaTeX_{next(iter(faces.values()))}.woff2"


class _FontCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open = [(DEFAULT, set(), False)]  # per open element: its font, its classes, inside the MathML copy
        self.fonts = set()

    def handle_starttag(self, tag, attrs):
        (family, weight, style), parent_classes, hidden = self.open[-1]
        font = {"family": family, "weight": weight, "style": style}
        classes = set((dict(attrs).get("class") or "").split())
        for needed, settings in RULES:
            if needed <= classes:
                font.update(settings)
        in_tall_delimiter = any({"delimsizing", "mult"} <= c for _, c, _ in self.open)
        if tag == "span" and in_tall_delimiter and parent_classes & {"delim-size1", "delim-size4"}:
            font["family"] = "Size1" if "delim-size1" in parent_classes else "Size4"  # .delim-size1>span
        hidden = hidden or "katex-mathml" in classes  # read by screen readers, drawn with no KaTeX font
        self.open.append(((font["family"], font["weight"], font["style"]), classes, hidden))

    def handle_endtag(self, tag):
        if len(self.open) > 1:
            self.open.pop()

    def handle_data(self, data):
        font, _, hidden = self.open[-1]
        if data.strip() and not hidden:
            self.fonts.add(font_file(*font))


def fonts_used(rendered_html):
    """The KaTeX font files that the visible part of one rendered formula is drawn with."""
    collector = _FontCollector()
    collector.feed(rendered_html)
    collector.close()
    return collector.fonts
