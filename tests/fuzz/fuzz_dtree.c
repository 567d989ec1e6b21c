/* Fuzz target: the decision-tree loader, validator and both renderers.
 *
 * The input is YAML: a page's front matter (its `tree:` key is used) or the
 * tree map itself. It is loaded twice, once with plain safe cmark for the
 * Markdown and once through md_render as the site does, and a valid tree is
 * rendered as HTML and as JSON. The JSON goes into a <script> element, so it
 * must hold no '<' at all; the HTML must hold no script the input brought. */
#include <string.h>
#include <strings.h>

#include "decision_tree.h"
#include "fuzz.h"
#include "markdown.h"
#include "yamlvalue.h"

static md_target find_page(void *ctx, const char *content_path, const char **url)
{
    (void)ctx;
    if (strcmp(content_path, "treatments/relative-rest.md") != 0)
        return MD_TARGET_NONE;
    *url = "/treatments/relative-rest/";
    return MD_TARGET_PAGE;
}

static bool has_reference(void *ctx, const char *key)
{
    (void)ctx;
    return key[0] == 'k';
}

static bool site_markdown(void *ctx, const char *md, size_t n, int line, int col, strbuf *html)
{
    (void)ctx;
    (void)col;
    md_env env = {.base_path = "/", .smart_punctuation = true, .find_page = find_page, .has_reference = has_reference};
    diag_list diags = DIAG_LIST_INIT;
    md_doc *doc = md_render(md, n, line, "content/relative-rest.md", "relative-rest.md", &env, &diags);
    strbuf_puts(html, doc->html);
    bool ok = diag_count(&diags, DIAG_ERROR) == 0;
    md_doc_free(doc);
    diag_list_clear(&diags);
    return ok;
}

static bool has_script(const char *html)
{
    for (const char *p = html; (p = strchr(p, '<')) != NULL; p++)
        if (!strncasecmp(p + 1, "script", 6))
            return true;
    return false;
}

static void load_and_render(const value *tree, dtree_md_fn md_fn)
{
    diag_list diags = DIAG_LIST_INIT;
    dtree *t = dtree_load(tree, "content/relative-rest.md", md_fn, NULL, &diags);
    FUZZ_ASSERT((t == NULL) == (diag_count(&diags, DIAG_ERROR) > 0));
    if (t) {
        strbuf html = STRBUF_INIT, json = STRBUF_INIT;
        dtree_render_html(t, &html);
        dtree_render_json(t, &json);
        FUZZ_ASSERT(!has_script(strbuf_cstr(&html)));
        FUZZ_ASSERT(!strchr(strbuf_cstr(&json), '<'));
        FUZZ_ASSERT(json.len > 2 && json.data[0] == '{' && json.data[json.len - 1] == '}');
        strbuf_free(&html);
        strbuf_free(&json);
    }
    for (size_t i = 0; i < diags.len; i++)
        FUZZ_ASSERT(!strchr(diags.items[i].msg, '\n'));
    dtree_free(t);
    diag_list_clear(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list diags = DIAG_LIST_INIT;
    value *root = yaml_load((const char *)data, size, "content/relative-rest.md", 1, &diags);
    if (root) {
        const value *tree = value_map_get(root, "tree");
        if (!tree)
            tree = root;
        load_and_render(tree, NULL);
        load_and_render(tree, site_markdown);
    }
    value_free(root);
    diag_list_clear(&diags);
    return 0;
}
