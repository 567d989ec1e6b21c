#!/usr/bin/env python3
"""Checks the schema.org JSON-LD of every article in a built site.

usage: check-jsonld.py PUBLIC_DIR

Every page under a section folder (SECTION/SLUG/index.html) must carry one
<script type="application/ld+json"> that parses as JSON, is a
MedicalWebPage with the properties the site promises, and cites at least
one work. Prints one line per problem and exits 1 if there was any.
"""
import html.parser
import json
import os
import sys

REQUIRED = ["@context", "@type", "name", "description", "url", "datePublished", "dateModified",
            "lastReviewed", "reviewedBy", "about", "aspect", "citation"]


class Scripts(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.inside = False
        self.blocks = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and ("type", "application/ld+json") in attrs:
            self.inside = True
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self.inside = False

    def handle_data(self, data):
        if self.inside:
            self.blocks[-1] += data


def main(root):
    problems = checked = 0
    for section in sorted(os.listdir(root)):
        folder = os.path.join(root, section)
        if not os.path.isdir(folder) or section in ("tags", "css", "js", "img", "search", "relative-rest", "about"):
            continue
        for slug in sorted(os.listdir(folder)):
            page = os.path.join(folder, slug, "index.html")
            if slug == "page" or not os.path.isfile(page):
                continue
            checked += 1
            parser = Scripts()
            parser.feed(open(page, encoding="utf-8").read())
            if len(parser.blocks) != 1:
                print("%s: %d JSON-LD blocks, want 1" % (page, len(parser.blocks)))
                problems += 1
                continue
            data = json.loads(parser.blocks[0])
            missing = [k for k in REQUIRED if not data.get(k)]
            if data.get("@type") != "MedicalWebPage" or missing:
                print("%s: type %s, missing %s" % (page, data.get("@type"), missing))
                problems += 1
            elif data["about"].get("@type") != "MedicalCondition" or not data["citation"][0].get("name"):
                print("%s: about or citation malformed" % page)
                problems += 1
    print("checked %d articles, %d problems" % (checked, problems))
    return 1 if problems or not checked else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
