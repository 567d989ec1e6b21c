#!/usr/bin/env python3
"""Checks the schema.org JSON-LD of every medical page in a built site.

usage: check-jsonld.py PUBLIC_DIR CONTENT_DIR

Every article (SECTION/SLUG/index.html) and every standalone page with a
decision tree or a reviewer must carry one
<script type="application/ld+json"> that parses as JSON and is a
MedicalWebPage with the properties the site promises: about the condition
"Low back pain", an aspect equal to its section's title (articles), and one
citation per entry of the page's References list. Its review state is the
front matter's: a reviewed page (reviewed_by) has lastReviewed and a
reviewedBy Person with the reviewer's name and role; a page pending review
has neither. No page may hold a Person without a name. Prints one line per
problem and exits 1 if there was any.
"""
import html.parser
import json
import os
import sys

import yaml

REQUIRED = ["@context", "@type", "name", "description", "url", "datePublished", "dateModified",
            "about", "citation"]
CONDITION = "Low back pain"


class Page(html.parser.HTMLParser):
    """Collects JSON-LD blocks and counts the References list's entries."""

    def __init__(self):
        super().__init__()
        self.inside = False
        self.blocks = []
        self.references = 0
        self.in_refs = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/ld+json":
            self.inside = True
            self.blocks.append("")
        if tag == "section" and "references" in (attrs.get("class") or "").split():
            self.in_refs = True
        if tag == "li" and self.in_refs:
            self.references += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False
        if tag == "section":
            self.in_refs = False

    def handle_data(self, data):
        if self.inside:
            self.blocks[-1] += data


def front_matter(path):
    text = open(path, encoding="utf-8").read()
    if not text.startswith("---"):
        return {}
    return yaml.safe_load(text.split("\n---", 1)[0][3:]) or {}


def reviewed_pages(public, content):
    """Yields (built page, expected aspect or None, front matter) for every page to check."""
    for name in sorted(os.listdir(content)):
        path = os.path.join(content, name)
        if os.path.isdir(path) and os.path.isfile(os.path.join(path, "_index.md")):
            aspect = front_matter(os.path.join(path, "_index.md")).get("title")
            for md in sorted(os.listdir(path)):
                fm = front_matter(os.path.join(path, md)) if md.endswith(".md") else {}
                if md.endswith(".md") and md != "_index.md" and not fm.get("draft"):
                    slug = fm.get("slug") or md[:-3]
                    yield os.path.join(public, name, slug, "index.html"), aspect, fm
        elif name.endswith(".md") and name != "_index.md":
            fm = front_matter(path)
            if (fm.get("reviewed_by") or fm.get("tree")) and not fm.get("draft"):
                yield os.path.join(public, fm.get("slug") or name[:-3], "index.html"), None, fm


def persons(data):
    """Every schema.org Person anywhere in the JSON-LD."""
    if isinstance(data, dict):
        if data.get("@type") == "Person":
            yield data
        for v in data.values():
            yield from persons(v)
    elif isinstance(data, list):
        for v in data:
            yield from persons(v)


def review_problems(data, fm):
    """The JSON-LD's review claims against the front matter's review state."""
    found = []
    if any(not p.get("name") for p in persons(data)):
        found.append("a Person without a name")
    reviewer = fm.get("reviewed_by")
    if not reviewer:
        for key in ("lastReviewed", "reviewedBy"):
            if key in data:
                found.append("%s on a page pending review" % key)
        return found
    if str(data.get("lastReviewed")) != str(fm.get("last_reviewed")):
        found.append("lastReviewed %r, want the front matter's %r" % (data.get("lastReviewed"), fm.get("last_reviewed")))
    person = data.get("reviewedBy") or {}
    if reviewer.get("name") and (person.get("@type") != "Person" or person.get("name") != reviewer.get("name")
                                 or person.get("jobTitle") != reviewer.get("role")):
        found.append("reviewedBy %r, want the Person %r" % (person, reviewer))
    return found


def problems_of(page, aspect, fm):
    parser = Page()
    parser.feed(open(page, encoding="utf-8").read())
    if len(parser.blocks) != 1:
        return ["%d JSON-LD blocks, want 1" % len(parser.blocks)]
    data = json.loads(parser.blocks[0])
    found = []
    missing = [k for k in REQUIRED if not data.get(k)]
    if missing:
        found.append("missing %s" % missing)
    if data.get("@type") != "MedicalWebPage":
        found.append("type %s, want MedicalWebPage" % data.get("@type"))
    about = data.get("about") or {}
    if about.get("@type") != "MedicalCondition" or about.get("name") != CONDITION:
        found.append("about is %r, want the MedicalCondition %r" % (about, CONDITION))
    found += review_problems(data, fm)
    if aspect is not None and data.get("aspect") != aspect:
        found.append("aspect %r, want the section title %r" % (data.get("aspect"), aspect))
    citations = data.get("citation") or []
    if len(citations) != parser.references:
        found.append("%d citations, but the References list has %d" % (len(citations), parser.references))
    if any(not c.get("name") for c in citations):
        found.append("a citation has no name")
    return found


def main(public, content):
    problems = checked = 0
    for page, aspect, fm in reviewed_pages(public, content):
        checked += 1
        if not os.path.isfile(page):
            print("%s: not built" % page)
            problems += 1
            continue
        for problem in problems_of(page, aspect, fm):
            print("%s: %s" % (page, problem))
            problems += 1
    print("checked %d pages, %d problems" % (checked, problems))
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
