/* Fuzz target: a content file from the bytes on disk to checked fields.
 *
 * fm_normalise, fm_split, fm_check_placeholder, then fm_read for every kind
 * of page (with drafts checked and not) and fm_check_review, and refs_load of the same YAML, as content/references.yaml
 * would be. Beyond memory safety it checks what later stages rely on: the
 * split parts lie inside the text, and every field fm_read accepts is as safe
 * as its contract says (slugs are slugs, aliases cannot climb, layouts
 * cannot leave layouts/). */
#include <string.h>

#include "frontmatter.h"
#include "fuzz.h"
#include "refs.h"
#include "yamlvalue.h"

static void check_parts(const char *text, size_t n, const fm_parts *parts)
{
    FUZZ_ASSERT(parts->yaml >= text && parts->yaml + parts->yaml_len <= text + n);
    FUZZ_ASSERT(parts->body >= parts->yaml + parts->yaml_len && parts->body + parts->body_len == text + n);
    FUZZ_ASSERT(parts->yaml_line == 2 && parts->body_line > parts->yaml_line);
}

static void check_alias(const char *alias)
{
    FUZZ_ASSERT(alias[0] == '/');
    FUZZ_ASSERT(!strstr(alias, "/../") && !strstr(alias, "//") && !strchr(alias, '\\') && !strchr(alias, '%'));
    size_t n = strlen(alias);
    FUZZ_ASSERT(!(n >= 3 && !strcmp(alias + n - 3, "/..")));
}

static void check_fields(const fm_fields *f)
{
    FUZZ_ASSERT(f->all && f->all->kind == V_MAP);
    if (f->slug)
        FUZZ_ASSERT(fm_slug_ok(f->slug));
    if (f->layout)
        FUZZ_ASSERT(f->layout[0] && f->layout[0] != '/' && !strstr(f->layout, ".."));
    for (size_t i = 0; f->aliases && i < f->aliases->u.list.len; i++)
        check_alias(f->aliases->u.list.items[i]->u.str.ptr);
    for (size_t i = 0; f->tags && i < f->tags->u.list.len; i++) {
        const value *t = f->tags->u.list.items[i];
        strbuf slug = STRBUF_INIT;
        fm_slugify(t->u.str.ptr, t->u.str.len, &slug);
        FUZZ_ASSERT(fm_slug_ok(strbuf_cstr(&slug)));
        strbuf_free(&slug);
    }
}

/* A review state fm_check_review passes is honest: reviewed with a role, a
 * name when names are required, and a last_reviewed no later than today
 * and not before the page's date; or pending with no review dates. */
static void check_review(const fm_fields *f, bool require_names)
{
    diag_list diags = DIAG_LIST_INIT;
    fm_review_rules rules = {.require_names = require_names, .today = {2026, 11, 24}};
    bool ok = fm_check_review(f, &rules, "content/x.md", &diags);
    FUZZ_ASSERT(ok == (diag_count(&diags, DIAG_ERROR) == 0));
    if (ok && fm_is_reviewed(f)) {
        FUZZ_ASSERT(f->reviewer_role && *f->reviewer_role);
        FUZZ_ASSERT(!require_names || (f->reviewer_name && *f->reviewer_name));
        FUZZ_ASSERT(date_is_set(f->last_reviewed) && date_cmp(f->last_reviewed, rules.today) <= 0);
        FUZZ_ASSERT(!date_is_set(f->date) || date_cmp(f->last_reviewed, f->date) >= 0);
    } else if (ok) {
        FUZZ_ASSERT(!value_map_get(f->all, "last_reviewed") && !value_map_get(f->all, "next_review"));
    }
    diag_list_clear(&diags);
}

/* Whether [at, end) holds FM_PLACEHOLDER, the plain way. */
static bool holds_placeholder(const char *at, const char *end)
{
    size_t m = strlen(FM_PLACEHOLDER);
    for (; (size_t)(end - at) >= m; at++)
        if (!memcmp(at, FM_PLACEHOLDER, m))
            return true;
    return false;
}

static void read_as(const fm_parts *parts, fm_kind kind, bool check_drafts)
{
    diag_list diags = DIAG_LIST_INIT;
    fm_fields *f = fm_read(parts, kind, "content/x.md", check_drafts, &diags);
    if (f && (check_drafts || !f->draft)) {
        check_fields(f);
        check_review(f, true);
        check_review(f, false);
    }
    if (!f)
        FUZZ_ASSERT(diag_count(&diags, DIAG_ERROR) > 0);
    fm_fields_free(f);
    diag_list_clear(&diags);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_copy(data, size);
    size_t n = fm_normalise(text, size);
    FUZZ_ASSERT(n <= size);
    diag_list diags = DIAG_LIST_INIT;
    fm_parts parts;
    if (fm_split(text, n, "content/x.md", &parts, &diags)) {
        check_parts(text, n, &parts);
        diag_list marks = DIAG_LIST_INIT; /* an error exactly when the placeholder is there */
        bool has_mark = holds_placeholder(parts.yaml, text + n);
        FUZZ_ASSERT(fm_check_placeholder(&parts, "content/x.md", &marks) != has_mark);
        FUZZ_ASSERT((marks.len > 0) == has_mark);
        diag_list_clear(&marks);
        read_as(&parts, FM_ARTICLE, true);
        read_as(&parts, FM_ARTICLE, false);
        read_as(&parts, FM_HOME, true);
        read_as(&parts, FM_SECTION, true);
        read_as(&parts, FM_PAGE, true);
        refs *bib = refs_load(parts.yaml, parts.yaml_len, "content/references.yaml", &diags);
        for (size_t i = 0; bib && i < refs_count(bib); i++) {
            const char *key = value_cstr(value_map_get(refs_at(bib, i), "key"));
            FUZZ_ASSERT(key && refs_get(bib, key) == refs_at(bib, i));
        }
        refs_free(bib);
    } else {
        FUZZ_ASSERT(diag_count(&diags, DIAG_ERROR) == 1);
    }
    diag_list_clear(&diags);
    free(text);
    return 0;
}
