/* Fuzz target: an article body through md_render.
 *
 * The environment accepts some content paths and citation keys and refuses
 * others, so both the rewriting and the error paths run. An input renders
 * as the bundled site does (safe, smart punctuation, served at the root,
 * with a parse-tree arena as the build has) or with unsafe_html under a
 * sub-path. In safe mode no script may come out, whatever the body says:
 * not as an element, not as a javascript: link. Every id the body defines
 * must be unique (the ids reserved for the layout count as defined) and
 * none may be the reference list's ref-KEY of a known key, and the table
 * of contents must be well-formed. Some safe
 * renders are done again without the arena and must be equal.
 *
 * Speed. Three renders of every input, and a script check calling
 * strncasecmp three times per byte, held libFuzzer to about 35 inputs a
 * second once the corpus grew towards 64 KiB inputs. Now the input's
 * length picks what runs (render_kind, by_size), so one render in most
 * runs and every kind among inputs a few bytes apart; run-fuzz.sh caps
 * inputs at 4 KiB. A replay (make check, FUZZ_REPLAY) still runs every
 * kind on every file. */
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
    /* Many keys, but finitely many, as in any bibliography: a heading
       "## Ref kx" tries ref-kx-2, ref-kx-3, ... until a key is missing. */
    return key[0] == 'k' && strlen(key) <= 6;
}

/* True when the attribute value at v (after its opening quote) is a URL a
 * browser would run. */
static bool script_url(const char *v)
{
    while (*v == ' ' || *v == '\t' || *v == '\n')
        v++;
    return !strncasecmp(v, "javascript:", 11) || !strncasecmp(v, "vbscript:", 9);
}

/* True when html has a <script> element or a script URL in href or src.
 * Looks only at bytes that can start one, as this runs on every render. */
static bool has_script(const char *html)
{
    for (const char *p = html; *p; p++) {
        switch (*p) {
        case '<':
            if (!strncasecmp(p + 1, "script", 6))
                return true;
            break;
        case 'h':
        case 'H':
            if (!strncasecmp(p, "href=", 5) && (p[5] == '"' || p[5] == '\'') && script_url(p + 6))
                return true;
            break;
        case 's':
        case 'S':
            if (!strncasecmp(p, "src=", 4) && (p[4] == '"' || p[4] == '\'') && script_url(p + 5))
                return true;
            break;
        default:
            break;
        }
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
    /* The reference list beside the body holds ref-KEY for its keys. */
    for (size_t i = 0; i < n; i++)
        FUZZ_ASSERT(strncmp(ids[i], "ref-", 4) || !has_reference(NULL, ids[i] + 4));
    free(ids);
    FUZZ_ASSERT((doc->toc->u.list.len == 0) == (doc->toc_html[0] == '\0'));
}

/* What one render does: unsafe under /sub/ (malloc); safe at / with malloc,
 * so ASan sees every node; safe with the arena, as the build does; or the
 * arena's render compared with malloc's. */
typedef enum { RENDER_UNSAFE, RENDER_SAFE_PLAIN, RENDER_SAFE_ARENA, RENDER_SAFE_COMPARED } render_kind;

static md_doc *render_once(const char *text, size_t n, const md_env *env, diag_list *diags)
{
    md_doc *doc = md_render(text, n, 7, "content/causes/x.md", "causes/x.md", env, diags);
    for (size_t i = 0; i < diags->len; i++)
        FUZZ_ASSERT(diags->items[i].line >= 0 && diags->items[i].col >= 0);
    return doc;
}

static void render(const char *text, size_t n, render_kind kind)
{
    bool safe = kind != RENDER_UNSAFE;
    md_env env = {.unsafe_html = !safe,
                  .smart_punctuation = safe,
                  .base_path = safe ? "/" : "/sub/",
                  .find_page = find_page,
                  .has_reference = has_reference,
                  .record_links = true};
    static arena *tree_mem;
    if (!tree_mem)
        tree_mem = arena_new(); /* kept across inputs, as a render thread keeps it */
    env.arena = kind == RENDER_SAFE_ARENA || kind == RENDER_SAFE_COMPARED ? tree_mem : NULL;
    diag_list diags = DIAG_LIST_INIT;
    md_doc *doc = render_once(text, n, &env, &diags);
    check_doc(doc, safe);
    if (kind == RENDER_SAFE_COMPARED) {
        env.arena = NULL;
        diag_list again = DIAG_LIST_INIT;
        md_doc *plain = render_once(text, n, &env, &again);
        FUZZ_ASSERT(!strcmp(plain->html, doc->html) && !strcmp(plain->text, doc->text));
        FUZZ_ASSERT(plain->word_count == doc->word_count && again.len == diags.len);
        md_doc_free(plain);
        diag_list_clear(&again);
    }
    md_doc_free(doc);
    diag_list_clear(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_REPLAY
    render((const char *)data, size, RENDER_SAFE_COMPARED);
    render((const char *)data, size, RENDER_UNSAFE);
#else
    static const render_kind by_size[8] = {RENDER_SAFE_COMPARED, RENDER_UNSAFE,     RENDER_SAFE_PLAIN, RENDER_UNSAFE,
                                           RENDER_SAFE_ARENA,    RENDER_UNSAFE,     RENDER_SAFE_PLAIN, RENDER_UNSAFE};
    render((const char *)data, size, by_size[size % 8]);
#endif
    return 0;
}
