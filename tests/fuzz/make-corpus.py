#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora from real inputs.

    tests/fuzz/make-corpus.py OUT_DIR [SPEC_DIR]

The seeds are copies of files the repository already has, so they are made
at run time (by tests/suite-fuzz-replay.sh and tests/fuzz/run-fuzz.sh into
the build folder) rather than committed; only tests/fuzz/regressions/ is.

Seeds are what lumbar really reads: the bundled site's content, layouts and
config.ini, the golden and error-case sites under tests/, and the official
Mustache spec's templates (SPEC_DIR, default ../shared/conformance/mustache-spec).
Each file is named after where it came from, so a seed that finds a bug says
what it was. Run it from anywhere; it rewrites OUT_DIR only.
"""
import glob
import os
import re
import shutil
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
if len(sys.argv) < 2:
    sys.exit(__doc__)
OUT = os.path.abspath(sys.argv[1])
SPEC = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "..", "shared", "conformance", "mustache-spec")


def name_of(path):
    return re.sub(r"[^A-Za-z0-9._-]+", "_", os.path.relpath(path, ROOT))


SEEN = set()


def put(target, name, data):
    """Writes one seed, unless the target already has one with the same bytes."""
    folder = os.path.join(OUT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if (target, data) in SEEN:
        return
    SEEN.add((target, data))
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# What earlier runs leave in the tree (test output, builds, the site) is not
# a seed: every run replays the same set, taken from the repository alone.
SKIP = tuple(os.path.join(ROOT, d) + os.sep for d in ("tests/out", "build", "node_modules", "public"))


def repo_glob(*parts, recursive=False):
    return [f for f in glob.glob(os.path.join(ROOT, *parts), recursive=recursive) if not f.startswith(SKIP)]


def split_front_matter(text):
    m = re.match(r"---[ \t]*\n(.*?\n)---[ \t]*\n(.*)", text, re.S)
    return (m.group(1), m.group(2)) if m else (None, text)


def content_files():
    pats = ["content/**/*.md", "tests/sites/*/content/**/*.md", "tests/errors/*/content/**/*.md",
            "tests/hostile/**/*.md"]
    files = set()
    for p in pats:
        files.update(repo_glob(p, recursive=True))
    return sorted(files)


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace")


def frontmatter_and_markdown_and_dtree():
    for path in content_files():
        text = read(path)
        put("frontmatter", name_of(path), text)
        fm, body = split_front_matter(text)
        if body.strip():
            put("markdown", name_of(path), body)
        if fm and re.search(r"^tree:", fm, re.M):
            put("dtree", name_of(path), fm)
    for path in sorted(repo_glob("**/references.yaml", recursive=True)):
        if "/node_modules/" in path or "/build/" in path:
            continue
        put("frontmatter", name_of(path), "---\n" + read(path) + "---\n")


def layout_set(layouts_dir, main):
    """One seed holding a whole theme: main first, then every other layout."""
    files = sorted(glob.glob(os.path.join(layouts_dir, "**/*.html"), recursive=True))
    names = {os.path.relpath(f, layouts_dir)[:-5]: f for f in files}
    parts = [read(names[main])]
    for n, f in names.items():
        if n != main:
            parts.append("@@@ " + n + "\n" + read(f))
    return "\n".join(parts)


PAGE_DATA = """title: "Sitting <script>alert(1)</script>"
description: "A \\"quoted\\" description & more"
kind: article
is_article: true
url: /causes/sitting/
permalink: https://example.org/causes/sitting/
content: "<p>Body</p>"
toc_html: "<ol><li>x</li></ol>"
has_toc: true
section: causes
section_title: Causes
section_url: /causes/
section_is: {causes: true}
date: 2024-01-02
date_human: 2 January 2024
tag_list: [{name: "sitting", url: /tags/sitting/}, {name: "<b>", url: /tags/b/}]
references: [{n: 1, key: a, anchor: ref-a, authors: "A & B", title: T, year: "2020", href: "https://doi.org/x"}]
has_references: true
json_ld: '{"@type":"MedicalWebPage"}'
prev: {title: Prev, url: /causes/a/}
next: {title: Next, url: /causes/b/}
pages: [{title: One, url: /one/}, {title: Two, url: /two/}]
tree_html: "<div></div>"
tree_json: "{}"
"""


def template():
    for layouts in sorted(repo_glob("layouts")) + \
            sorted(repo_glob("tests", "sites", "*", "layouts")):
        for f in sorted(glob.glob(os.path.join(layouts, "**/*.html"), recursive=True)):
            main = os.path.relpath(f, layouts)[:-5]
            put("template", name_of(f), layout_set(layouts, main) + "\n@@@ data\n" + PAGE_DATA)
    for f in sorted(repo_glob("tests", "errors", "*", "layouts", "**", "*.html", recursive=True)):
        put("template", name_of(f), read(f))
    for spec in sorted(glob.glob(os.path.join(SPEC, "*.yml"))):
        if "lambdas" in spec:
            continue
        with open(spec) as fh:
            doc = yaml.safe_load(fh)
        for i, test in enumerate(doc.get("tests", [])):
            parts = [test["template"]]
            for name, text in sorted((test.get("partials") or {}).items()):
                parts.append("@@@ " + name + "\n" + text)
            parts.append("@@@ data\n" + yaml.safe_dump(test.get("data"), allow_unicode=True))
            put("template", "spec_%s_%03d" % (os.path.basename(spec)[:-4].lstrip("~"), i), "\n".join(parts))


def dtree_extra():
    # The tree alone, as the loader receives it, from the bundled guide.
    fm, _ = split_front_matter(read(os.path.join(ROOT, "content", "relative-rest.md")))
    tree = yaml.safe_load(fm)["tree"]
    put("dtree", "relative-rest-tree-only.yaml", yaml.safe_dump(tree, allow_unicode=True, sort_keys=False))


def config():
    for f in sorted(repo_glob("config.ini") +
                    repo_glob("tests", "*", "*", "config.ini") +
                    repo_glob("tests", "hostile", "**", "config.ini", recursive=True)):
        put("config", name_of(f), read(f))


ESCAPE_SEEDS = {
    "title.txt": "Sitting <script>alert(\"x\")</script> & 'more'",
    "dates.txt": "2024-02-29",
    "bad-date.txt": "2023-02-29",
    "unicode.txt": "Lumbago \u2014 r\u00fcckenschmerz \u2028 \u2029 \U0001F600",
    "invalid-utf8.bin": b"a\xff\xfeb\xc0\xafc\xed\xa0\x80d\xf4\x90\x80\x80",
    "controls.bin": b"\x00\x01\x1f\x7f\x0b\x0c\r\n\t",
    "noncharacters.txt": "\ufffe\uffff\ufdd0",
    "script-close.txt": "</script><!-- <script> --> ]]>",
    "url.txt": "../../etc/passwd%2e%2e/ a?b#c",
    "slug.txt": "  Red   flags!! --- (urgent) ",
}


def escape():
    for name, data in ESCAPE_SEEDS.items():
        put("escape", name, data)


def main():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    frontmatter_and_markdown_and_dtree()
    dtree_extra()
    template()
    config()
    escape()
    for target in sorted(os.listdir(OUT)):
        print("%s: %d seeds" % (target, len(os.listdir(os.path.join(OUT, target)))), file=sys.stderr)


if __name__ == "__main__":
    main()
