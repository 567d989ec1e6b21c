/* Runs the GFM spec ($GFM_SPEC, default
 * ../shared/conformance/gfm-spec/spec.txt) through lumbar's Markdown path.
 * Every example that Debian's cmark-gfm itself renders as the spec says,
 * with lumbar's extensions (table, strikethrough, tasklist, autolink) and
 * raw HTML allowed, must come out of md_render the same once lumbar's own
 * additions are taken away: heading ids, the table's scrolling box and
 * header scope. One CHECK per such example; a failure prints the example.
 * Examples the library renders differently are listed by number, not
 * counted: they are facts about the library version, not about lumbar. */
#include "harness.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include "fs.h"
#include "markdown.h"
#include "strbuf.h"
#include "xalloc.h"

#define FENCE "````````````````````````````````"

/* The spec writes a tab as U+2192 (three bytes). */
static void untab(const char *s, size_t n, strbuf *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i + 2 < n && !memcmp(s + i, "\xE2\x86\x92", 3)) {
            strbuf_putc(out, '\t');
            i += 2;
        } else {
            strbuf_putc(out, s[i]);
        }
    }
}

static char *library_html(const char *md)
{
    cmark_parser *parser = cmark_parser_new(CMARK_OPT_UNSAFE);
    static const char *const names[] = {"table", "strikethrough", "tasklist", "autolink"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        cmark_parser_attach_syntax_extension(parser, cmark_find_syntax_extension(names[i]));
    cmark_parser_feed(parser, md, strlen(md));
    cmark_node *root = cmark_parser_finish(parser);
    char *html = cmark_render_html(root, CMARK_OPT_UNSAFE, cmark_parser_get_syntax_extensions(parser));
    cmark_node_free(root);
    cmark_parser_free(parser);
    return html;
}

static bool starts(const char *s, const char *prefix) { return !strncmp(s, prefix, strlen(prefix)); }

#define LAZY " loading=\"lazy\" decoding=\"async\">"

/* A figure back into the paragraph cmark writes: "<figure>\n<img ...LAZY\n
 * <figcaption>T</figcaption>\n</figure>\n" -> "<p><img ... title=\"T\" /></p>\n".
 * Returns the end of the figure, or NULL when p starts none. */
static const char *unfigure(const char *p, strbuf *out)
{
    const char *img = p + strlen("<figure>\n");
    const char *lazy = strstr(img, LAZY "\n<figcaption>");
    const char *caption = lazy ? lazy + strlen(LAZY "\n<figcaption>") : NULL;
    const char *end = caption ? strstr(caption, "</figcaption>\n</figure>\n") : NULL;
    if (!end)
        return NULL;
    strbuf_puts(out, "<p>");
    strbuf_append(out, img, (size_t)(lazy - img));
    strbuf_puts(out, " title=\"");
    strbuf_append(out, caption, (size_t)(end - caption));
    strbuf_puts(out, "\" /></p>\n");
    return end + strlen("</figcaption>\n</figure>\n");
}

/* Takes lumbar's additions out of html: ids on h2-h4, the table box,
 * header scope, alignment as a class instead of the obsolete attribute,
 * lazy loading on images and titled images as figures. */
static char *plain_gfm(const char *html)
{
    strbuf out = STRBUF_INIT;
    const char *after;
    for (const char *p = html; *p;) {
        if ((starts(p, "<h2 id=\"") || starts(p, "<h3 id=\"") || starts(p, "<h4 id=\"")) && strchr(p + 8, '"')) {
            strbuf_append(&out, p, 3);
            p = strchr(p + 8, '"') + 1;
        } else if (starts(p, "<section class=\"table-wrap\"") && strchr(p, '\n')) {
            p = strchr(p, '\n') + 1;
        } else if (starts(p, "</table>\n</section>\n")) {
            strbuf_puts(&out, "</table>\n");
            p += strlen("</table>\n</section>\n");
        } else if (starts(p, "<figure>\n") && (after = unfigure(p, &out)) != NULL) {
            p = after;
        } else if (starts(p, LAZY)) {
            strbuf_puts(&out, " />");
            p += strlen(LAZY);
        } else if (starts(p, " scope=\"col\"")) {
            p += strlen(" scope=\"col\"");
        } else if (starts(p, " class=\"align-")) {
            /* class="align-left" -> align="left" */
            const char *word = p + strlen(" class=\"align-");
            strbuf_puts(&out, " align=\"");
            p = word;
        } else {
            strbuf_putc(&out, *p++);
        }
    }
    return strbuf_detach(&out);
}

static char *lumbar_html(const char *md)
{
    md_env env = {.unsafe_html = true, .autolink = true, .base_path = "/"};
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = md_render(md, strlen(md), 1, "spec.md", "spec.md", &env, &dl);
    char *html = plain_gfm(doc->html);
    md_doc_free(doc);
    diag_list_clear(&dl);
    return html;
}

typedef struct tally {
    int number;         /* of the example in the file, from 1 */
    strbuf library_off; /* numbers the library itself renders differently */
    int library_count;
} tally;

static void run_example(tally *t, const char *kind, const char *md, const char *want)
{
    t->number++;
    if (!strcmp(kind, "disabled"))
        return; /* cmark-gfm's own run skips these too */
    char *lib = library_html(md);
    if (strcmp(lib, want) != 0) {
        strbuf_printf(&t->library_off, " %d%s%s", t->number, *kind ? "/" : "", kind);
        t->library_count++;
        free(lib);
        return;
    }
    free(lib);
    char *got = lumbar_html(md);
    if (strcmp(got, want) != 0)
        fprintf(stderr, "example %d (%s) differs through lumbar\n--- markdown\n%s--- want\n%s--- got\n%s",
                t->number, *kind ? kind : "core", md, want, got);
    CHECK(strcmp(got, want) == 0);
    free(got);
}

/* Walks the spec's examples: a fence line, Markdown, ".", HTML, a fence. */
static void run_spec(const char *text, tally *t)
{
    const char *p = text;
    while ((p = strstr(p, "\n" FENCE " example")) != NULL) {
        p += 1 + strlen(FENCE " example");
        const char *eol = strchr(p, '\n');
        if (!eol)
            break;
        char *kind = xstrndup(p + strspn(p, " "), (size_t)(eol - p) - strspn(p, " "));
        const char *md_start = eol + 1;
        const char *dot = strstr(md_start - 1, "\n.\n");
        const char *end = dot ? strstr(dot + 3, FENCE) : NULL;
        if (!dot || !end) {
            free(kind);
            break;
        }
        strbuf md = STRBUF_INIT, want = STRBUF_INIT;
        untab(md_start, (size_t)(dot + 1 - md_start), &md);
        untab(dot + 3, (size_t)(end - (dot + 3)), &want);
        run_example(t, kind, strbuf_cstr(&md), strbuf_cstr(&want));
        strbuf_free(&md);
        strbuf_free(&want);
        free(kind);
        p = end + strlen(FENCE);
    }
}

int main(void)
{
    const char *path = getenv("GFM_SPEC");
    if (!path || !*path)
        path = "../shared/conformance/gfm-spec/spec.txt";
    strbuf text = STRBUF_INIT;
    bool found = fs_read_file(path, true, &text);
    if (!found)
        printf("  cannot read %s: the GFM spec lives in ../shared/conformance beside this repository "
               "(GFM_SPEC=FILE to point elsewhere)\n", path);
    CHECK(found);
    cmark_gfm_core_extensions_ensure_registered();
    tally t = {0, STRBUF_INIT, 0};
    if (found)
        run_spec(strbuf_cstr(&text), &t);
    /* 673 examples in the spec this test was written against. */
    CHECK(!found || t.number >= 600);
    printf("  %d examples; %d rendered differently by cmark-gfm %s itself (not counted):%s\n", t.number,
           t.library_count, cmark_version_string(), t.library_count ? strbuf_cstr(&t.library_off) : " none");
    strbuf_free(&t.library_off);
    strbuf_free(&text);
    TEST_END("gfm-spec");
}
