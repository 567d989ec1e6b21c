#!/usr/bin/env python3
"""Checks a site built from tests/hostile/injection with the bundled theme.

    check_output.py OUTPUT_DIR SOURCE_DIR

Prints one line per check, "ok NAME" or "FAIL NAME: why", for
tests/suite-hostile.sh to count. What it proves: no script the content
brought survives anywhere in the output; every <script> element is one the
theme wrote (an external file or JSON-LD) and its JSON
parses and holds the text exactly; attributes hold the text exactly (so it
was escaped, not cut); no event-handler attribute or script URL appears;
URLs and folders made from tags are slugs; the feeds parse.
"""
import glob
import html.parser
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

OUT, SRC = sys.argv[1], sys.argv[2]
results = []


def check(name, ok, why=""):
    results.append((name, ok, why))


def quoted(rel, key):
    """Every single-quoted value of `key:` (or of a `- ` item when key is
    None) in a fixture file, in order. The fixtures write every hostile
    value that way, so no YAML library is needed here."""
    pattern = r"^\s*(?:- )?%s'(.*)'\s*$" % ("" if key is None else re.escape(key) + r":\s*")
    with open(os.path.join(SRC, "content", rel), encoding="utf-8") as f:
        return [m.group(1).replace("''", "'") for m in re.finditer(pattern, f.read(), re.M)]


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts = []  # (attrs, text)
        self.attrs = []  # (tag, name, value)
        self.in_script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            self.attrs.append((tag, name, value or ""))
        if tag == "script":
            self.in_script = [dict(attrs), ""]

    def handle_endtag(self, tag):
        if tag == "script" and self.in_script is not None:
            self.scripts.append(tuple(self.in_script))
            self.in_script = None

    def handle_data(self, data):
        if self.in_script is not None:
            self.in_script[1] += data


def parse(path):
    p = Page()
    with open(path, encoding="utf-8") as f:
        p.feed(f.read())
    p.close()
    return p


files = sorted(f for f in glob.glob(os.path.join(OUT, "**"), recursive=True) if os.path.isfile(f))
pages = {os.path.relpath(f, OUT): parse(f) for f in files if f.endswith(".html")}

leaks = [os.path.relpath(f, OUT) for f in files if b"<script>alert" in open(f, "rb").read()]
check("no '<script>alert' in any output file (%d files)" % len(files), not leaks, ", ".join(leaks))

bad_scripts, bad_json = [], []
for rel, p in pages.items():
    for attrs, text in p.scripts:
        kind = attrs.get("type", "")
        if "src" in attrs and not text.strip() and kind == "":
            continue
        if kind in ("application/ld+json", "application/json"):
            try:
                json.loads(text)
            except ValueError as e:
                bad_json.append("%s: %s" % (rel, e))
            continue
        bad_scripts.append("%s: %r" % (rel, attrs))
check("every <script> is the theme's: external, JSON-LD or JSON", not bad_scripts, "; ".join(bad_scripts[:3]))
check("every JSON-LD and JSON script element parses", not bad_json, "; ".join(bad_json[:3]))

handlers = ["%s: <%s %s>" % (rel, t, n) for rel, p in pages.items() for t, n, v in p.attrs if n.startswith("on")]
check("no event-handler attribute anywhere", not handlers, "; ".join(handlers[:3]))
script_urls = ["%s: %s=%s" % (rel, n, v) for rel, p in pages.items() for t, n, v in p.attrs
               if n in ("href", "src", "action", "content") and re.match(r"\s*(javascript|vbscript|data):", v, re.I)
               and not v.startswith("data:image/svg+xml")]
check("no javascript:, vbscript: or data: URL in href, src or action", not script_urls, "; ".join(script_urls[:3]))

evil = {k: quoted("causes/evil.md", k)[0] for k in ("title", "description", "name", "role")}
art = pages.get("causes/evil/index.html")
check("the article page was built", art is not None)
if art:
    ld = [json.loads(t) for a, t in art.scripts if a.get("type") == "application/ld+json"]
    check("JSON-LD holds the title exactly", ld and ld[0].get("name") == evil["title"], repr(ld[0].get("name") if ld else None))
    check("JSON-LD holds the description exactly", ld and ld[0].get("description") == evil["description"])
    check("JSON-LD holds the reviewer's name and role exactly",
          ld and ld[0].get("reviewedBy", {}).get("name") == evil["name"]
          and ld[0].get("reviewedBy", {}).get("jobTitle") == evil["role"])
    bib = {k: quoted("references.yaml", k)[0] for k in ("authors", "title")}
    cites = ld[0].get("citation", []) if ld else []
    check("JSON-LD holds the citation's authors and title exactly",
          cites and cites[0].get("author") == bib["authors"] and cites[0].get("name") == bib["title"])
    metas = {v for t, n, v in art.attrs if t == "meta" and n == "content"}
    check("the description attribute holds the text exactly", evil["description"] in metas)
    text = open(os.path.join(OUT, "causes/evil/index.html"), encoding="utf-8").read()
    check("the title is escaped in text and attributes", "Evil &quot;&gt;&lt;script&gt;" in text and '"><script>' not in text)
    check("the reviewer is escaped", "Dr &quot;&gt;&lt;script&gt;alert(&#39;reviewer&#39;)" in text
          and "Role &quot;&gt;&lt;script&gt;alert(&#39;role&#39;)" in text)
    check("citation fields are escaped", "Smith J &quot;&gt;&lt;script&gt;" in text and "J &quot;&gt;&lt;script&gt;alert(&#39;journal&#39;)" in text)

tag_links = sorted({v for p in pages.values() for t, n, v in p.attrs if n == "href" and "/tags/" in v})
bad_tags = [u for u in tag_links if not re.fullmatch(r"(https://example\.org)?/tags/([a-z0-9]+(-[a-z0-9]+)*/)?", u)]
check("every tag URL is /tags/SLUG/ (%d URLs)" % len(tag_links), tag_links and not bad_tags, ", ".join(bad_tags))
tag_dirs = sorted(os.listdir(os.path.join(OUT, "tags"))) if os.path.isdir(os.path.join(OUT, "tags")) else []
check("every tag folder is a slug", tag_dirs and all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*|index\.html", d) for d in tag_dirs),
      ", ".join(tag_dirs))

guide = pages.get("relative-rest/index.html")
check("the decision-tree page was built", guide is not None)
if guide:
    # The page script reads the tree from its HTML, so every piece of tree
    # text must be there, escaped exactly (not cut, not double-escaped).
    want = {k: quoted("relative-rest.md", k)[0] for k in ("text", "help", "summary", "seek-care")}
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;").replace("'", "&#39;")
    page = open(os.path.join(OUT, "relative-rest/index.html"), encoding="utf-8").read()
    check("tree question text and summary are escaped exactly in the HTML",
          ">%s</h2>" % esc(want["text"]) in page and 'data-summary="%s"' % esc(want["summary"]) in page)
    check("tree answer labels are escaped exactly in the HTML",
          all(">%s</a></li>" % esc(l) in page for l in quoted("relative-rest.md", "label")))
    check("tree help, items and verdict words are escaped exactly in the HTML",
          '<p class="dt-help">%s</p>' % esc(want["help"]) in page
          and all("<li>%s</li>" % esc(i) in page for i in quoted("relative-rest.md", None))
          and "Our advice: <strong>%s</strong>" % esc(want["seek-care"]) in page)

try:
    manifest = json.load(open(os.path.join(OUT, "search.json"), encoding="utf-8"))
    shards = [json.load(open(f, encoding="utf-8")) for f in glob.glob(os.path.join(OUT, "search/s/*.json"))]
    docs = [json.load(open(f, encoding="utf-8")) for f in glob.glob(os.path.join(OUT, "search/d/*/*.json"))]
    titles = {d["t"] for d in docs}
    check("the search index parses and holds titles exactly",
          len(shards) == len(manifest["keys"]) and len(docs) == manifest["docs"] and evil["title"] in titles)
except (OSError, ValueError, KeyError) as e:
    check("the search index parses and holds titles exactly", False, str(e))
for name in ("atom.xml", "sitemap.xml"):
    try:
        ET.parse(os.path.join(OUT, name))
        check("%s is well-formed XML" % name, True)
    except (OSError, ET.ParseError) as e:
        check("%s is well-formed XML" % name, False, str(e))

for name, ok, why in results:
    print(("ok   " if ok else "FAIL ") + name + ("" if ok or not why else ": " + why))
