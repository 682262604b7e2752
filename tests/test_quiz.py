"""The chapter quizzes, docs/ch*/quiz.md.

A quiz is a list of questions, each a `## ` heading and a short stem, followed by its options. An option is a
collapsible block, closed until the reader opens it, whose body says whether it is right and why:

    ## 1. Reading a perplexity

    A model spreads its probability evenly over $m$ words at every step. What is its perplexity?

    ??? option "A. m"
        **Right.** Perplexity is ... See [Perplexity on held-out plays](ngrams.md#perplexity-on-held-out-plays).

    ??? option "B. log m"
        **Not quite.** ... See [...](ngrams.md#...).

Checked here: every question has exactly one right option; every option, lettered A, B, C... in order,
begins with **Right.** or **Not quite.**, explains itself and links to a section of the chapter (the strict
build checks that the anchor exists); a quiz has at least MIN_QUESTIONS questions; and the built pages show
the options as <details> elements, closed. Each failure names the file and line."""

import re
from dataclasses import dataclass, field

import pytest
from bs4 import BeautifulSoup
from conftest import PROJECT

QUIZZES = sorted(PROJECT.docs.glob("ch*/quiz.md"))
MIN_QUESTIONS = 5
MIN_OPTIONS = 3
RIGHT, WRONG = "**Right.**", "**Not quite.**"
QUESTION = re.compile(r"^## (?P<title>.+)$")
OPTION = re.compile(r'^\?\?\?(?P<open>\+?) option "(?P<label>[^"]+)"\s*$')
ANY_BLOCK = re.compile(r"^(\?\?\?|!!!)")  # another admonition or collapsible block ends an option
SECTION_LINK = re.compile(r"\]\((?!https?:)[^)\s]*\.md#[\w-]+\)")  # a relative link to a page's section
MIN_EXPLANATION_WORDS = 8


@dataclass
class Option:
    line: int
    label: str
    opened: bool
    body: list = field(default_factory=list)

    @property
    def text(self):
        return " ".join(line.strip() for line in self.body).strip()


@dataclass
class Question:
    line: int
    title: str
    stem: list = field(default_factory=list)
    options: list = field(default_factory=list)


def parse_quiz(text):
    """The questions of a quiz's Markdown source, with their options and the line of each."""
    questions, option = [], None
    for number, line in enumerate(text.splitlines(), start=1):
        heading, opening = QUESTION.match(line), OPTION.match(line)
        if heading:
            questions.append(Question(number, heading["title"]))
            option = None
        elif opening:
            option = Option(number, opening["label"], bool(opening["open"]))
            if questions:
                questions[-1].options.append(option)
            else:
                questions.append(Question(number, "(options before the first question)", options=[option]))
        elif option is not None and (line.startswith("    ") or not line.strip()):
            option.body.append(line)
        elif ANY_BLOCK.match(line) or line.startswith("#"):
            option = None
        elif line.strip():
            option = None
            if questions and not questions[-1].options:
                questions[-1].stem.append(line)
    return questions


def check_quiz(text, name):
    """Every problem with a quiz's source, each as 'name:line: message'."""
    problems = []
    questions = parse_quiz(text)
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"{name}:1: {len(questions)} questions; a quiz needs at least {MIN_QUESTIONS}")
    for question in questions:
        where = f"{name}:{question.line}: question {question.title!r}"
        if not question.stem:
            problems.append(f"{where} has no stem (a sentence under its heading saying what is asked)")
        if len(question.options) < MIN_OPTIONS:
            problems.append(f"{where} has {len(question.options)} options; it needs at least {MIN_OPTIONS}")
        right = []
        for index, option in enumerate(question.options):
            at = f"{name}:{option.line}: option {option.label!r}"
            letter = f"{chr(ord('A') + index)}. "
            if not option.label.startswith(letter):
                problems.append(f"{at} should begin with {letter!r} (options are lettered A, B, C... in order)")
            if option.opened:
                problems.append(f"{at} is open by default (???+): it would show its answer before it is chosen")
            text = option.text
            if not text:
                problems.append(f"{at} has no explanation (an indented body under it)")
                continue
            if text.startswith(RIGHT):
                right.append(option)
                verdict = RIGHT
            elif text.startswith(WRONG):
                verdict = WRONG
            else:
                problems.append(f"{at}: its explanation must begin with {RIGHT} or {WRONG}")
                continue
            if len(text.removeprefix(verdict).split()) < MIN_EXPLANATION_WORDS:
                problems.append(f"{at} says {verdict} but does not explain why")
            if not SECTION_LINK.search(text):
                problems.append(f"{at}: its explanation links to no section of the chapter (page.md#anchor)")
        if question.options and len(right) != 1:
            lines = ", ".join(f"line {o.line}" for o in right) or "none"
            problems.append(f"{where} has {len(right)} right options ({lines}); it needs exactly one")
    return problems


def options_in_html(html):
    """(summary text, is it open) for every quiz option of a built page."""
    soup = BeautifulSoup(html, "html.parser")
    return [(" ".join(d.summary.get_text().split()) if d.summary else "", d.has_attr("open"))
            for d in soup.select("article details.option")]


# --- the real quizzes -----------------------------------------------------------------------------

def test_every_chapter_has_a_quiz():
    chapters = sorted(p.parent.name for p in PROJECT.docs.glob("ch*/index.md"))
    assert [q.parent.name for q in QUIZZES] == chapters, "each chapter folder needs a quiz.md"


@pytest.mark.parametrize("quiz", QUIZZES, ids=[PROJECT.rel(q) for q in QUIZZES])
def test_quiz_source(quiz):
    problems = check_quiz(quiz.read_text(encoding="utf-8"), PROJECT.rel(quiz))
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("quiz", QUIZZES, ids=[PROJECT.rel(q) for q in QUIZZES])
def test_quiz_options_are_closed_details_in_the_built_page(built_site, quiz):
    done, site = built_site
    assert done.returncode == 0, f"mkdocs build --strict failed:\n{done.stdout}\n{done.stderr}"
    name = PROJECT.rel(quiz)
    built = site / quiz.parent.name / "quiz" / "index.html"
    assert built.is_file(), f"{name} was not built (is it in mkdocs.yml's nav?)"
    shown = options_in_html(built.read_text(encoding="utf-8"))
    written = [o for q in parse_quiz(quiz.read_text(encoding="utf-8")) for o in q.options]
    assert [label for label, _ in shown] == [o.label for o in written], \
        f"{name}: the built page's <details class=\"option\"> summaries differ from the options in the source"
    opened = [o.label for (_, is_open), o in zip(shown, written, strict=True) if is_open]
    assert not opened, f"{name}: options open before the reader chooses them: {opened}"


# --- the checks catch a broken quiz ---------------------------------------------------------------

GOOD_QUESTION = """\
## {n}. A question

What is asked?

??? option "A. One"
    **Right.** Because the page says so, in the section linked here: [Perplexity](ngrams.md#perplexity).

??? option "B. Two"
    **Not quite.** Because the page says otherwise, in the section linked here: [Perplexity](ngrams.md#perplexity).

??? option "C. Three"
    **Not quite.** Because the page says otherwise, in the section linked here: [Perplexity](ngrams.md#perplexity).
"""


def good_quiz(questions=MIN_QUESTIONS):
    return "# Quiz\n\n" + "\n".join(GOOD_QUESTION.format(n=n) for n in range(1, questions + 1))


def test_a_good_quiz_passes():
    assert check_quiz(good_quiz(), "quiz.md") == []
    assert [len(q.options) for q in parse_quiz(good_quiz())] == [3] * MIN_QUESTIONS


def test_two_right_options_fail_naming_the_line():
    text = good_quiz().replace("**Not quite.** Because", "**Right.** Because", 1)
    assert check_quiz(text, "quiz.md") == [
        "quiz.md:3: question '1. A question' has 2 right options (line 7, line 10); it needs exactly one"]


def test_no_right_option_fails_naming_the_line():
    text = good_quiz().replace("**Right.**", "**Not quite.**", 1)
    assert check_quiz(text, "quiz.md") == [
        "quiz.md:3: question '1. A question' has 0 right options (none); it needs exactly one"]


def test_an_option_without_explanation_fails_naming_the_line():
    lines = good_quiz().splitlines()
    del lines[10]  # the body of option B of question 1
    problems = check_quiz("\n".join(lines), "quiz.md")
    assert problems == ["quiz.md:10: option 'B. Two' has no explanation (an indented body under it)"]


def test_an_unexplained_verdict_and_a_missing_link_fail():
    lines = good_quiz().splitlines()
    lines[10] = "    **Not quite.** No."  # the body of option B of question 1
    text = "\n".join(lines)
    problems = check_quiz(text, "quiz.md")
    assert problems == ["quiz.md:10: option 'B. Two' says **Not quite.** but does not explain why",
                        "quiz.md:10: option 'B. Two': its explanation links to no section of the chapter "
                        "(page.md#anchor)"]


def test_too_few_questions_fail():
    assert check_quiz(good_quiz(MIN_QUESTIONS - 1), "quiz.md") == [
        f"quiz.md:1: {MIN_QUESTIONS - 1} questions; a quiz needs at least {MIN_QUESTIONS}"]


def test_an_option_open_by_default_or_out_of_order_fails():
    text = good_quiz().replace('??? option "B. Two"', '???+ option "C. Two"', 1)
    assert check_quiz(text, "quiz.md") == [
        "quiz.md:10: option 'C. Two' should begin with 'B. ' (options are lettered A, B, C... in order)",
        "quiz.md:10: option 'C. Two' is open by default (???+): it would show its answer before it is chosen"]


def test_open_options_are_found_in_html():
    html = ('<article><details class="option"><summary>A. One</summary><p>x</p></details>'
            '<details class="option" open><summary>B. Two</summary><p>y</p></details>'
            '<details class="success"><summary>Solution</summary></details></article>')
    assert options_in_html(html) == [("A. One", False), ("B. Two", True)]
