#!/usr/bin/env python3
"""Checks the bundled site's editorial rules, which lumbar check cannot know.

usage: check-content.py CONTENT_DIR PUBLIC_DIR FACTS_MD

- every article (SECTION/NAME.md) has 400-1,000 words of body text
  (citations, link targets and Markdown markup not counted), a description
  under 160 characters and tags;
- the home page is 400-1,000 words too and links to the red flags and the
  decision tree;
- every page that gives advice (home, section introductions, articles, the
  decision tree) shows its honest review state: reviewed (reviewed_by with
  a name and role, last_reviewed) and showing them, or pending and saying
  "awaiting clinical review" with no reviewer and no review dates; each
  offers the site's contact route to report a problem;
- no article shares an 8-word sequence with FACTS.md (facts are carried,
  never phrasing);
- every red flag is named in the red-flags article and in the decision tree;
  the notice partial gives the three urgency levels briefly and links to the
  full list, and every built article and section page shows it unless its
  front matter says red_flag_notice: false;
- no page cites a source for a claim FACTS.md says it does not support
  (who2023 for imaging, NICE or Foster for the site's four-part grouping,
  dahm2010 for stiffer or sorer) and no page says TENS helps.

Prints "ok"/"FAIL" lines and "content: N passed, N failed".
"""
import os
import re
import sys

import yaml

MIN_WORDS, MAX_WORDS = 400, 1000
MAX_DESCRIPTION = 159
NGRAM = 8
# One phrase per red flag in FACTS.md; each must appear in every place that
# lists red flags, so an edit to one list cannot silently drop a flag.
RED_FLAGS = {
    "emergency": ["genitals", "bladder", "erection", "both", "chest pain", "fall"],
    "same-day": ["fever", "weight", "cancer", "lump", "shoulder blades", "night"],
}

passed = failed = 0


def report(ok, name):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name)


def split_page(path):
    text = open(path, encoding="utf-8").read()
    _, fm, body = text.split("---\n", 2)
    return yaml.safe_load(fm) or {}, body


def prose_words(body):
    body = re.sub(r"\[@[^\]]*\]", " ", body)                # citations
    body = re.sub(r"\]\([^)]*\)", "]", body)                 # link targets
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*", body)


def normalised(text):
    return " ".join(w.lower() for w in re.findall(r"[A-Za-z0-9]+", text))


def ngrams(text, n):
    words = normalised(text).split()
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def articles(content):
    for section in sorted(os.listdir(content)):
        folder = os.path.join(content, section)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".md") and name != "_index.md":
                yield "%s/%s" % (section, name), os.path.join(folder, name)


def check_article(rel, path, facts_ngrams):
    fm, body = split_page(path)
    words = len(prose_words(body))
    report(MIN_WORDS <= words <= MAX_WORDS, "%s: %d words (%d-%d)" % (rel, words, MIN_WORDS, MAX_WORDS))
    desc = fm.get("description") or ""
    report(0 < len(desc) <= MAX_DESCRIPTION, "%s: description of %d characters (under 160)" % (rel, len(desc)))
    report(bool(fm.get("tags")), "%s: has tags" % rel)
    shared = sorted(ngrams(body, NGRAM) & facts_ngrams)
    report(not shared, "%s: no %d-word sequence copied from FACTS.md%s" % (rel, NGRAM, " (%r)" % shared[0] if shared else ""))


def check_home(content):
    fm, body = split_page(os.path.join(content, "_index.md"))
    words = len(prose_words(body))
    report(MIN_WORDS <= words <= MAX_WORDS, "home: %d words (%d-%d)" % (words, MIN_WORDS, MAX_WORDS))
    report("symptoms/red-flags.md" in body, "home: links to the red flags")
    report("relative-rest.md" in body, "home: links to the decision tree")


PENDING = "Written from the cited guidelines; awaiting clinical review"


def advice_pages(content, public):
    """(name, source, built page) of the home page, each section
    introduction and article, and the decision tree."""
    pages = [("home", os.path.join(content, "_index.md"), os.path.join(public, "index.html")),
             ("relative-rest", os.path.join(content, "relative-rest.md"),
              os.path.join(public, "relative-rest", "index.html"))]
    for section in sorted(os.listdir(content)):
        folder = os.path.join(content, section)
        if not os.path.isfile(os.path.join(folder, "_index.md")):
            continue
        for md in sorted(os.listdir(folder)):
            if md.endswith(".md"):
                slug = "" if md == "_index.md" else md[:-3]
                pages.append(("%s/%s" % (section, md), os.path.join(folder, md),
                              os.path.join(public, section, slug, "index.html")))
    return pages


def check_review_state(content, public):
    """No page claims a review that did not happen: a reviewed page names
    its reviewer and role and shows them with the date; a pending page says
    so and shows no reviewer and no review dates."""
    for name, src, built in advice_pages(content, public):
        fm, _ = split_page(src)
        if fm.get("draft"):
            continue
        html = open(built, encoding="utf-8").read() if os.path.isfile(built) else ""
        reviewer = fm.get("reviewed_by")
        if reviewer:
            named = isinstance(reviewer, dict) and reviewer.get("name") and reviewer.get("role")
            report(bool(named and fm.get("last_reviewed")), "%s: reviewed_by has a name and role, and last_reviewed" % name)
            report("Reviewed by" in html and "Last reviewed" in html, "%s page shows its reviewer and date" % name)
        else:
            report(not fm.get("last_reviewed") and not fm.get("next_review"), "%s: pending, with no review dates" % name)
            report(PENDING in html and "Reviewed by" not in html and "Last reviewed" not in html
                   and "Next review due" not in html, "%s page says it is awaiting clinical review, with no dates" % name)
        report("Report a problem" in html, "%s page offers the contact route to report a problem" % name)


NOTICE_MAX_WORDS = 110
NOTICE_LEVELS = {"emergency": "999", "same day": "today", "soon": "few weeks"}


def check_red_flags(content, public):
    """The full lists name every flag; the notice stays short (three levels
    and a link to the full list) and shows on every self-help page."""
    partial = os.path.join(os.path.dirname(os.path.abspath(content)), "layouts", "partials", "red-flags-notice.html")
    places = {
        "symptoms/red-flags.md": open(os.path.join(content, "symptoms", "red-flags.md"), encoding="utf-8").read(),
        "relative-rest.md (tree)": open(os.path.join(content, "relative-rest.md"), encoding="utf-8").read(),
    }
    for place, text in places.items():
        flat = " ".join(text.lower().split())
        for kind, phrases in RED_FLAGS.items():
            absent = [p for p in phrases if p not in flat]
            report(not absent, "%s names every %s red flag%s" % (place, kind, " (no %s)" % absent if absent else ""))
    notice = re.sub(r"\{\{!.*?\}\}", " ", open(partial, encoding="utf-8").read(), flags=re.S)
    words = len(re.findall(r"[A-Za-z0-9&;]+", re.sub(r"<[^>]*>|\{\{[^}]*\}\}", " ", notice)))
    report(words <= NOTICE_MAX_WORDS, "red-flags notice: %d words (at most %d)" % (words, NOTICE_MAX_WORDS))
    for level, marker in NOTICE_LEVELS.items():
        report(marker in notice, "red-flags notice gives the %s level (%r)" % (level, marker))
    report("new or getting worse" in notice, "red-flags notice: signs worded as new or getting worse")
    check_notice_shown(content, public)


def check_notice_shown(content, public):
    """Every built article and section page shows the notice near the top
    (before the body), unless its front matter says red_flag_notice: false."""
    shown = 0
    for section in sorted(os.listdir(content)):
        folder = os.path.join(content, section)
        if not os.path.isfile(os.path.join(folder, "_index.md")):
            continue
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".md")):
            fm, _ = split_page(os.path.join(folder, name))
            if fm.get("draft"):
                continue
            slug = "" if name == "_index.md" else (fm.get("slug") or name[:-3]) + "/"
            built = os.path.join(public, section, slug, "index.html")
            html = open(built, encoding="utf-8").read() if os.path.isfile(built) else ""
            if fm.get("red_flag_notice") is False:
                report(html and "Check for red flags first" not in html,
                       "%s/%s leaves the notice out (red_flag_notice: false)" % (section, name))
                continue
            at = html.find("Check for red flags first")
            body = html.find('class="prose"')
            ok = at >= 0 and 'href="/symptoms/red-flags/"' in html[at:] and (body < 0 or at < body)
            shown += ok
            report(ok, "%s/%s shows the red-flags notice before the body" % (section, name))
    report(shown >= 10, "%d self-help pages show the notice (at least 10)" % shown)


# The site's own grouping, named in the cited sentence or the one before it
# ("one of the four parts ... The other three are ... [@key]").
FOUR_PARTS = re.compile(r"\bfour[- ]parts?\b|\ball four\b|\bother three\b|\bseveral (of these )?parts\b", re.I)
# Claims a source does not support (FACTS.md): a cited key in a sentence
# that matches the pattern is a miscitation.
MISCITATIONS = [
    ("who2023", re.compile(r"\b(scans?|scanned|x-rays?|mri|imaging)\b", re.I),
     "WHO 2023 does not cover imaging"),
    ("nice2016", FOUR_PARTS, "the four-part grouping is the site's own, not NICE's"),
    ("foster2018", FOUR_PARTS, "the four-part grouping is the site's own, not Foster's"),
    ("dahm2010", re.compile(r"\b(stiff\w*|sore\w*|uncomfortable)\b", re.I),
     "dahm2010 measured pain and function, not stiffness or soreness"),
]
TENS = re.compile(r"\bTENS\b")
HELPS = re.compile(r"\b(helps?|helpful|eases?|easing|relie(f|ve|ves)|edge off|soothe\w*|reduces?|worth (a )?try\w*|may work|can work)\b", re.I)
AGAINST = re.compile(r"\b(not|no|against|never|don't|doesn't|does not|little|unlikely|nor|avoid)\b", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z*_\"(\[])")


def sentences(body):
    """(line, text, previous sentence) for each sentence of a Markdown body;
    a list item or a paragraph ends a sentence, link targets are dropped."""
    blocks, start, lines = [], 1, []
    for n, line in enumerate(body.split("\n"), 1):
        if not line.strip() or re.match(r"\s*([-*+]|\d+\.)\s|#", line):
            if lines:
                blocks.append((start, " ".join(lines)))
            lines, start = ([line.strip()], n) if line.strip() else ([], n + 1)
        else:
            if not lines:
                start = n
            lines.append(line.strip())
    if lines:
        blocks.append((start, " ".join(lines)))
    for line, block in blocks:
        block = re.sub(r"\]\([^)]*\)", "]", block)
        before = ""
        for text in SENTENCE_END.split(block):
            yield line, text, before
            before = text


def check_citations(content):
    """Each page's sentences: a key cited for what its source does not say,
    or TENS said to help, fails with the page and line."""
    pages = []
    for folder, _, names in sorted(os.walk(content)):
        pages += [os.path.join(folder, n) for n in sorted(names) if n.endswith(".md")]
    for path in pages:
        rel = os.path.relpath(path, content)
        text = open(path, encoding="utf-8").read()
        _, fm, body = text.split("---\n", 2)
        offset = fm.count("\n") + 2
        faults = []
        for line, sentence, before in sentences(body):
            keys = set(re.findall(r"@([A-Za-z0-9_:-]+)", " ".join(re.findall(r"\[@[^\]]*\]", sentence))))
            for key, pattern, why in MISCITATIONS:
                window = before + " " + sentence if pattern is FOUR_PARTS else sentence
                if key in keys and pattern.search(window):
                    faults.append("%s:%d: %s" % (rel, line + offset, why))
            if TENS.search(sentence) and HELPS.search(sentence) and not AGAINST.search(sentence):
                faults.append("%s:%d: says TENS helps (NICE and WHO advise against it)" % (rel, line + offset))
        report(not faults, "%s: citations match their sources%s" % (rel, "".join("\n       " + f for f in faults)))


def main(content, public, facts):
    if not os.path.isfile(facts):
        report(False, "FACTS.md found at %s" % facts)
    else:
        facts_ngrams = ngrams(open(facts, encoding="utf-8").read(), NGRAM)
        for rel, path in articles(content):
            check_article(rel, path, facts_ngrams)
    check_home(content)
    check_review_state(content, public)
    check_red_flags(content, public)
    check_citations(content)
    print("content: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
