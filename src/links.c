#include "links.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "markdown.h"
#include "strbuf.h"
#include "strtab.h"
#include "suggest.h"
#include "xalloc.h"

/* ---- reading HTML -------------------------------------------------------- */

/* Decodes the few entities an escaped attribute value can hold. */
static void unescape_attr(const char *s, size_t n, strbuf *out)
{
    static const struct {
        const char *entity;
        char c;
    } entities[] = {{"&amp;", '&'},  {"&quot;", '"'}, {"&#39;", '\''},
                    {"&#x27;", '\''}, {"&lt;", '<'},   {"&gt;", '>'}};
    for (size_t i = 0; i < n;) {
        bool replaced = false;
        for (size_t e = 0; s[i] == '&' && e < sizeof entities / sizeof *entities && !replaced; e++) {
            size_t len = strlen(entities[e].entity);
            if (i + len <= n && !strncmp(s + i, entities[e].entity, len)) {
                strbuf_putc(out, entities[e].c);
                i += len;
                replaced = true;
            }
        }
        if (!replaced)
            strbuf_putc(out, s[i++]);
    }
}

static int hex_value(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Returns s with its %XX escapes decoded; the caller frees it. cmark
 * percent-encodes what it writes into href and src (spaces, quotes,
 * brackets, every byte of a non-ASCII letter), so a body link and its copy
 * in the page compare equal only once both are decoded. */
static char *percent_decoded(const char *s)
{
    strbuf out = STRBUF_INIT;
    for (size_t i = 0; s[i]; i++) {
        int hi, lo;
        if (s[i] == '%' && (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
            strbuf_putc(&out, (char)(hi * 16 + lo));
            i += 2;
        } else {
            strbuf_putc(&out, s[i]);
        }
    }
    return strbuf_detach(&out);
}

typedef struct known known;
static bool link_needs_check(const known *k, const page *p, const char *url);

typedef struct scan {
    page *p;
    const known *only_suspect; /* NULL: record every link */
    value *body_links;
    char **body_urls; /* each body link's URL, percent-decoded */
    bool *used;       /* which body links were matched already */
} scan;

/* Gives link the source position of the first body link not yet matched
 * whose URL is url's, and the URL as the body wrote it, for messages. */
static void place_link(scan *sc, value *link, const char *url)
{
    size_t n = sc->body_links ? sc->body_links->u.list.len : 0;
    if (n == 0)
        return;
    char *decoded = percent_decoded(url);
    for (size_t i = 0; i < n; i++) {
        const value *bl = sc->body_links->u.list.items[i];
        if (!sc->used[i] && !strcmp(sc->body_urls[i], decoded)) {
            sc->used[i] = true;
            value *written = value_map_get(bl, "written");
            value_map_set(link, "written", value_ref(written ? written : value_map_get(bl, "url")));
            value_map_set(link, "line", value_ref(value_map_get(bl, "line")));
            value_map_set(link, "col", value_ref(value_map_get(bl, "col")));
            break;
        }
    }
    free(decoded);
}

static void record(scan *sc, const char *name, size_t name_len, const char *val, size_t val_len)
{
    bool is_id = name_len == 2 && !strncasecmp(name, "id", 2);
    bool is_link = (name_len == 4 && !strncasecmp(name, "href", 4)) || (name_len == 3 && !strncasecmp(name, "src", 3));
    if (!is_id && !is_link) /* class, alt...: most attributes, not decoded at all */
        return;
    strbuf v = STRBUF_INIT;
    unescape_attr(val, val_len, &v);
    if (is_id) {
        value_list_push(sc->p->ids, value_str(strbuf_cstr(&v)));
    } else if (!sc->only_suspect || link_needs_check(sc->only_suspect, sc->p, strbuf_cstr(&v))) {
        /* Most links lead somewhere that exists; keeping only the rest
           keeps a 10,000-page build's memory flat. */
        value *link = value_map();
        value_map_set(link, "url", value_str(strbuf_cstr(&v)));
        place_link(sc, link, strbuf_cstr(&v));
        value_list_push(sc->p->links, link);
    }
    strbuf_free(&v);
}

/* Parses one tag's attributes from s (just after the tag name); returns
 * the position after '>'. */
static const char *scan_attrs(scan *sc, const char *s, const char *end)
{
    while (s < end && *s != '>') {
        while (s < end && (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == '/'))
            s++;
        const char *name = s;
        while (s < end && *s != '=' && *s != '>' && *s != ' ' && *s != '\n' && *s != '\t' && *s != '/')
            s++;
        size_t name_len = (size_t)(s - name);
        if (s < end && *s == '=') {
            s++;
            char quote = s < end && (*s == '"' || *s == '\'') ? *s++ : 0;
            const char *val = s;
            while (s < end && (quote ? *s != quote : (*s != ' ' && *s != '>' && *s != '\n')))
                s++;
            record(sc, name, name_len, val, (size_t)(s - val));
            if (quote && s < end)
                s++;
        } else if (name_len == 0 && s < end && *s != '>') {
            s++;
        }
    }
    return s < end ? s + 1 : end;
}

/* Skips raw-text elements (script, style) whose contents are not markup. */
static const char *skip_raw_text(const char *s, const char *end, const char *tag)
{
    size_t len = strlen(tag);
    for (; s + len + 2 < end; s++)
        if (s[0] == '<' && s[1] == '/' && !strncasecmp(s + 2, tag, len))
            return s;
    return end;
}

static bool has_id(const page *p, const char *id);

/* Drops the links to "#id" whose id the page has: a table of contents
 * makes most of a page's fragment links. */
static void drop_found_fragments(page *p)
{
    value *kept = value_list();
    for (size_t i = 0; i < p->links->u.list.len; i++) {
        value *link = p->links->u.list.items[i];
        const char *url = value_cstr(value_map_get(link, "url"));
        if (!(url[0] == '#' && has_id(p, url + 1)))
            value_list_push(kept, value_ref(link));
    }
    value_free(p->links);
    p->links = kept;
}

void links_scan(page *p, const char *html, size_t n, const value *body_links, const links_index *only_suspect)
{
    value_free(p->ids);
    value_free(p->links);
    p->ids = value_list();
    p->links = value_list();
    size_t nbody = body_links ? body_links->u.list.len : 0;
    scan sc = {p, only_suspect, (value *)body_links, xcalloc(nbody + 1, sizeof(char *)),
               xcalloc(nbody + 1, sizeof(bool))};
    for (size_t i = 0; i < nbody; i++)
        sc.body_urls[i] = percent_decoded(value_cstr(value_map_get(body_links->u.list.items[i], "url")));
    const char *s = html, *end = html + n;
    while ((s = memchr(s, '<', (size_t)(end - s))) != NULL) {
        if (end - s >= 4 && !strncmp(s, "<!--", 4)) {
            const char *close = strstr(s + 4, "-->");
            s = close ? close + 3 : end;
            continue;
        }
        s++;
        const char *tag = s;
        while (s < end && ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
            s++;
        size_t tag_len = (size_t)(s - tag);
        if (tag_len == 0)
            continue;
        s = scan_attrs(&sc, s, end);
        if (tag_len == 6 && !strncasecmp(tag, "script", 6))
            s = skip_raw_text(s, end, "script");
        else if (tag_len == 5 && !strncasecmp(tag, "style", 5))
            s = skip_raw_text(s, end, "style");
        if (s >= end)
            break;
    }
    for (size_t i = 0; i < nbody; i++)
        free(sc.body_urls[i]);
    free(sc.body_urls);
    free(sc.used);
    if (only_suspect)
        drop_found_fragments(p);
}

/* Appends to p->ids the value of every id="..." or id='...' attribute in
 * html. Text and attribute values escape their quotes, so outside scripts
 * the pattern is only ever an attribute; a stray match in a script adds an
 * id no link will name. */
static bool is_space(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

/* A letter of an unquoted id value as the theme would write one. */
static bool bare_id_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c && strchr("-_.:", c));
}

static void collect_ids(page *p, const char *html, size_t n)
{
    const char *s = html, *end = html + n;
    strbuf id = STRBUF_INIT;
    while ((s = memchr(s, '=', (size_t)(end - s))) != NULL) {
        const char *eq = s++;
        if (eq - html < 3 || eq[-1] != 'd' || eq[-2] != 'i' || !is_space(eq[-3]) || s == end)
            continue;
        char quote = *s == '"' || *s == '\'' ? *s++ : 0;
        const char *val = s;
        while (s < end && (quote ? *s != quote : bare_id_char(*s)))
            s++;
        if (!quote && (s == val || (s < end && !is_space(*s) && *s != '>')))
            continue; /* "id=&quot;x" in a text, say */
        strbuf_reset(&id);
        if (memchr(val, '&', (size_t)(s - val)))
            unescape_attr(val, (size_t)(s - val), &id);
        else
            strbuf_append(&id, val, (size_t)(s - val));
        value_list_push(p->ids, value_str(strbuf_cstr(&id)));
    }
    strbuf_free(&id);
}

void links_scan_body(page *p, const char *html, size_t n, const value *body_links, const links_index *idx)
{
    value_free(p->ids);
    value_free(p->links);
    p->ids = value_list();
    p->links = value_list();
    collect_ids(p, html, n);
    for (size_t i = 0; body_links && i < body_links->u.list.len; i++) {
        value *link = body_links->u.list.items[i];
        if (!idx || link_needs_check(idx, p, value_cstr(value_map_get(link, "url"))))
            value_list_push(p->links, value_ref(link));
    }
    drop_found_fragments(p);
}

/* ---- what exists --------------------------------------------------------- */

struct known {
    const char *base_path; /* the site's, before every path */
    char **paths;
    size_t len, cap;
    strtab table; /* the paths again, for the per-link lookup */
    page **pages; /* sorted by url */
    size_t npages;
};

static void add_path(known *k, const char *base_path, const char *rel)
{
    XGROW(k->paths, k->cap, k->len + 1, 256);
    size_t base_len = strlen(base_path), rel_len = strlen(rel);
    char *path = xmalloc(base_len + rel_len + 1);
    memcpy(path, base_path, base_len);
    memcpy(path + base_len, rel, rel_len + 1);
    k->paths[k->len++] = path;
}

static void add_assets(known *k, const char *base_path, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        strbuf path = STRBUF_INIT, child_rel = STRBUF_INIT;
        strbuf_printf(&path, "%s/%s", dir, e->d_name);
        strbuf_printf(&child_rel, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
        struct stat st;
        if (lstat(path.data, &st) == 0 && S_ISDIR(st.st_mode))
            add_assets(k, base_path, path.data, child_rel.data);
        else if (S_ISREG(st.st_mode))
            add_path(k, base_path, child_rel.data);
        strbuf_free(&path);
        strbuf_free(&child_rel);
    }
    closedir(d);
}

static int cmp_page_url(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->url, (*(page *const *)b)->url);
}

/* A file that failed to load has its own error; links to the URL it would
 * have had ("causes/x.md" -> causes/x/) are not reported as well. */
static void add_unloaded(known *k, const site *s)
{
    const char *base = s->cfg->base_path;
    for (size_t i = 0; i < s->unloaded.len; i++) {
        const char *cp = s->unloaded.items[i];
        size_t n = strlen(cp) - strlen(".md");
        const char *slash = strrchr(cp, '/');
        if (!strcmp(slash ? slash + 1 : cp, "_index.md"))
            n = slash ? (size_t)(slash - cp) : 0;
        strbuf rel = STRBUF_INIT;
        strbuf_append(&rel, cp, n);
        if (n)
            strbuf_putc(&rel, '/');
        add_path(k, base, rel.data);
        strbuf_free(&rel);
    }
}

/* Adds the paths of what s holds; links_index_add_files adds the rest. */
static void known_build(known *k, const site *s)
{
    const char *base = s->cfg->base_path;
    k->base_path = base;
    static const char *const generated[] = {"sitemap.xml", "atom.xml", "robots.txt", "search.json", NULL};
    for (const char *const *g = generated; *g; g++)
        add_path(k, base, *g);
    k->pages = xmalloc((s->npages ? s->npages : 1) * sizeof(page *));
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        if (p->skip)
            continue;
        add_path(k, base, p->rel_url);
        add_path(k, base, p->out_path);
        k->pages[k->npages++] = p;
    }
    for (size_t i = 0; i < s->aliases->u.list.len; i++) {
        const char *from = value_cstr(value_map_get(s->aliases->u.list.items[i], "from"));
        add_path(k, base, from);
        strbuf dir = STRBUF_INIT;
        strbuf_append(&dir, from, strlen(from) - strlen("index.html"));
        add_path(k, base, dir.data);
        strbuf_free(&dir);
    }
    add_unloaded(k, s);
    strbuf assets = STRBUF_INIT;
    strbuf_printf(&assets, "%s/assets", s->site_dir);
    add_assets(k, base, assets.data, "");
    strbuf_free(&assets);
    xqsort(k->pages, k->npages, sizeof(page *), cmp_page_url);
    for (size_t i = 0; i < k->len; i++)
        strtab_add(&k->table, k->paths[i], strlen(k->paths[i]), 0, NULL);
}

void links_index_add_files(links_index *k, const value *files)
{
    for (size_t i = 0; files && i < files->u.list.len; i++) {
        add_path(k, k->base_path, value_cstr(files->u.list.items[i]));
        strtab_add(&k->table, k->paths[k->len - 1], strlen(k->paths[k->len - 1]), 0, NULL);
    }
}

static bool known_has(const known *k, const char *path)
{
    return strtab_get(&k->table, path, strlen(path)) != NULL;
}

static page *known_page(const known *k, const char *url)
{
    page key = {.url = (char *)url};
    page *kp = &key;
    page **hit = xbsearch(&kp, k->pages, k->npages, sizeof(page *), cmp_page_url);
    return hit ? *hit : NULL;
}

/* The page a resolved path shows: by its URL, or by the index.html it is
 * served from ("/about/index.html" is the page "/about/"). */
static page *page_at(const known *k, const strbuf *path)
{
    page *hit = known_page(k, path->data);
    static const char index_name[] = "index.html";
    size_t n = sizeof index_name - 1;
    if (hit || path->len < n || strcmp(path->data + path->len - n, index_name) != 0)
        return hit;
    char *dir = xstrndup(path->data, path->len - n);
    hit = known_page(k, dir);
    free(dir);
    return hit;
}

static void known_free(known *k)
{
    for (size_t i = 0; i < k->len; i++)
        free(k->paths[i]);
    free(k->paths);
    strtab_free(&k->table);
    free(k->pages);
}

/* ---- resolving ----------------------------------------------------------- */

/* Appends the absolute, normalised, decoded path of url's path part as
 * seen from a page at page_url. */
static void resolve_path(const char *page_url, const char *path, size_t n, strbuf *out)
{
    strbuf joined = STRBUF_INIT;
    if (n == 0 || path[0] != '/') {
        const char *slash = strrchr(page_url, '/');
        strbuf_append(&joined, page_url, slash ? (size_t)(slash - page_url) + 1 : 0);
    }
    for (size_t i = 0; i < n; i++) {
        int hi, lo;
        if (path[i] == '%' && i + 2 < n && (hi = hex_value(path[i + 1])) >= 0 && (lo = hex_value(path[i + 2])) >= 0) {
            strbuf_putc(&joined, (char)(hi * 16 + lo));
            i += 2;
        } else {
            strbuf_putc(&joined, path[i]);
        }
    }
    /* Drop "." and resolve ".." segments. */
    const char *segs[512];
    size_t lens[512], count = 0;
    const char *s = strbuf_cstr(&joined);
    bool trailing = joined.len && s[joined.len - 1] == '/';
    while (*s) {
        while (*s == '/')
            s++;
        size_t len = strcspn(s, "/");
        if (len == 0)
            break;
        if (len == 1 && s[0] == '.') {
        } else if (len == 2 && s[0] == '.' && s[1] == '.') {
            if (count)
                count--;
        } else if (count < 512) {
            segs[count] = s;
            lens[count++] = len;
        }
        s += len;
    }
    strbuf_putc(out, '/');
    for (size_t i = 0; i < count; i++) {
        strbuf_append(out, segs[i], lens[i]);
        if (i + 1 < count || trailing)
            strbuf_putc(out, '/');
    }
    strbuf_free(&joined);
}

/* False for a link that certainly leads to a page or file of the site and
 * names no #fragment: links_check need not see it. */
static bool link_needs_check(const known *k, const page *p, const char *url)
{
    if (!*url || md_url_is_external(url))
        return false;
    size_t path_len = strcspn(url, "?#");
    const char *hash = strchr(url, '#');
    if (hash && hash[1])
        return true; /* ids are known only once every page has rendered */
    if (path_len == 0)
        return false;
    strbuf path = STRBUF_INIT;
    resolve_path(p->url, url, path_len, &path);
    bool found = known_has(k, path.data); /* every page's URL and index.html are paths */
    strbuf_free(&path);
    return !found;
}

links_index *links_index_new(const site *s)
{
    known *k = xcalloc(1, sizeof *k);
    known_build(k, s);
    return k;
}

void links_index_free(links_index *idx)
{
    if (!idx)
        return;
    known_free(idx);
    free(idx);
}

typedef struct checker {
    const site *s;
    const known *k;
    diag_list *diags;
    char **layout_errors; /* "layout\tmessage\tpage number", reported once per layout and message */
    size_t nlayout_errors;
    size_t page_number;   /* of the page being checked */
    bool theme_links;     /* also check the links the layouts wrote */
} checker;

static void report(checker *ck, const page *p, const value *link, const char *msg)
{
    const value *line = value_map_get(link, "line");
    if (line && p->src_path) {
        /* A list's further pages repeat the body of its first, which
           reports the link once. */
        if (p->owns_fm)
            diag_add(ck->diags, DIAG_ERROR, p->src_path, (int)line->u.num, (int)value_map_get(link, "col")->u.num,
                     "%s", msg);
        return;
    }
    strbuf key = STRBUF_INIT;
    strbuf_printf(&key, "layouts/%s.html\t%s\t%020zu", p->layout, msg, ck->page_number);
    ck->layout_errors = xrealloc(ck->layout_errors, (ck->nlayout_errors + 1) * sizeof(char *));
    ck->layout_errors[ck->nlayout_errors++] = strbuf_detach(&key);
}

static bool has_id(const page *p, const char *id)
{
    for (size_t i = 0; p->ids && i < p->ids->u.list.len; i++)
        if (!strcmp(p->ids->u.list.items[i]->u.str.ptr, id))
            return true;
    return false;
}

/* Appends "; did you mean 'ID'?" naming target's id closest to id, if any. */
static void suggest_id(const page *target, const char *id, strbuf *msg)
{
    size_t n = target->ids ? target->ids->u.list.len : 0;
    const char **ids = xmalloc((n ? n : 1) * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = target->ids->u.list.items[i]->u.str.ptr;
    /* A likely typo is offered as one; otherwise the nearest id still
       tells the editor what the page's ids look like. */
    const char *closest = suggest_closest(id, ids, n), *nearest = closest ? NULL : suggest_nearest(id, ids, n);
    if (closest)
        strbuf_printf(msg, "; did you mean '#%s'?", closest);
    else if (nearest)
        strbuf_printf(msg, "; the closest id there is '#%s'", nearest);
    free(ids);
}

static void check_link(checker *ck, const page *p, const value *link)
{
    const char *url = value_cstr(value_map_get(link, "url"));
    const value *written = value_map_get(link, "written");
    const char *shown = written ? value_cstr(written) : url;
    if (!*url || md_url_is_external(url))
        return;
    if (!ck->theme_links && !value_map_get(link, "line"))
        return; /* a layout's: lumbar check's to judge */
    size_t path_len = strcspn(url, "?#");
    /* A body link to a .md file that is still one did not resolve, and
       markdown.c said why where it met it. */
    if (written && path_len >= 3 && !strncmp(url + path_len - 3, ".md", 3))
        return;
    const char *hash = strchr(url, '#');
    strbuf path = STRBUF_INIT, msg = STRBUF_INIT;
    resolve_path(p->url, url, path_len, &path);
    const char *base = ck->s->cfg->base_path;
    const page *target = path_len == 0 ? p : page_at(ck->k, &path);
    if (path_len && strncmp(path.data, base, strlen(base)) != 0) {
        strbuf_printf(&msg, "link to '%s' leads outside the site's base path %s", shown, base);
    } else if (path_len && !target && !known_has(ck->k, path.data)) {
        strbuf_puts(&path, "/");
        if (known_page(ck->k, path.data))
            strbuf_printf(&msg, "link to '%s' needs a trailing slash: %s", shown, path.data);
        else
            strbuf_printf(&msg, "link to '%s' points to no page or file of the site", shown);
    } else if (target && target->rendered && hash && hash[1] && !has_id(target, hash + 1)) {
        /* A page whose body failed rendered without part of its ids. */
        strbuf_printf(&msg, "link to '%s': no element with id '%s' on %s", shown, hash + 1, target->url);
        suggest_id(target, hash + 1, &msg);
    }
    if (msg.len)
        report(ck, p, link, msg.data);
    strbuf_free(&path);
    strbuf_free(&msg);
}

/* The length of an entry's "layout\tmessage" part. */
static size_t without_page(const char *entry) { return (size_t)(strrchr(entry, '\t') - entry); }

/* One error per layout and message, with the number of pages it is on: a
 * link repeated on one page (the tree's reminder under every question)
 * counts that page once. */
static void report_layout_errors(checker *ck)
{
    xqsort(ck->layout_errors, ck->nlayout_errors, sizeof(char *), cmp_cstr);
    for (size_t i = 0; i < ck->nlayout_errors;) {
        const char *first = ck->layout_errors[i];
        size_t len = without_page(first), pages = 0, j = i;
        for (; j < ck->nlayout_errors && without_page(ck->layout_errors[j]) == len &&
               !strncmp(ck->layout_errors[j], first, len);
             j++)
            pages += j == i || strcmp(ck->layout_errors[j], ck->layout_errors[j - 1]) != 0;
        char *text = xstrndup(first, len);
        char *tab = strchr(text, '\t');
        *tab = '\0';
        diag_add(ck->diags, DIAG_ERROR, text, 0, 0, "%s (on %zu page%s)", tab + 1, pages, pages == 1 ? "" : "s");
        free(text);
        for (size_t k = i; k < j; k++)
            free(ck->layout_errors[k]);
        i = j;
    }
    free(ck->layout_errors);
}

void links_check(const site *s, const links_index *idx, bool theme_links, diag_list *diags)
{
    checker ck = {.s = s, .k = idx, .diags = diags, .theme_links = theme_links};
    for (size_t i = 0; i < s->npages; i++) {
        const page *p = s->pages[i];
        ck.page_number = i;
        for (size_t l = 0; p->links && l < p->links->u.list.len; l++)
            check_link(&ck, p, p->links->u.list.items[l]);
    }
    report_layout_errors(&ck);
}
