#include "frontmatter.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "suggest.h"
#include "utf8.h"
#include "xalloc.h"
#include "yamlvalue.h"

size_t fm_normalise(char *text, size_t n)
{
    size_t start = 0;
    if (n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        start = 3;
    if (start == 0 && !memchr(text, '\r', n))
        return n; /* the usual case: nothing to change */
    size_t w = 0;
    for (size_t r = start; r < n; r++) {
        if (text[r] == '\r' && r + 1 < n && text[r + 1] == '\n')
            continue;
        text[w++] = text[r];
    }
    if (w < n)
        text[w] = '\0';
    return w;
}

/* True when the line at p (ending at a newline or end) is exactly "---"
 * with optional trailing spaces. */
static bool is_fence(const char *p, const char *end)
{
    if (end - p < 3 || memcmp(p, "---", 3) != 0)
        return false;
    for (p += 3; p < end && *p != '\n'; p++)
        if (*p != ' ' && *p != '\t')
            return false;
    return true;
}

bool fm_split(const char *text, size_t n, const char *file, fm_parts *out, diag_list *diags)
{
    const char *end = text + n;
    if (!is_fence(text, end)) {
        diag_add(diags, DIAG_ERROR, file, 1, 1,
                 "no front matter: the file must start with a line '---', then YAML, then '---'");
        return false;
    }
    const char *line = memchr(text, '\n', n);
    line = line ? line + 1 : end;
    out->yaml = line;
    out->yaml_line = 2;
    int lineno = 2;
    while (line < end) {
        const char *nl = memchr(line, '\n', (size_t)(end - line));
        if (is_fence(line, end)) {
            out->yaml_len = (size_t)(line - out->yaml);
            out->body = nl ? nl + 1 : end;
            out->body_len = (size_t)(end - out->body);
            out->body_line = lineno + 1;
            return true;
        }
        line = nl ? nl + 1 : end;
        lineno++;
    }
    diag_add(diags, DIAG_ERROR, file, 1, 1, "front matter is never closed: add a line '---' after the YAML");
    return false;
}

bool fm_slug_ok(const char *s)
{
    return s && *s && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(s);
}

/* The Latin letters with accents that European languages use (U+00C0 to
 * U+017F) and their plain letters, so that "Rückenschmerz" becomes
 * "ruckenschmerz" rather than "r-ckenschmerz". */
static const struct latin_range {
    unsigned short first, last;
    const char *ascii;
} latin[] = {
    {0xC0, 0xC5, "a"},   {0xC6, 0xC6, "ae"},  {0xC7, 0xC7, "c"},   {0xC8, 0xCB, "e"},   {0xCC, 0xCF, "i"},
    {0xD0, 0xD0, "d"},   {0xD1, 0xD1, "n"},   {0xD2, 0xD6, "o"},   {0xD8, 0xD8, "o"},   {0xD9, 0xDC, "u"},
    {0xDD, 0xDD, "y"},   {0xDE, 0xDE, "th"},  {0xDF, 0xDF, "ss"},  {0xE0, 0xE5, "a"},   {0xE6, 0xE6, "ae"},
    {0xE7, 0xE7, "c"},   {0xE8, 0xEB, "e"},   {0xEC, 0xEF, "i"},   {0xF0, 0xF0, "d"},   {0xF1, 0xF1, "n"},
    {0xF2, 0xF6, "o"},   {0xF8, 0xF8, "o"},   {0xF9, 0xFC, "u"},   {0xFD, 0xFD, "y"},   {0xFE, 0xFE, "th"},
    {0xFF, 0xFF, "y"},   {0x100, 0x105, "a"}, {0x106, 0x10D, "c"}, {0x10E, 0x111, "d"}, {0x112, 0x11B, "e"},
    {0x11C, 0x123, "g"}, {0x124, 0x127, "h"}, {0x128, 0x131, "i"}, {0x132, 0x133, "ij"}, {0x134, 0x135, "j"},
    {0x136, 0x138, "k"}, {0x139, 0x142, "l"}, {0x143, 0x14B, "n"}, {0x14C, 0x151, "o"}, {0x152, 0x153, "oe"},
    {0x154, 0x159, "r"}, {0x15A, 0x161, "s"}, {0x162, 0x167, "t"}, {0x168, 0x173, "u"}, {0x174, 0x175, "w"},
    {0x176, 0x178, "y"}, {0x179, 0x17E, "z"}, {0x17F, 0x17F, "s"},
};

/* The plain letters for the two-byte UTF-8 sequence at s (n bytes left),
 * or NULL when it is not an accented Latin letter. */
static const char *latin_ascii(const unsigned char *s, size_t n)
{
    if (n < 2 || (s[0] & 0xE0) != 0xC0 || (s[1] & 0xC0) != 0x80)
        return NULL;
    unsigned cp = ((unsigned)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    for (size_t i = 0; i < sizeof latin / sizeof latin[0]; i++)
        if (cp >= latin[i].first && cp <= latin[i].last)
            return latin[i].ascii;
    return NULL;
}

void fm_slugify(const char *text, size_t n, strbuf *out)
{
    size_t start = out->len;
    bool dash = false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        /* Only a two-byte sequence (lead byte 0xC0 and up) can be a Latin letter. */
        const char *letters = (unsigned char)c >= 0xC0 ? latin_ascii((const unsigned char *)text + i, n - i) : NULL;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (letters || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && out->len > start)
                strbuf_putc(out, '-');
            if (letters)
                strbuf_puts(out, letters);
            else
                strbuf_putc(out, c);
            i += letters ? 1 : 0;
            dash = false;
        } else {
            dash = true;
        }
    }
}

typedef struct checker {
    const value *map;
    const char *file;
    diag_list *diags;
    int fm_line;
    bool ok;
} checker;

static void field_error(checker *ck, const value *v, const char *fmt, const char *key, const char *detail)
{
    diag_add(ck->diags, DIAG_ERROR, ck->file, v ? v->line : ck->fm_line, v ? v->col : 1, fmt, key, detail);
    ck->ok = false;
}

/* Returns the string under key, NULL when absent; a wrong type is an error. */
static const char *get_string(checker *ck, const char *key, bool required)
{
    value *v = value_map_get(ck->map, key);
    if (!v || v->kind == V_NULL) {
        if (required)
            field_error(ck, NULL, "missing required field '%s'%s", key, "");
        return NULL;
    }
    if (v->kind != V_STR) {
        field_error(ck, v, "'%s' must be a string, not %s", key, value_kind_name(v->kind));
        return NULL;
    }
    if (required && v->u.str.len == 0)
        field_error(ck, v, "'%s' must not be empty%s", key, "");
    return v->u.str.ptr;
}

static date get_date(checker *ck, const char *key, bool required)
{
    date d = {0, 0, 0};
    value *v = value_map_get(ck->map, key);
    if (!v || v->kind == V_NULL) {
        if (required)
            field_error(ck, NULL, "missing required field '%s'%s", key, "");
        return d;
    }
    strbuf text = STRBUF_INIT;
    value_to_text(v, &text);
    if (v->kind == V_STR || v->kind == V_NUM) {
        if (!date_parse(strbuf_cstr(&text), &d))
            field_error(ck, v, "'%s' must be a real date written YYYY-MM-DD, not '%s'", key, strbuf_cstr(&text));
    } else {
        field_error(ck, v, "'%s' must be a date written YYYY-MM-DD, not %s", key, value_kind_name(v->kind));
    }
    strbuf_free(&text);
    return d;
}

/* Returns the list of strings under key, NULL when absent or wrong. */
static value *get_string_list(checker *ck, const char *key)
{
    value *v = value_map_get(ck->map, key);
    if (!v || v->kind == V_NULL)
        return NULL;
    if (v->kind != V_LIST) {
        field_error(ck, v, "'%s' must be a list such as [a, b], not %s", key, value_kind_name(v->kind));
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < v->u.list.len; i++) {
        value *item = v->u.list.items[i];
        if (item->kind != V_STR || item->u.str.len == 0) {
            field_error(ck, item, "every item of '%s' must be a non-empty string, not %s", key,
                        item->kind == V_STR ? "an empty one" : value_kind_name(item->kind));
            ok = false;
        }
    }
    return ok ? v : NULL;
}

/* An alias is a site path such as /old/name/: safe segments only. */
static bool alias_ok(const char *a)
{
    if (a[0] != '/' || strstr(a, "//"))
        return false;
    const char *seg = a + 1;
    while (*seg) {
        size_t len = strcspn(seg, "/");
        if ((len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
            return false;
        for (size_t i = 0; i < len; i++) {
            char c = seg[i];
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                  c == '_' || c == '.'))
                return false;
        }
        seg += len;
        if (*seg == '/')
            seg++;
    }
    return true;
}

static void check_aliases(checker *ck, value *aliases)
{
    for (size_t i = 0; aliases && i < aliases->u.list.len; i++) {
        value *a = aliases->u.list.items[i];
        if (!alias_ok(a->u.str.ptr))
            field_error(ck, a, "unsafe alias '%s': write a site path such as /old/name/ using %s", a->u.str.ptr,
                        "a-z, A-Z, 0-9, '-', '_' and '.' (no '..')");
    }
}

/* Checks each tag makes a URL, and keeps the slugs: the site groups pages
 * by them, and this runs on every loading thread. */
static void check_tags(checker *ck, fm_fields *f)
{
    if (!f->tags)
        return;
    f->tag_slugs = xcalloc(f->tags->u.list.len ? f->tags->u.list.len : 1, sizeof *f->tag_slugs);
    for (size_t i = 0; i < f->tags->u.list.len; i++) {
        value *t = f->tags->u.list.items[i];
        strbuf slug = STRBUF_INIT;
        fm_slugify(t->u.str.ptr, t->u.str.len, &slug);
        if (slug.len == 0)
            field_error(ck, t, "tag '%s' has no letters a-z (accents allowed) or digits to make a URL from%s",
                        t->u.str.ptr, "");
        f->tag_slugs[i] = strbuf_detach(&slug);
    }
}

/* Names lumbar computes for templates (docs/templates.md). A front-matter
 * key is a name in the page's context too, and where lumbar sets nothing
 * for a page (json_ld on a standalone page, tree_html without a tree,
 * section_url outside a section, site everywhere) the key would show
 * through: into a raw {{{json_ld}}}, or an href. So none may be set. */
static const char *const computed_names[] = {
    "site", "kind", "is_home", "is_section", "is_article", "is_page", "is_tag", "is_tags", "is_404", "url",
    "permalink", "content", "toc", "has_toc", "toc_html", "section", "section_title", "section_url", "section_is",
    "date_human", "updated_human", "last_reviewed_human", "next_review_human", "tag_list", "word_count",
    "reading_minutes", "json_ld", "has_references", "prev", "next", "pages", "paginator", "tag", "tree_html",
    "tree_json", "nav_sections", "is_false", NULL};

static void check_computed_names(checker *ck)
{
    for (const char *const *name = computed_names; *name; name++) {
        const value *v = value_map_get(ck->map, *name);
        if (v)
            field_error(ck, v, "'%s' is a name lumbar computes for templates%s; rename this key", *name,
                        ": front matter cannot set it");
    }
}

/* The keys lumbar reads from front matter (computed_names are errors). */
static const char *const read_keys[] = {"title",   "description", "date",   "updated",    "last_reviewed",
                                        "next_review", "reviewed_by", "layout", "slug",   "tags",
                                        "aliases", "references",  "draft",  "weight", "tree",
                                        "expires", NULL};

static bool in_names(const char *const *names, const char *key)
{
    for (; *names; names++)
        if (!strcmp(*names, key))
            return true;
    return false;
}

/* Where a top-level key is written: its value's line is the line after it
 * for a block value. Keys come in source order, so the search goes on from
 * where the previous key was found (*from, *from_line): one pass over the
 * YAML for all of them, not one per key. */
static int key_line(const fm_parts *parts, const char *key, int fallback, const char **from, int *from_line)
{
    size_t n = strlen(key);
    int line = *from_line;
    for (const char *p = *from, *end = parts->yaml + parts->yaml_len; p < end; line++) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > n && !strncmp(p, key, n) && p[n + strspn(p + n, " \t")] == ':') {
            *from = eol + 1;
            *from_line = line + 1;
            return line;
        }
        p = eol + 1;
    }
    return fallback;
}

/* A file of thousands of unknown keys is one mistake, not thousands: the
 * first are named, the rest counted in one line. */
#define FM_UNKNOWN_KEYS_SHOWN 20

size_t fm_check_keys(const fm_fields *f, const fm_parts *parts, char *const *declared, size_t n, const char *file,
                     diag_list *diags)
{
    size_t nread = sizeof read_keys / sizeof *read_keys - 1, unknown = 0;
    const char **known = xmalloc((nread + n) * sizeof *known);
    memcpy(known, read_keys, nread * sizeof *known);
    for (size_t i = 0; i < n; i++)
        known[nread + i] = declared[i];
    const value *map = f->all;
    const char *from = parts->yaml;
    int from_line = parts->yaml_line;
    for (size_t i = 0; map && map->kind == V_MAP && i < map->u.map.len; i++) {
        const char *key = value_entry_key(&map->u.map.items[i]);
        bool listed = false;
        for (size_t k = 0; k < nread + n && !listed; k++)
            listed = !strcmp(known[k], key);
        if (listed || in_names(computed_names, key))
            continue;
        if (++unknown > FM_UNKNOWN_KEYS_SHOWN)
            continue; /* counted, and said once below */
        const value *v = map->u.map.items[i].val;
        int line = key_line(parts, key, v->line, &from, &from_line);
        const char *closest = suggest_closest(key, known, nread + n);
        if (closest)
            diag_add(diags, DIAG_WARNING, file, line, 1, "unknown front-matter key '%s': did you mean '%s'?", key,
                     closest);
        else
            diag_add(diags, DIAG_WARNING, file, line, 1,
                     "unknown front-matter key '%s': if your layouts use it, declare it in config.ini "
                     "([frontmatter] keys = %s)",
                     key, key);
    }
    if (unknown > FM_UNKNOWN_KEYS_SHOWN)
        diag_add(diags, DIAG_WARNING, file, parts->yaml_line, 1, "%zu more unknown front-matter keys in this file",
                 unknown - FM_UNKNOWN_KEYS_SHOWN);
    free(known);
    return unknown;
}

/* A string field of the reviewed_by map; NULL when absent or wrong. */
static const char *reviewer_field(checker *ck, const value *map, const char *key)
{
    const value *v = value_map_get(map, key);
    if (!v || v->kind == V_NULL)
        return NULL;
    if (v->kind != V_STR) {
        field_error(ck, v, "'reviewed_by.%s' must be text, not %s", key, value_kind_name(v->kind));
        return NULL;
    }
    return v->u.str.ptr;
}

/* A text at v's position. */
static value *positioned_str(const char *s, size_t n, const value *at)
{
    value *str = value_str_take(xstrndup(s, n));
    str->line = at->line;
    str->col = at->col;
    return str;
}

/* "Sam Patel, physiotherapist" is shorthand for {name, role}: split at the
 * first comma. Replaces the text in the front matter with the map, so
 * templates see one shape; returns it, or NULL when there is no comma. */
static value *expand_reviewer_text(value *front_matter, value *text)
{
    const char *s = text->u.str.ptr, *comma = strchr(s, ',');
    if (!comma)
        return NULL;
    const char *role = comma + 1 + strspn(comma + 1, " ");
    size_t name_len = (size_t)(comma - s);
    while (name_len && s[name_len - 1] == ' ')
        name_len--;
    value *map = value_map();
    map->line = text->line;
    map->col = text->col;
    value_map_set(map, "name", positioned_str(s, name_len, text));
    value_map_set(map, "role", positioned_str(role, strlen(role), text));
    value_map_set(front_matter, "reviewed_by", map); /* frees text */
    return map;
}

/* reviewed_by is a map {name, role}, or the text "name, role"; its
 * completeness is fm_check_review's to judge, since what it requires
 * depends on the site's config. */
static void read_reviewer(checker *ck, fm_fields *f)
{
    value *v = value_map_get(ck->map, "reviewed_by");
    if (!v)
        return;
    if (v->kind == V_STR && v->u.str.len > 0) {
        value *map = expand_reviewer_text(f->all, v);
        if (!map) {
            field_error(ck, v, "'%s' needs the reviewer's name and role: write \"Sam Patel, "
                               "physiotherapist\" or {name: \"Sam Patel\", role: \"physiotherapist\"}, "
                               "not only '%s'", "reviewed_by", v->u.str.ptr);
            return;
        }
        v = map;
    }
    if (v->kind != V_MAP && v->kind != V_NULL && v->kind != V_STR) {
        field_error(ck, v, "'%s' must be a map with the reviewer's name and role, such as "
                           "{name: \"Sam Patel\", role: \"physiotherapist\"}, not %s",
                    "reviewed_by", value_kind_name(v->kind));
        return;
    }
    f->reviewed_by = v;
    if (v->kind != V_MAP)
        return;
    for (size_t i = 0; i < v->u.map.len; i++) {
        const char *key = value_entry_key(&v->u.map.items[i]);
        if (strcmp(key, "name") && strcmp(key, "role"))
            field_error(ck, v->u.map.items[i].val, "unknown key '%s' in reviewed_by: it takes %s", key,
                        "name and role");
    }
    f->reviewer_name = reviewer_field(ck, v, "name");
    f->reviewer_role = reviewer_field(ck, v, "role");
}

static void read_typed_fields(checker *ck, fm_fields *f, fm_kind kind)
{
    bool article = kind == FM_ARTICLE;
    f->title = get_string(ck, "title", true);
    f->description = get_string(ck, "description", article || kind == FM_PAGE);
    f->date = get_date(ck, "date", article);
    f->updated = get_date(ck, "updated", false);
    f->expires = get_date(ck, "expires", false);
    f->last_reviewed = get_date(ck, "last_reviewed", false);
    f->next_review = get_date(ck, "next_review", false);
    f->layout = get_string(ck, "layout", false);
    read_reviewer(ck, f);
    f->slug = get_string(ck, "slug", false);
    f->tags = get_string_list(ck, "tags");
    f->aliases = get_string_list(ck, "aliases");
    f->references = get_string_list(ck, "references");
}

static void read_other_fields(checker *ck, fm_fields *f)
{
    value *v = value_map_get(ck->map, "draft");
    if (v && v->kind != V_NULL) {
        if (v->kind == V_BOOL)
            f->draft = v->u.b;
        else
            field_error(ck, v, "'%s' must be true or false, not %s", "draft", value_kind_name(v->kind));
    }
    v = value_map_get(ck->map, "weight");
    if (v && v->kind != V_NULL) {
        if (v->kind == V_NUM && v->u.num == floor(v->u.num) && fabs(v->u.num) < 1e9) {
            f->has_weight = true;
            f->weight = v->u.num;
        } else {
            field_error(ck, v, "'%s' must be a whole number, not %s", "weight",
                        v->kind == V_NUM ? "a fraction" : value_kind_name(v->kind));
        }
    }
    v = value_map_get(ck->map, "tree");
    if (v && v->kind != V_NULL)
        f->tree = v;
    if (f->slug && !fm_slug_ok(f->slug))
        field_error(ck, value_map_get(ck->map, "slug"),
                    "unsafe slug '%s': use only a-z, 0-9 and '-'%s", f->slug, "");
    if (f->layout && (!*f->layout || strstr(f->layout, "..") || f->layout[0] == '/' ||
                      strspn(f->layout, "abcdefghijklmnopqrstuvwxyz0123456789-_/") != strlen(f->layout)))
        field_error(ck, value_map_get(ck->map, "layout"),
                    "unsafe layout name '%s': use a name from layouts/ such as article%s", f->layout, "");
    check_aliases(ck, f->aliases);
    check_tags(ck, f);
    check_computed_names(ck);
}

fm_fields *fm_read(const fm_parts *parts, fm_kind kind, const char *file, bool check_drafts, diag_list *diags)
{
    value *map = yaml_load(parts->yaml, parts->yaml_len, file, parts->yaml_line - 1, diags);
    if (!map)
        return NULL;
    if (map->kind != V_MAP) {
        diag_add(diags, DIAG_ERROR, file, map->line ? map->line : parts->yaml_line, map->col ? map->col : 1,
                 "front matter must be a map of 'key: value' lines, not %s", value_kind_name(map->kind));
        value_free(map);
        return NULL;
    }
    fm_fields *f = xcalloc(1, sizeof *f);
    f->all = map;
    const value *draft = value_map_get(map, "draft");
    if (!check_drafts && draft && draft->kind == V_BOOL && draft->u.b) {
        f->draft = true;
        return f;
    }
    checker ck = {.map = map, .file = file, .diags = diags, .fm_line = parts->yaml_line - 1, .ok = true};
    read_typed_fields(&ck, f, kind);
    read_other_fields(&ck, f);
    if (!ck.ok) {
        fm_fields_free(f);
        return NULL;
    }
    return f;
}

bool fm_is_reviewed(const fm_fields *f) { return f && f->reviewed_by; }

/* An error at the value of the front-matter key named. */
static void review_error(checker *ck, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void review_error(checker *ck, const char *key, const char *fmt, ...)
{
    const value *v = value_map_get(ck->map, key);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(ck->diags, DIAG_ERROR, ck->file, v ? v->line : 1, v ? v->col : 1, fmt, ap);
    va_end(ap);
    ck->ok = false;
}

static void check_reviewer(checker *ck, const fm_fields *f, const fm_review_rules *rules)
{
    bool has_name = f->reviewer_name && *f->reviewer_name, has_role = f->reviewer_role && *f->reviewer_role;
    if (!has_name && !has_role) {
        review_error(ck, "reviewed_by", "'reviewed_by' is empty: give the reviewer's name and role, or delete "
                                        "the line (the page is then shown as pending review)");
        return;
    }
    if (!has_role)
        review_error(ck, "reviewed_by", "'reviewed_by' has no role: add one, such as "
                                        "role: \"musculoskeletal physiotherapist\"");
    if (!has_name && rules->require_names)
        review_error(ck, "reviewed_by", "'reviewed_by' has no name: a review needs the name of the person "
                                        "who did it ([review] require_names in config.ini)");
}

/* "2026-12-02", for messages. */
static const char *iso(date d, strbuf *sb)
{
    strbuf_reset(sb);
    date_format_iso(d, sb);
    return strbuf_cstr(sb);
}

static void check_review_dates(checker *ck, const fm_fields *f, const fm_review_rules *rules)
{
    strbuf a = STRBUF_INIT, b = STRBUF_INIT;
    const date last = f->last_reviewed;
    if (!date_is_set(last)) {
        review_error(ck, "reviewed_by", "a reviewed page needs 'last_reviewed', the date of the review");
    } else if (date_cmp(last, rules->today) > 0) {
        review_error(ck, "last_reviewed", "'last_reviewed' %s is in the future (today is %s)", iso(last, &a),
                     iso(rules->today, &b));
    } else if (date_is_set(f->date) && date_cmp(last, f->date) < 0) {
        review_error(ck, "last_reviewed", "'last_reviewed' %s is before the page's own date %s", iso(last, &a),
                     iso(f->date, &b));
    }
    if (date_is_set(last) && date_is_set(f->next_review) && date_cmp(f->next_review, last) < 0)
        review_error(ck, "next_review", "'next_review' %s is before 'last_reviewed' %s", iso(f->next_review, &a),
                     iso(last, &b));
    strbuf_free(&a);
    strbuf_free(&b);
}

bool fm_check_review(const fm_fields *f, const fm_review_rules *rules, const char *file, diag_list *diags)
{
    checker ck = {.map = f->all, .file = file, .diags = diags, .ok = true};
    if (fm_is_reviewed(f)) {
        check_reviewer(&ck, f, rules);
        check_review_dates(&ck, f, rules);
        return ck.ok;
    }
    static const char *const dates[] = {"last_reviewed", "next_review"};
    for (size_t i = 0; i < sizeof dates / sizeof dates[0]; i++)
        if (value_map_get(f->all, dates[i]))
            review_error(&ck, dates[i], "'%s' without 'reviewed_by': a page pending review has no review dates; "
                                        "delete it, or add reviewed_by with the reviewer's name and role", dates[i]);
    return ck.ok;
}

/* The first n-byte needle in [at, end), or NULL (memmem is a GNU extension). */
static const char *find_in(const char *at, const char *end, const char *needle, size_t n)
{
    for (; (size_t)(end - at) >= n; at++) {
        at = memchr(at, needle[0], (size_t)(end - at) - n + 1);
        if (!at)
            return NULL;
        if (!memcmp(at, needle, n))
            return at;
    }
    return NULL;
}

bool fm_check_placeholder(const fm_parts *parts, const char *file, diag_list *diags)
{
    const char *at = parts->yaml, *end = parts->body + parts->body_len;
    const size_t n = strlen(FM_PLACEHOLDER);
    int line = parts->yaml_line; /* of the line at starts */
    bool ok = true;
    /* One search of the whole file, lines counted only up to a hit: a
       search per line cost a fiftieth of a build. */
    for (const char *hit; (hit = find_in(at, end, FM_PLACEHOLDER, n)) != NULL;) {
        for (const char *nl; (nl = memchr(at, '\n', (size_t)(hit - at))) != NULL; at = nl + 1)
            line++;
        int hit_line, col; /* columns count characters, as YAML errors' do */
        utf8_position(at, (size_t)(hit - at), line, &hit_line, &col);
        diag_add(diags, DIAG_ERROR, file, hit_line, col,
                 "placeholder text from 'lumbar new' in a published page: replace it, or keep 'draft: true'");
        ok = false;
        const char *line_end = memchr(hit, '\n', (size_t)(end - hit)); /* one error per line */
        if (!line_end)
            break;
        at = line_end + 1;
        line++;
    }
    return ok;
}

void fm_fields_free(fm_fields *f)
{
    if (!f)
        return;
    for (size_t i = 0; f->tag_slugs && i < f->tags->u.list.len; i++)
        free(f->tag_slugs[i]);
    free(f->tag_slugs);
    value_free(f->all);
    free(f);
}
