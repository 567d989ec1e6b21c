#include "refs.h"

#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "xalloc.h"
#include "yamlvalue.h"

struct refs {
    value **entries; /* file order */
    value **sorted;  /* by key, for lookups */
    size_t len;
};

static const char *const known_fields[] = {"authors", "title", "journal", "publisher", "year", "details",
                                           "doi", "pmid", "url", "isbn", NULL};

refs *refs_new(void) { return xcalloc(1, sizeof(refs)); }

static const char *text_field(const value *src, const char *name, const char *file, diag_list *diags, bool *ok)
{
    const value *v = value_map_get(src, name);
    if (!v || v->kind == V_NULL)
        return NULL;
    if (v->kind != V_STR && v->kind != V_NUM) {
        diag_add(diags, DIAG_ERROR, file, v->line, v->col, "'%s' must be text, not %s", name, value_kind_name(v->kind));
        *ok = false;
        return NULL;
    }
    return v->kind == V_STR ? v->u.str.ptr : "";
}

static void set_text(value *entry, const char *name, const value *src)
{
    strbuf text = STRBUF_INIT;
    value_to_text(src, &text);
    value_map_set(entry, name, value_at(value_str_take(strbuf_detach(&text)), src->line, src->col));
}

static void check_unknown_fields(const value *src, const char *key, const char *file, diag_list *diags)
{
    for (size_t i = 0; i < src->u.map.len; i++) {
        bool known = false;
        for (const char *const *f = known_fields; *f && !known; f++)
            known = !strcmp(*f, value_entry_key(&src->u.map.items[i]));
        if (!known)
            diag_add(diags, DIAG_WARNING, file, src->u.map.items[i].val->line, src->u.map.items[i].val->col,
                     "unknown field '%s' in reference '%s'", value_entry_key(&src->u.map.items[i]), key);
    }
}

static void add_links(value *entry)
{
    const char *doi = value_cstr(value_map_get(entry, "doi"));
    const char *pmid = value_cstr(value_map_get(entry, "pmid"));
    const char *url = value_cstr(value_map_get(entry, "url"));
    strbuf link = STRBUF_INIT;
    if (doi) {
        strbuf_puts(&link, "https://doi.org/");
        esc_url_path(&link, doi, strlen(doi));
        value_map_set(entry, "doi_url", value_str(link.data));
    }
    if (pmid) {
        strbuf_reset(&link);
        strbuf_printf(&link, "https://pubmed.ncbi.nlm.nih.gov/%s/", pmid);
        value_map_set(entry, "pmid_url", value_str(link.data));
    }
    const char *href = doi ? value_cstr(value_map_get(entry, "doi_url"))
                           : pmid ? value_cstr(value_map_get(entry, "pmid_url")) : url;
    if (href)
        value_map_set(entry, "href", value_str(href));
    strbuf_free(&link);
}

/* Checks one source entry and returns the normalised entry, or NULL. */
static value *load_entry(const char *key, const value *src, const char *file, diag_list *diags)
{
    if (src->kind != V_MAP) {
        diag_add(diags, DIAG_ERROR, file, src->line, src->col, "reference '%s' must be a map of fields", key);
        return NULL;
    }
    bool ok = true;
    const char *container = text_field(src, "journal", file, diags, &ok);
    if (!container)
        container = text_field(src, "publisher", file, diags, &ok);
    static const char *const required[] = {"authors", "title", "year", NULL};
    for (const char *const *f = required; *f; f++)
        if (!text_field(src, *f, file, diags, &ok) && ok) {
            diag_add(diags, DIAG_ERROR, file, src->line, src->col, "reference '%s' has no '%s'", key, *f);
            ok = false;
        }
    if (!container && ok) {
        diag_add(diags, DIAG_ERROR, file, src->line, src->col, "reference '%s' needs a 'journal' or a 'publisher'", key);
        ok = false;
    }
    const char *url = text_field(src, "url", file, diags, &ok);
    if (url && strncmp(url, "https://", 8) && strncmp(url, "http://", 7)) {
        const value *u = value_map_get(src, "url");
        diag_add(diags, DIAG_ERROR, file, u->line, u->col, "'url' of reference '%s' must start with https:// or http://", key);
        ok = false;
    }
    if (ok && !url && !text_field(src, "doi", file, diags, &ok) && !text_field(src, "pmid", file, diags, &ok) &&
        !text_field(src, "isbn", file, diags, &ok)) {
        diag_add(diags, DIAG_ERROR, file, src->line, src->col, "reference '%s' needs a doi, pmid, url or isbn", key);
        ok = false;
    }
    if (!ok)
        return NULL;
    check_unknown_fields(src, key, file, diags);
    value *entry = value_at(value_map(), src->line, src->col);
    value_map_set(entry, "key", value_str(key));
    for (size_t i = 0; i < src->u.map.len; i++)
        if (src->u.map.items[i].val->kind != V_NULL)
            set_text(entry, value_entry_key(&src->u.map.items[i]), src->u.map.items[i].val);
    value_map_set(entry, "container", value_str(container));
    add_links(entry);
    return entry;
}

static int by_key(const void *a, const void *b)
{
    const value *x = *(value *const *)a, *y = *(value *const *)b;
    return strcmp(value_cstr(value_map_get(x, "key")), value_cstr(value_map_get(y, "key")));
}

static bool key_ok(const char *key)
{
    return *key && strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:.") == strlen(key);
}

refs *refs_load(const char *src, size_t n, const char *file, diag_list *diags)
{
    value *root = yaml_load(src, n, file, 0, diags);
    if (!root)
        return NULL;
    if (root->kind == V_NULL) {
        value_free(root);
        return refs_new();
    }
    if (root->kind != V_MAP) {
        diag_add(diags, DIAG_ERROR, file, root->line, root->col, "the bibliography must be a map from keys to entries");
        value_free(root);
        return NULL;
    }
    refs *r = refs_new();
    r->entries = xcalloc(root->u.map.len, sizeof(value *));
    bool ok = true;
    for (size_t i = 0; i < root->u.map.len; i++) {
        const char *key = value_entry_key(&root->u.map.items[i]);
        const value *src_entry = root->u.map.items[i].val;
        if (!key_ok(key)) {
            diag_add(diags, DIAG_ERROR, file, src_entry->line, 1,
                     "reference key '%s' may use only letters, digits, '_', '-', ':' and '.'", key);
            ok = false;
            continue;
        }
        value *entry = load_entry(key, src_entry, file, diags);
        if (entry)
            r->entries[r->len++] = entry;
        else
            ok = false;
    }
    value_free(root);
    r->sorted = xcalloc(r->len, sizeof(value *));
    memcpy(r->sorted, r->entries, r->len * sizeof(value *));
    xqsort(r->sorted, r->len, sizeof(value *), by_key);
    if (!ok) {
        refs_free(r);
        return NULL;
    }
    return r;
}

/* bsearch's comparator: a key against an entry of r->sorted. */
static int cmp_key_entry(const void *key, const void *entry)
{
    return strcmp(key, value_cstr(value_map_get(*(value *const *)entry, "key")));
}

const value *refs_get(const refs *r, const char *key)
{
    value *const *hit = xbsearch(key, r->sorted, r->len, sizeof *r->sorted, cmp_key_entry);
    return hit ? *hit : NULL;
}

size_t refs_count(const refs *r) { return r->len; }

const value *refs_at(const refs *r, size_t i) { return r->entries[i]; }

void refs_free(refs *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->len; i++)
        value_free(r->entries[i]);
    free(r->entries);
    free(r->sorted);
    free(r);
}
