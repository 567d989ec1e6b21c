#!/bin/sh
# Command-line behaviour that golden files cannot show: exit statuses, a
# failed build leaving the previous output untouched, byte-identical
# rebuilds, -j independence, unchanged files keeping their mtimes, sub-path
# base URLs, well-formed sitemap and feed, output-folder safety, `new`,
# review dates and the review state under --strict, the search terms cache,
# the page cache.
cd "$(dirname "$0")/.." || exit 2
work=$(pwd)/tests/out/cli
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
SOURCE_DATE_EPOCH=1795478400 # 2026-11-24
export SOURCE_DATE_EPOCH
# The bundled site's pages are dated up to the day they were written, and a
# page dated after "today" is left out as scheduled: its tests run later.
bundled_today=1798761600 # 2027-01-01
golden=tests/sites/basic

ok() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
check() { # check NAME COMMAND...: passes when the command succeeds
    name=$1
    shift
    if "$@" >"$work/last.out" 2>&1; then ok "$name"; else fail "$name"; sed 's/^/     /' "$work/last.out" | head -20; fi
}
status_is() { # status_is WANT COMMAND...
    want=$1
    shift
    "$@" >"$work/status.out" 2>&1
    [ $? -eq "$want" ]
}
# Lists every file with its inode, mtime and checksum, to compare trees exactly.
snapshot() { (cd "$1" && find . -type f -printf '%p %i %T@ ' -exec md5sum {} \; | sort); }

copy_site() { rm -rf "$2" && mkdir -p "$2" && cp -r "$1/config.ini" "$1/content" "$1/layouts" "$2/" && { [ ! -d "$1/assets" ] || cp -r "$1/assets" "$2/"; }; }

# -- exit statuses -----------------------------------------------------------
check "no command is a usage error (2)" status_is 2 "$LUMBAR"
check "unknown command is a usage error (2)" status_is 2 "$LUMBAR" frobnicate
check "unknown option is a usage error (2)" status_is 2 "$LUMBAR" build --bogus
check "-j needs a number (2)" status_is 2 "$LUMBAR" build -j lots
check "--help exits 0" status_is 0 "$LUMBAR" --help
# getopt_long conventions, for every command.
check "-j4 (value attached) is taken" status_is 0 "$LUMBAR" check -j4 -s "$golden"
check "--jobs=2 and --source=DIR are taken" status_is 0 "$LUMBAR" check --jobs=2 --source="$golden"
check "clustered short flags: -qs DIR" status_is 0 "$LUMBAR" build -qs "$golden" -o "$work/clustered"
check "--output=DIR is taken" sh -c '"$0" build -q --output="$1" -s "$2" && test -f "$1/.lumbar"' "$LUMBAR" "$work/out-eq" "$golden"
check "-j with a bad attached value is a usage error (2)" status_is 2 "$LUMBAR" build -jlots
check "an unknown flag inside a cluster is a usage error (2)" status_is 2 "$LUMBAR" build -qz
check "an option with no value is a usage error (2)" status_is 2 "$LUMBAR" check --source
check "a stray argument is a usage error (2)" status_is 2 "$LUMBAR" check extra
check "serve refuses build's --output (2)" status_is 2 "$LUMBAR" serve --output=x
check "check --help exits 0" status_is 0 "$LUMBAR" check --help
check "new takes SECTION/SLUG.md as SECTION/SLUG" sh -c 'mkdir -p "$1/content/s" && "$0" new -s "$1" s/with-ext.md && test -f "$1/content/s/with-ext.md" && test ! -e "$1/content/s/with-ext.md.md"' "$LUMBAR" "$work/newsite-md"
check "new -s=DIR style works with the slug after options" sh -c 'mkdir -p "$1/content/s" && "$0" new --source="$1" s/x && test -f "$1/content/s/x.md"' "$LUMBAR" "$work/newsite"
# Scheduled publishing (tests/sites/scheduled; today is 2026-11-24 here).
sched=tests/sites/scheduled
check "a build names the pages it left out by date" sh -c '"$0" build -s "$1" -o "$2" >"$2.out" && grep -qx "lumbar: 1 page scheduled for later, left out: --future to include" "$2.out" && grep -qx "lumbar: 1 page past its expires date, left out" "$2.out"' "$LUMBAR" "$sched" "$work/sched"
check "a page dated after today is left out" test ! -e "$work/sched/news/later/index.html"
check "--future includes it" sh -c '"$0" build -q --future -s "$1" -o "$2" && test -f "$2/news/later/index.html" && grep -q "news/later/" "$2/sitemap.xml"' "$LUMBAR" "$sched" "$work/sched-future"
check "--future does not bring back an expired page" test ! -e "$work/sched-future/news/gone/index.html"
check "SOURCE_DATE_EPOCH decides today: on 2026-12-01 the page is out and today.md has expired" sh -c 'SOURCE_DATE_EPOCH=1796083200 "$0" build -q -s "$1" -o "$2" && test -f "$2/news/later/index.html" && test ! -e "$2/news/today/index.html"' "$LUMBAR" "$sched" "$work/sched-later"
# Every check in one pass, in build as well as check.
check "build checks links (error, exit 1)" sh -c '"$0" build -q -s tests/errors/check-links -o "$1" 2>&1 | grep -q "no element with id .who-we-are."' "$LUMBAR" "$work/never-links"
check "build --no-link-check leaves links unchecked" sh -c '"$0" build -q --no-link-check -s tests/errors/check-links -o "$1" 2>&1 | grep -q "points to no page" && exit 1 || exit 0' "$LUMBAR" "$work/no-links"
check "check --no-link-check exits 0 on a site whose only faults are links" status_is 0 "$LUMBAR" check --no-link-check -s tests/errors/check-links
# A theme's own links are lumbar check's to judge: a build checks the links
# editors write, so a site without a page the theme links to still builds.
theme_links=$work/theme-links
rm -rf "$theme_links" && cp -r "$golden" "$theme_links" && rm -rf "$theme_links/expected"
sed -i 's|</nav>|<a href="/no-such-theme-page/">x</a></nav>|' "$theme_links/layouts/partials/nav.html"
check "build passes a broken link written by a layout" status_is 0 "$LUMBAR" build -q -s "$theme_links" -o "$work/theme-links-out"
check "check reports a broken link written by a layout" sh -c '"$0" check -s "$1" 2>&1 | grep -q "^layouts/article.html: error: link to ./no-such-theme-page/. points to no page"' "$LUMBAR" "$theme_links"
check "build --help exits 0" status_is 0 "$LUMBAR" build --help
check "--version prints the version" sh -c '"$LUMBAR" --version | grep -q "^lumbar [0-9]"'
check "a site with errors exits 1" status_is 1 "$LUMBAR" build -q -s tests/errors/duplicate-key -o "$work/never"
check "a failed build writes no output folder" test ! -e "$work/never"

# -- a successful build -------------------------------------------------------
out="$work/public"
check "build succeeds and prints a summary" sh -c '"$LUMBAR" build -s "$0" -o "$1" | grep -q "^lumbar: built 10 pages"' "$golden" "$out"
check "the output holds lumbar's marker" test -f "$out/.lumbar"

# -- no-change rebuilds keep files (inode and mtime) ------------------------
snapshot "$out" >"$work/snap1"
sleep 1
"$LUMBAR" build -q -s "$golden" -o "$out" 2>/dev/null
snapshot "$out" >"$work/snap2"
check "a no-change rebuild keeps every file's inode and mtime" cmp "$work/snap1" "$work/snap2"

# -- a failed build leaves the previous output untouched --------------------
site="$work/site"
copy_site "$golden" "$site"
"$LUMBAR" build -q -s "$site" -o "$out" 2>/dev/null
snapshot "$out" >"$work/before"
printf -- '---\ntitle: [broken\n---\n' >"$site/content/guide/second.md"
check "a broken site fails with status 1" status_is 1 "$LUMBAR" build -q -s "$site" -o "$out"
snapshot "$out" >"$work/after"
check "a failed build leaves the previous output byte for byte" cmp "$work/before" "$work/after"
# The failed build left its half-updated staging folder; the next good
# build starts from it and must still be whole.
printf -- '---\ntitle: Second again\ndescription: Fixed.\ndate: 2026-01-02\n---\nFixed body.\n' >"$site/content/guide/second.md"
"$LUMBAR" build -q -s "$site" -o "$out" 2>/dev/null
rm -rf "$work/fresh" && "$LUMBAR" build -q -s "$site" -o "$work/fresh" 2>/dev/null
check "after a failed build the next build is whole" diff -r "$work/fresh" "$out"
cp "$golden/content/guide/second.md" "$site/content/guide/second.md"
"$LUMBAR" build -q -s "$site" -o "$out" 2>/dev/null
# The same when the failure comes while pages are rendered and written into
# the staging folder: one page changed (written), one links to nothing.
snapshot "$out" >"$work/before"
printf '\nA new closing line.\n' >>"$site/content/guide/first.md"
printf '\nSee [the lost page](gone.md).\n' >>"$site/content/guide/second.md"
check "a page that fails while others are written fails with status 1" status_is 1 "$LUMBAR" build -q -s "$site" -o "$out"
check "it names the broken link" grep -q "second.md:[0-9]*:[0-9]*: error: .*gone.md" "$work/status.out"
snapshot "$out" >"$work/after"
check "a build that fails while rendering leaves the previous output byte for byte" cmp "$work/before" "$work/after"
cp "$golden/content/guide/first.md" "$golden/content/guide/second.md" "$site/content/guide/"
"$LUMBAR" build -q -s "$site" -o "$out" 2>/dev/null

# -- a file system without RENAME_EXCHANGE (tests/shims/no-exchange.c) -------
shim=$(pwd)/${BUILD:-build}/tests/no-exchange.so
noex="$work/noex"
copy_site "$golden" "$work/noex-site"
LD_PRELOAD=$shim "$LUMBAR" build -q -s "$work/noex-site" -o "$noex" 2>/dev/null
printf '\nA second build.\n' >>"$work/noex-site/content/guide/first.md"
check "without RENAME_EXCHANGE a rebuild still succeeds" status_is 0 env LD_PRELOAD="$shim" NO_EXCHANGE_LOG="$work/noex.log" "$LUMBAR" build -q -s "$work/noex-site" -o "$noex"
check "the rebuild asked for RENAME_EXCHANGE and was refused" grep -q refused "$work/noex.log"
"$LUMBAR" build -q -s "$work/noex-site" -o "$work/noex-fresh" 2>/dev/null
check "without RENAME_EXCHANGE the output is the new build" diff -r "$work/noex-fresh" "$noex"
check "without RENAME_EXCHANGE the old output becomes the staging folder" test -f "$work/.noex.lumbar-staging/.lumbar"
check "without RENAME_EXCHANGE nothing is left aside" test ! -e "$work/.noex.lumbar-staging.old"
# An interrupted fallback's leftover: cleared when it is lumbar's, refused by name when not.
mkdir -p "$work/.noex.lumbar-staging.old/x" && echo "lumbar build output" >"$work/.noex.lumbar-staging.old/.lumbar"
printf '\nA third build.\n' >>"$work/noex-site/content/guide/first.md"
check "without RENAME_EXCHANGE a leftover aside folder of lumbar's is cleared" status_is 0 env LD_PRELOAD="$shim" "$LUMBAR" build -q -s "$work/noex-site" -o "$noex"
check "and is gone afterwards" test ! -e "$work/.noex.lumbar-staging.old"
mkdir -p "$work/.noex.lumbar-staging.old" && echo mine >"$work/.noex.lumbar-staging.old/notes.txt"
printf '\nA fourth build.\n' >>"$work/noex-site/content/guide/first.md"
check "a foreign folder in the way is refused by name" sh -c 'LD_PRELOAD="$0" "$1" build -q -s "$2" -o "$3" 2>&1 | grep -q "is in the way; move it away"' "$shim" "$LUMBAR" "$work/noex-site" "$noex"
check "and left alone" grep -q mine "$work/.noex.lumbar-staging.old/notes.txt"

# -- reproducible, whatever -j ------------------------------------------------
"$LUMBAR" build -q -j 1 -s "$golden" -o "$work/j1" 2>/dev/null
"$LUMBAR" build -q -j 4 -s "$golden" -o "$work/j4" 2>/dev/null
check "-j 1 and -j 4 give byte-identical output" diff -r "$work/j1" "$work/j4"
check "two builds are byte-identical" diff -r "$work/j1" "$out"
rm -rf "$work/bundled1" "$work/bundled2"
SOURCE_DATE_EPOCH=$bundled_today "$LUMBAR" build -q -j 1 -o "$work/bundled1" >/dev/null 2>&1
SOURCE_DATE_EPOCH=$bundled_today "$LUMBAR" build -q -j 4 -o "$work/bundled2" >/dev/null 2>&1
check "the bundled site builds the same with -j 1 and -j 4" diff -r "$work/bundled1" "$work/bundled2"
check "every bundled article has valid MedicalWebPage JSON-LD" python3 tests/check-jsonld.py "$work/bundled1" content
check "lumbar check --strict passes on the bundled site with no warnings" sh -c 'SOURCE_DATE_EPOCH=$1 "$0" check --strict 2>&1 | grep -qx "lumbar: checked [0-9]* pages: 0 warnings"' "$LUMBAR" "$bundled_today"

# -- make install ---------------------------------------------------------------
check "make install puts the binary and the man page under DESTDIR/PREFIX" sh -c 'make -s install BUILD="$0" DESTDIR="$1" PREFIX=/opt/x >/dev/null && test -x "$1/opt/x/bin/lumbar" && test -f "$1/opt/x/share/man/man1/lumbar.1" && "$1/opt/x/bin/lumbar" --version | grep -q "^lumbar [0-9]"' "${BUILD:-build}" "$work/dest"

# -- missing partials warn (tests/errors/missing-partial makes them errors with --strict)
mp=tests/errors/missing-partial
check "check warns about a missing partial and exits 0" sh -c '"$0" check -s "$1" 2>&1 | grep -qx "layouts/home.html:2:1: warning: partial .partials/nope. not found"' "$LUMBAR" "$mp"
check "check without --strict exits 0 on a missing partial" status_is 0 "$LUMBAR" check -s "$mp"
check "build renders a missing partial as nothing" sh -c '"$0" build -q -s "$1" -o "$2" && [ "$(cat "$2/index.html")" = "<h1>Home</h1>" ]' "$LUMBAR" "$mp" "$work/missing-partial"

# -- sub-path base URL ---------------------------------------------------------
sub="$work/sub"
"$LUMBAR" build -q -s "$golden" -o "$sub" --base-url https://example.org/backpain 2>/dev/null
check "sub-path: links carry the base path" grep -q 'href="/backpain/guide/first/"' "$sub/index.html"
check "sub-path: root-relative Markdown links get the base path" grep -q 'href="/backpain/">home page' "$sub/guide/first/index.html"
check "sub-path: canonical URLs are absolute under the sub-path" grep -q 'href="https://example.org/backpain/guide/first/"' "$sub/guide/first/index.html"
check "sub-path: the sitemap lists sub-path URLs" grep -q '<loc>https://example.org/backpain/tags/sleep/</loc>' "$sub/sitemap.xml"
check "sub-path: aliases redirect under the sub-path" grep -q 'url=/backpain/about/' "$sub/old-about/index.html"
check "--base-url must be absolute (exit 2, bad usage)" status_is 2 "$LUMBAR" build -q -s "$golden" -o "$work/x" --base-url example.org

# -- sitemap and feed parse as XML ---------------------------------------------
check "sitemap.xml is well-formed XML" xmllint --noout "$out/sitemap.xml"
check "sitemap.xml lists 9 URLs" sh -c '[ "$(xmllint --xpath "count(//*[local-name()=\"url\"])" "$0")" = 9 ]' "$out/sitemap.xml"
check "atom.xml is well-formed XML" xmllint --noout "$out/atom.xml"
check "atom.xml has its entries, newest first" sh -c '[ "$(xmllint --xpath "string(//*[local-name()=\"entry\"][1]/*[local-name()=\"title\"])" "$0")" = Second ]' "$out/atom.xml"
many="$work/many"
copy_site tests/sites/paginated "$many"
for i in $(seq 10 34); do
    printf -- '---\ntitle: Feed %s\ndescription: d\ndate: 2026-02-%02d\n---\nBody.\n' "$i" $((i - 6)) >"$many/content/guide/f$i.md"
done
"$LUMBAR" build -q -s "$many" -o "$work/many-out" 2>/dev/null
check "atom.xml holds the newest 20 of 30 articles" sh -c '[ "$(xmllint --xpath "count(//*[local-name()=\"entry\"])" "$0")" = 20 ]' "$work/many-out/atom.xml"
check "atom.xml's last entry is the 20th newest" sh -c '[ "$(xmllint --xpath "string(//*[local-name()=\"entry\"][20]/*[local-name()=\"title\"])" "$0")" = "Feed 15" ]' "$work/many-out/atom.xml"
check "robots.txt points at the sitemap" grep -q '^Sitemap: https://example.org/sitemap.xml$' "$out/robots.txt"
check "drafts are left out by default" test ! -e "$out/guide/draft"
"$LUMBAR" build -q --drafts -s "$golden" -o "$work/drafts" 2>/dev/null
check "--drafts builds drafts" test -f "$work/drafts/guide/draft/index.html"

# -- output folder safety ----------------------------------------------------
check "-o equal to the site folder is refused" status_is 1 "$LUMBAR" build -q -s "$site" -o "$site"
check "-o inside content/ is refused" status_is 1 "$LUMBAR" build -q -s "$site" -o "$site/content/out"
check "-o a parent of the site is refused" status_is 1 "$LUMBAR" build -q -s "$site" -o "$work"
check "-o / is refused" status_is 1 "$LUMBAR" build -q -s "$site" -o /
mkdir -p "$work/foreign" && echo keep >"$work/foreign/precious.txt"
check "a non-empty folder lumbar did not make is refused" status_is 1 "$LUMBAR" build -q -s "$golden" -o "$work/foreign"
check "the refused folder is untouched" grep -q keep "$work/foreign/precious.txt"
check "--force replaces it" status_is 0 "$LUMBAR" build -q --force -s "$golden" -o "$work/foreign"
check "the files --force replaced are gone, not kept as a staging folder" test ! -e "$work/.foreign.lumbar-staging"
check "a later build over a forced output needs no --force" status_is 0 "$LUMBAR" build -q -s "$golden" -o "$work/foreign"
check "and one with --force works too" status_is 0 "$LUMBAR" build -q --force -s "$golden" -o "$work/foreign"
check "the output is the site, without the replaced files" diff -r "$work/j1" "$work/foreign"

# -- lumbar new ------------------------------------------------------------------
copy_site "$golden" "$work/newsite"
check "new writes an article" status_is 0 "$LUMBAR" new -s "$work/newsite" guide/heat-therapy
check "new fills in the title, date and draft" sh -c 'grep -q "^title: \"Heat therapy\"$" "$0" && grep -q "^date: 2026-11-24$" "$0" && grep -q "^draft: true$" "$0"' "$work/newsite/content/guide/heat-therapy.md"
check "new never overwrites" status_is 1 "$LUMBAR" new -s "$work/newsite" guide/heat-therapy
check "new refuses an unsafe slug" status_is 2 "$LUMBAR" new -s "$work/newsite" guide/Bad_Slug
check "a site with a fresh draft still builds" status_is 0 "$LUMBAR" build -q -s "$work/newsite" -o "$work/newsite/public"
check "new starts the page pending review: no reviewer, no review dates" sh -c '! grep -Eq "^(reviewed_by|last_reviewed|next_review):" "$0"' "$work/newsite/content/guide/heat-therapy.md"
sed -i '/^draft: true$/d' "$work/newsite/content/guide/heat-therapy.md"
check "published with new's placeholders, the page fails at each placeholder's line" sh -c '"$0" check -s "$1" 2>&1 | grep -c "^content/guide/heat-therapy.md:[38]:[0-9]*: error: placeholder text from .lumbar new. in a published page" | grep -qx 2' "$LUMBAR" "$work/newsite"
check "and exits 1" status_is 1 "$LUMBAR" check -s "$work/newsite"

# -- review dates ----------------------------------------------------------------
check "next_review defaults to last_reviewed + interval" grep -q 'next 2027-03-01' "$out/guide/first/index.html"
check "an overdue review is a warning" sh -c 'SOURCE_DATE_EPOCH=1830000000 "$0" check -s "$1" 2>&1 | grep -q "first.md:5:16: warning: review overdue: next review was due on 2027-03-01"' "$LUMBAR" "$golden"
check "--strict makes an overdue review an error" status_is 1 env SOURCE_DATE_EPOCH=1830000000 "$LUMBAR" check --strict -s "$golden"
# A page pending review has no review dates; a reviewed standalone page can
# be overdue, named at the next_review line.
review_site=$work/review-site
copy_site "$golden" "$review_site"
sed -i 's/^date: 2026-01-02$/date: 2026-01-02\nnext_review: 2020-01-01/' "$review_site/content/about.md"
check "a next_review on a page pending review is an error at its line" sh -c '"$0" check -s "$1" 2>&1 | grep -q "^content/about.md:5:14: error: .next_review. without .reviewed_by.: a page pending review has no review dates"' "$LUMBAR" "$review_site"
sed -i 's/^next_review: 2020-01-01$/reviewed_by: {name: Sam Patel, role: physiotherapist}\nlast_reviewed: 2026-01-02\nnext_review: 2026-06-01/' "$review_site/content/about.md"
check "a reviewed standalone page can be overdue, named at its next_review" sh -c '"$0" check -s "$1" 2>&1 | grep -q "^content/about.md:7:14: warning: review overdue: next review was due on 2026-06-01$"' "$LUMBAR" "$review_site"
check "the bundled site is pending review: no overdue review, ever" sh -c 'SOURCE_DATE_EPOCH=1900000000 "$0" check 2>&1 | grep -c "review" | grep -qx 0' "$LUMBAR"
SOURCE_DATE_EPOCH=$bundled_today # the rest is about the bundled site
# --strict fails on a published page pending review only when config.ini
# says reviews are required.
check "check --strict passes on the pending bundled site ([review] required = false)" status_is 0 "$LUMBAR" check --strict
pending_site=$work/pending-site
copy_site . "$pending_site"
sed -i 's/^required = false$/required = true/' "$pending_site/config.ini"
check "with [review] required = true, check warns of each pending page and exits 0" sh -c '"$0" check -s "$1" >"$1.out" 2>&1 && grep -q "^content/treatments/relative-rest.md:1:1: warning: page is pending clinical review" "$1.out"' "$LUMBAR" "$pending_site"
check "with [review] required = true, check --strict fails" status_is 1 "$LUMBAR" check --strict -s "$pending_site"
check "pages that give no advice (about, search) need no review" sh -c '"$0" check -s "$1" 2>&1 | grep -Eq "^content/(about|search).md:.*pending" && exit 1 || exit 0' "$LUMBAR" "$pending_site"
# The bundled theme's review box and JSON-LD for a reviewed page.
sed -i 's/^date: \(.*\)$/date: \1\nreviewed_by: {name: "Sam Patel", role: "musculoskeletal physiotherapist"}\nlast_reviewed: 2026-11-24\nnext_review: 2027-06-01/' "$pending_site/content/symptoms/red-flags.md"
"$LUMBAR" build -q -s "$pending_site" -o "$pending_site/public" 2>"$work/pending-build.err"
check "a reviewed page shows its reviewer's name and role and both dates" sh -c 'tr -d "\n" <"$0" | grep -q "<dt>Reviewed by</dt><dd>Sam Patel, musculoskeletal physiotherapist</dd></div><div><dt>Last reviewed</dt><dd><time datetime=\"2026-11-24\">24 November 2026</time></dd></div><div><dt>Next review due</dt><dd><time datetime=\"2027-06-01\">1 June 2027</time>" && ! grep -q "awaiting clinical review" "$0"' "$pending_site/public/symptoms/red-flags/index.html"
check "a pending page next to it shows no reviewer and no dates" sh -c 'grep -q "Written from the cited guidelines; awaiting clinical review." "$0" && ! grep -Eq "Reviewed by|Last reviewed|Next review due|lastReviewed|reviewedBy" "$0"' "$pending_site/public/symptoms/how-long-it-lasts/index.html"
check "the reviewed page's JSON-LD names the reviewer; no Person lacks a name" python3 tests/check-jsonld.py "$pending_site/public" "$pending_site/content"
check "its JSON-LD has the reviewer as a Person with name and jobTitle" grep -q '"lastReviewed":"2026-11-24","reviewedBy":{"@type":"Person","name":"Sam Patel","jobTitle":"musculoskeletal physiotherapist"}' "$pending_site/public/symptoms/red-flags/index.html"
check "an uncited reference is a warning without --strict (exit 0)" sh -c '"$0" check -s tests/errors/uncited-reference 2>&1 | grep -qx "content/references.yaml:8:1: warning: reference .k2. is not cited by any page"' "$LUMBAR"
check "check exits 0 on an uncited reference without --strict" status_is 0 "$LUMBAR" check -s tests/errors/uncited-reference
check "check writes nothing" sh -c '"$0" check -s "$1" >/dev/null 2>&1; test ! -e "$1/public"' "$LUMBAR" "$golden"

# The search terms cache (.lumbar-cache/search-terms): a warm cache, an
# edited page and a damaged cache all give what a cold build gives.
terms=$work/terms-site
copy_site . "$terms"
terms_build() { SOURCE_DATE_EPOCH=$bundled_today "$LUMBAR" build -q -s "$terms" -o "$1"; }
terms_build "$work/terms-cold"
check "a build writes the search terms cache" test -s "$terms/.lumbar-cache/search-terms"
terms_build "$work/terms-warm"
check "a warm terms cache gives the same site byte for byte" diff -r "$work/terms-cold" "$work/terms-warm"
sed -i 's/staying active is at/moving about is at/' "$terms/content/treatments/treatments-to-avoid.md"
terms_build "$work/terms-edited"
rm -rf "$terms/.lumbar-cache"
terms_build "$work/terms-edited-cold"
check "an edited page is indexed anew with the cache warm" diff -r "$work/terms-edited" "$work/terms-edited-cold"
check "the edit reached the index" sh -c '! diff -rq "$0" "$1" >/dev/null' "$work/terms-cold/search" "$work/terms-edited/search"
printf 'lumbar search terms 1 other\n0000000000000001 3\nabc\n' > "$terms/.lumbar-cache/search-terms"
terms_build "$work/terms-damaged"
check "a damaged or foreign terms cache is ignored" diff -r "$work/terms-edited-cold" "$work/terms-damaged"

# The page cache (.lumbar-cache/pages): a rebuild reuses the pages whose
# inputs are unchanged, and its output is what a build that reads no
# cache gives; an edited body renders that page, and edited front matter,
# an edited asset or another day render every page. A live page edited by
# hand is rendered again, not kept.
pages=$work/pages-site
copy_site . "$pages"
# A link to a #fragment on a page without front matter of its own (a
# tag's): a reused build must know that page's ids too.
printf '\nSee also [pages about rest](/tags/rest/#main).\n' >>"$pages/content/treatments/treatments-to-avoid.md"
pages_build() { # pages_build [SOURCE_DATE_EPOCH]: into $pages/public, summary in $work/pages.out
    SOURCE_DATE_EPOCH=${1:-$bundled_today} "$LUMBAR" build -s "$pages" -o "$pages/public" >"$work/pages.out" 2>&1
}
reused() { sed -n 's/.*; \([0-9]*\) unchanged, reused).*/\1/p' "$work/pages.out"; }
built() { sed -n 's/^lumbar: built \([0-9]*\) pages.*/\1/p' "$work/pages.out"; }
same_as_uncached() { # NAME: the live output equals a build that reads no cache
    rm -rf "$work/pages-ref"
    SOURCE_DATE_EPOCH=${2:-$bundled_today} "$LUMBAR" build -q --no-cache -s "$pages" -o "$work/pages-ref"
    check "$1" diff -r "$pages/public" "$work/pages-ref"
}
pages_build
check "a first build reuses nothing and writes the page cache" sh -c '[ -z "$(sed -n "/unchanged, reused/p" "$0")" ] && test -s "$1"' "$work/pages.out" "$pages/.lumbar-cache/pages"
pages_build
all=$(built)
check "a rebuild of an unchanged site reuses every page ($all)" test "$(reused)" = "$all"
check "a link to a tag page's #fragment passes on the reused build too" sh -c '! grep -q ": error: " "$0"' "$work/pages.out"
same_as_uncached "a rebuild from the page cache is byte for byte a build without it"
cache_mtime=$(stat -c %Y.%y "$pages/.lumbar-cache/pages")
rm -rf "$work/pages-ref"
"$LUMBAR" build -q --no-cache -s "$pages" -o "$work/pages-ref" 2>/dev/null
check "--no-cache leaves the page cache as it was" test "$(stat -c %Y.%y "$pages/.lumbar-cache/pages")" = "$cache_mtime"
sed -i 's/staying active is at/moving about is at/' "$pages/content/treatments/treatments-to-avoid.md"
pages_build
check "an edited body renders that page alone" test "$(reused)" = "$((all - 1))"
check "the edit is in the page" grep -q "moving about is at" "$pages/public/treatments/treatments-to-avoid/index.html"
same_as_uncached "after a body edit the output is a build without the cache's"
sed -i 's/^title: "Treatments to avoid"$/title: "Treatments best avoided"/' "$pages/content/treatments/treatments-to-avoid.md"
pages_build
check "edited front matter renders every page" sh -c 'test -z "$0" && grep -q "Treatments best avoided" "$1"' "$(reused)" "$pages/public/treatments/index.html"
same_as_uncached "after a front matter edit the output is a build without the cache's"
pages_build
echo '/* edited */' >>"$pages/assets/css/site.css"
pages_build
check "an edited asset renders every page" test -z "$(reused)"
pages_build $((bundled_today + 86400))
check "another day renders every page" test -z "$(reused)"
pages_build $((bundled_today + 86400))
live=$pages/public/causes/index.html
cp "$live" "$work/live-before.html"
sed -i 's/<\/main>/<p>EDITED BY HAND<\/p><\/main>/' "$live"
pages_build $((bundled_today + 86400))
check "a live page edited by hand is rendered again" sh -c '! grep -q "EDITED BY HAND" "$0" && cmp -s "$0" "$1"' "$live" "$work/live-before.html"
check "every other page is reused" test "$(reused)" = "$((all - 1))"
doc=$(find "$pages/public/search/d" -name '*.json' | sort | head -1)
cp "$doc" "$work/doc-before.json"
printf '{"t":"EDITED BY HAND"}\n' >"$doc"
pages_build $((bundled_today + 86400))
check "a search result text edited by hand is written again" cmp -s "$doc" "$work/doc-before.json"
check "and its page renders, every other is reused" test "$(reused)" = "$((all - 1))"
printf 'lumbar page cache 1 someone-else\n' >"$pages/.lumbar-cache/pages"
pages_build $((bundled_today + 86400))
check "a foreign or damaged page cache is ignored" test -z "$(reused)"
same_as_uncached "after a damaged cache the output is a build without it" $((bundled_today + 86400))
# Resized image copies of reused pages stay in the output.
imaged=$work/imaged-site
copy_site tests/sites/images "$imaged"
"$LUMBAR" build -q -s "$imaged" -o "$imaged/public" 2>/dev/null
"$LUMBAR" build -s "$imaged" -o "$imaged/public" >"$work/imaged.out" 2>&1
"$LUMBAR" build -q --no-cache -s "$imaged" -o "$work/imaged-ref" 2>/dev/null
check "a site with images, its pages reused, is a build without the cache" sh -c 'grep -q "unchanged, reused" "$0" && diff -r "$1" "$2"' "$work/imaged.out" "$imaged/public" "$work/imaged-ref"
# Warnings of a page are repeated when the page is reused.
warned=$work/warned-site
copy_site "$golden" "$warned"
"$LUMBAR" build -s "$warned" -o "$warned/public" >"$work/warned-1.out" 2>&1
"$LUMBAR" build -s "$warned" -o "$warned/public" >"$work/warned-2.out" 2>&1
check "a reused page repeats its warnings" sh -c 'grep -q "unchanged, reused" "$1" && grep ": warning: " "$0" >"$0.w" && test -s "$0.w" && grep ": warning: " "$1" | cmp -s - "$0.w"' "$work/warned-1.out" "$work/warned-2.out"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
