/* Fuzz target: an article body through md_render.
 *
 * The environment accepts some content paths and citation keys and refuses
 * others, so both the rewriting and the error paths run. Each input renders
 * twice: as the bundled site does (safe, smart punctuation, served at the
 * root) and with unsafe_html under a sub-path. In safe mode no script may
 * come out, whatever the body says: not as an element, not as a
 * javascript: link. Every id the body defines must be unique, and the
 * table of contents must be well-formed. The safe render runs with a parse
 * tree arena (as the build does) and must equal the render without one. */
#include <string.h>
#include <strings.h>

#include "fuzz.h"
#include "markdown.h"

static const char *const pages[] = {"causes/sitting.md", "causes/_index.md", "treatments/relative-rest.md",
                                    "about.md", "_index.md", NULL};

static md_target find_page(void *ctx, const char *content_path, const char **url)
{
    (void)ctx;
    for (const char *const *p = pages; *p; p++)
        if (!strcmp(*p, content_path)) {
            *url = "/accepted/page/";
            return MD_TARGET_PAGE;
        }
    return MD_TARGET_NONE;
}

static bool has_reference(void *ctx, const char *key)
{
    (void)ctx;
    static const char *const keys[] = {"smith2020", "oliveira2018", "a", "who:2019.x", NULL};
    for (const char *const *k = keys; *k; k++)
        if (!strcmp(*k, key))
            return true;
    return key[0] == 'k';
}

/* True when the attribute value at v (after its opening quote) is a URL a
 * browser would run. */
static bool script_url(const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\n')
        v++;
    return !strncasecmp(v, "javascript:", 11) || !strncasecmp(v, "vbscript:", 9);
}

/* True when html has a <script> element or a script URL in href or src. */
static bool has_script(const char *html)
{
    for (const char *p = html; *p; p++) {
        if (*p == '<' && !strncasecmp(p + 1, "script", 6))
            return true;
        if (!strncasecmp(p, "href=", 5) && (p[5] == '"' || p[5] == '\'') && script_url(p + 6))
            return true;
        if (!strncasecmp(p, "src=", 4) && (p[4] == '"' || p[4] == '\'') && script_url(p + 5))
            return true;
    }
    return false;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

static void check_doc(const md_doc *doc, bool safe)
{
    FUZZ_ASSERT(doc->html && doc->toc_html && doc->text);
    if (safe)
        FUZZ_ASSERT(!has_script(doc->html));
    FUZZ_ASSERT(!has_script(doc->toc_html));
    size_t n = doc->ids->u.list.len;
    const char **ids = malloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = doc->ids->u.list.items[i]->u.str.ptr;
    qsort(ids, n, sizeof *ids, cmp_str);
    for (size_t i = 1; i < n; i++)
        FUZZ_ASSERT(strcmp(ids[i - 1], ids[i]) != 0);
    free(ids);
    FUZZ_ASSERT((doc->toc->u.list.len == 0) == (doc->toc_html[0] == '\0'));
}

static void render(const char *text, size_t n, bool safe)
{
    md_env env = {.unsafe_html = !safe,
                  .smart_punctuation = safe,
                  .base_path = safe ? "/" : "/sub/",
                  .find_page = find_page,
                  .has_reference = has_reference,
                  .record_links = true};
    diag_list diags = DIAG_LIST_INIT;
    md_doc *doc = md_render(text, n, 7, "content/causes/x.md", "causes/x.md", &env, &diags);
    check_doc(doc, safe);
    if (safe) {
        static arena *tree_mem;
        if (!tree_mem)
            tree_mem = arena_new(); /* kept across inputs, as a render thread keeps it */
        env.arena = tree_mem;
        diag_list again = DIAG_LIST_INIT;
        md_doc *pooled = md_render(text, n, 7, "content/causes/x.md", "causes/x.md", &env, &again);
        FUZZ_ASSERT(!strcmp(pooled->html, doc->html) && !strcmp(pooled->text, doc->text));
        FUZZ_ASSERT(pooled->word_count == doc->word_count && again.len == diags.len);
        md_doc_free(pooled);
        diag_list_clear(&again);
    }
    for (size_t i = 0; i < diags.len; i++)
        FUZZ_ASSERT(diags.items[i].line >= 0 && diags.items[i].col >= 0);
    md_doc_free(doc);
    diag_list_clear(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    render((const char *)data, size, true);
    render((const char *)data, size, false);
    return 0;
}
