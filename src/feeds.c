#include "feeds.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hash.h"
#include "parallel.h"
#include "words.h"
#include "xalloc.h"

static void xml_text(strbuf *out, const char *s) { esc_xml(out, s, strlen(s)); }

static const char *ctx_str(const page *p, const char *name) { return value_cstr(value_map_get(p->ctx, name)); }

/* Every page a successful build writes: the sitemap is made while pages
 * render, and a build in which one fails writes nothing. */
static bool in_sitemap(const page *p) { return p->kind != PAGE_404 && !p->skip; }

static int cmp_url(const void *a, const void *b)
{
    return strcmp((*(page *const *)a)->url, (*(page *const *)b)->url);
}

void feeds_sitemap(const site *s, strbuf *xml)
{
    page **sorted = xmalloc((s->npages ? s->npages : 1) * sizeof *sorted);
    memcpy(sorted, s->pages, s->npages * sizeof *sorted);
    xqsort(sorted, s->npages, sizeof *sorted, cmp_url);
    strbuf_puts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for (size_t i = 0; i < s->npages; i++) {
        const page *p = sorted[i];
        if (!in_sitemap(p))
            continue;
        strbuf_puts(xml, "  <url><loc>");
        xml_text(xml, ctx_str(p, "permalink"));
        strbuf_puts(xml, "</loc>");
        const char *mod = ctx_str(p, "updated") ? ctx_str(p, "updated") : ctx_str(p, "date");
        if (mod && p->fm && p->owns_fm) {
            strbuf_puts(xml, "<lastmod>");
            xml_text(xml, mod);
            strbuf_puts(xml, "</lastmod>");
        }
        strbuf_puts(xml, "</url>\n");
    }
    strbuf_puts(xml, "</urlset>\n");
    free(sorted);
}

static void atom_time(strbuf *out, const char *day) { strbuf_printf(out, "%sT00:00:00Z", day); }

static void atom_entry(strbuf *xml, const page *p)
{
    const char *published = ctx_str(p, "date");
    const char *updated = ctx_str(p, "updated") ? ctx_str(p, "updated") : published;
    strbuf_puts(xml, "  <entry>\n    <title>");
    xml_text(xml, p->fm->title);
    strbuf_puts(xml, "</title>\n    <link rel=\"alternate\" type=\"text/html\" href=\"");
    xml_text(xml, ctx_str(p, "permalink"));
    strbuf_puts(xml, "\"/>\n    <id>");
    xml_text(xml, ctx_str(p, "permalink"));
    strbuf_puts(xml, "</id>\n    <published>");
    atom_time(xml, published);
    strbuf_puts(xml, "</published>\n    <updated>");
    atom_time(xml, updated);
    strbuf_puts(xml, "</updated>\n");
    if (p->fm->description) {
        strbuf_puts(xml, "    <summary>");
        xml_text(xml, p->fm->description);
        strbuf_puts(xml, "</summary>\n");
    }
    if (p->section) {
        strbuf_puts(xml, "    <category term=\"");
        xml_text(xml, p->section);
        strbuf_puts(xml, "\"/>\n");
    }
    strbuf_puts(xml, "  </entry>\n");
}

void feeds_atom(const site *s, strbuf *xml)
{
    size_t n = 0;
    const page *articles[FEED_ENTRIES];
    for (size_t i = 0; i < s->nnewest && n < FEED_ENTRIES; i++)
        if (s->newest[i]->kind == PAGE_ARTICLE)
            articles[n++] = s->newest[i];
    /* The feed changes when its newest entry does: no clock involved. */
    const char *newest = "1970-01-01";
    for (size_t i = 0; i < n; i++) {
        const char *u = ctx_str(articles[i], "updated") ? ctx_str(articles[i], "updated") : ctx_str(articles[i], "date");
        if (strcmp(u, newest) > 0)
            newest = u;
    }
    strbuf_puts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"");
    strbuf_puts(xml, " xml:lang=\"");
    xml_text(xml, s->cfg->language);
    strbuf_puts(xml, "\">\n  <title>");
    xml_text(xml, s->cfg->title);
    strbuf_puts(xml, "</title>\n");
    if (*s->cfg->description) {
        strbuf_puts(xml, "  <subtitle>");
        xml_text(xml, s->cfg->description);
        strbuf_puts(xml, "</subtitle>\n");
    }
    strbuf_puts(xml, "  <link rel=\"alternate\" type=\"text/html\" href=\"");
    xml_text(xml, s->cfg->base_url);
    strbuf_puts(xml, "\"/>\n  <link rel=\"self\" type=\"application/atom+xml\" href=\"");
    xml_text(xml, s->cfg->base_url);
    strbuf_puts(xml, "atom.xml\"/>\n  <id>");
    xml_text(xml, s->cfg->base_url);
    strbuf_puts(xml, "</id>\n  <updated>");
    atom_time(xml, newest);
    strbuf_puts(xml, "</updated>\n  <author><name>");
    xml_text(xml, s->cfg->title);
    strbuf_puts(xml, "</name></author>\n  <generator>lumbar</generator>\n");
    for (size_t i = 0; i < n; i++)
        atom_entry(xml, articles[i]);
    strbuf_puts(xml, "</feed>\n");
}

static void builtin_alias(const site *s, const value *alias, strbuf *html)
{
    const char *target = value_cstr(value_map_get(alias, "target"));
    const char *permalink = value_cstr(value_map_get(alias, "permalink"));
    strbuf_puts(html, "<!DOCTYPE html>\n<html lang=\"");
    esc_html(html, s->cfg->language, strlen(s->cfg->language));
    strbuf_puts(html, "\">\n<head>\n<meta charset=\"utf-8\">\n<title>This page has moved</title>\n"
                      "<meta name=\"robots\" content=\"noindex\">\n<link rel=\"canonical\" href=\"");
    esc_html(html, permalink, strlen(permalink));
    strbuf_puts(html, "\">\n<meta http-equiv=\"refresh\" content=\"0; url=");
    esc_html(html, target, strlen(target));
    strbuf_puts(html, "\">\n</head>\n<body>\n<p>This page has moved to <a href=\"");
    esc_html(html, target, strlen(target));
    strbuf_puts(html, "\">");
    esc_html(html, permalink, strlen(permalink));
    strbuf_puts(html, "</a>.</p>\n</body>\n</html>\n");
}

static bool write_aliases(const site *s, const tpl_set *tpl, output *out, diag_list *diags)
{
    bool ok = true;
    strbuf html = STRBUF_INIT;
    for (size_t i = 0; i < s->aliases->u.list.len; i++) {
        const value *alias = s->aliases->u.list.items[i];
        strbuf_reset(&html);
        const value *stack[] = {s->site_ctx, alias};
        if (tpl_set_has(tpl, "alias")) {
            if (!tpl_render(tpl, "alias", stack, 2, &html)) {
                diag_add(diags, DIAG_ERROR, "layouts/alias.html", 0, 0, "the alias layout could not be rendered");
                ok = false;
                break;
            }
        } else {
            builtin_alias(s, alias, &html);
        }
        ok = output_write(out, value_cstr(value_map_get(alias, "from")), strbuf_cstr(&html), html.len, diags) && ok;
    }
    strbuf_free(&html);
    return ok;
}

bool feeds_write_site_files(const site *s, const tpl_set *tpl, output *out, diag_list *diags)
{
    strbuf buf = STRBUF_INIT;
    feeds_sitemap(s, &buf);
    bool ok = output_write(out, "sitemap.xml", buf.data, buf.len, diags);
    strbuf_reset(&buf);
    feeds_atom(s, &buf);
    ok = output_write(out, "atom.xml", buf.data, buf.len, diags) && ok;
    strbuf_reset(&buf);
    strbuf_printf(&buf, "User-agent: *\nAllow: /\n\nSitemap: %ssitemap.xml\n", s->cfg->base_url);
    ok = output_write(out, "robots.txt", buf.data, buf.len, diags) && ok;
    strbuf_free(&buf);
    return write_aliases(s, tpl, out, diags) && ok;
}

/* ---- the search index ----------------------------------------------------
 * The format is described in docs/templates.md ("Search index"). In short:
 * search.json is a manifest of shard keys; search/s/HEX.json holds, for
 * every term whose first letters are the key, its postings as a string of
 * base-64 digits; search/d/GROUP/ID.json holds what a result shows. */

/* A term's score in a page is its BM25 score over the body plus a bonus for
 * each other field it is in, all times its idf: a word of the title counts
 * for more than any number of mentions in the body can. */
enum { F_BODY = 0, F_TITLE = 1, F_HEADING = 2, F_SUMMARY = 4 };
#define BONUS_TITLE 2.5
#define BONUS_HEADING 1.2
#define BONUS_SUMMARY 0.6
#define BM25_K1 1.2
#define BM25_B 0.75
#define SCORE_SCALE 2.0 /* a posting's score is round(score * 2), 1 to 63 */
#define SHARD_TARGET 32768 /* bytes: a shard over it splits by one more letter */

static const char digits64[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";

/* A page's terms, their counts and fields: an open-addressing table over
 * keys kept one after another in one buffer, so that the thousands of words
 * of a page cost no allocation each. */
typedef struct term_slot {
    uint64_t hash;     /* words_hash of the key */
    uint32_t off, len; /* into keys; len 0: empty */
    uint32_t count;    /* in the body */
    uint32_t fields;   /* the F_ bits of the other fields it is in */
} term_slot;

typedef struct term_counts {
    strbuf keys;
    term_slot *slots;
    size_t cap, used;
} term_counts;

static void counts_grow(term_counts *tc)
{
    size_t cap = tc->cap ? 2 * tc->cap : 512;
    term_slot *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < tc->cap; i++) {
        const term_slot *t = &tc->slots[i];
        if (!t->len)
            continue;
        size_t at = (size_t)hash_mix(t->hash) & (cap - 1);
        while (slots[at].len)
            at = (at + 1) & (cap - 1);
        slots[at] = *t;
    }
    free(tc->slots);
    tc->slots = slots;
    tc->cap = cap;
}

/* memcmp for the few bytes of a word, without the call. */
static bool same_term(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* Adds count and fields to the term of len bytes whose words_hash is
 * hash; a new term's key is copied in. */
static void counts_add(term_counts *tc, const char *term, size_t len, uint64_t hash, unsigned count, unsigned fields)
{
    if (2 * (tc->used + 1) > tc->cap)
        counts_grow(tc);
    for (size_t i = (size_t)hash_mix(hash) & (tc->cap - 1);; i = (i + 1) & (tc->cap - 1)) {
        term_slot *t = &tc->slots[i];
        if (!t->len) {
            *t = (term_slot){hash, (uint32_t)tc->keys.len, (uint32_t)len, count, fields};
            strbuf_append(&tc->keys, term, len);
            tc->used++;
            return;
        }
        if (t->hash == hash && t->len == len && same_term(tc->keys.data + t->off, term, len)) {
            t->count += count;
            t->fields |= fields;
            return;
        }
    }
}

typedef struct field_words {
    term_counts *tc;
    unsigned field;
} field_words;

static void add_word(void *ctx, const char *word, size_t len, uint64_t hash)
{
    const field_words *fw = ctx;
    counts_add(fw->tc, word, len, hash, fw->field == F_BODY, fw->field);
}

/* Adds every word of text, as in field; returns how many. */
static size_t add_words(term_counts *tc, const char *text, unsigned field)
{
    field_words fw = {tc, field};
    return text ? words_each(text, strlen(text), add_word, &fw) : 0;
}

/* A page's number among the search documents: its place in by_path, which
 * every thread knows before rendering starts. */
static size_t search_doc_id(const site *s, const page *p)
{
    size_t lo = 0, hi = s->nby_path;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(p->content_path, s->by_path[mid]->content_path);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* search/d/GROUP/ID.json, GROUP being ID / DOC_GROUP: in one folder of
 * 10,000 files, finding a name took ext4 more time than writing the file. */
#define DOC_GROUP 128
static void doc_path(strbuf *path, size_t id) { strbuf_printf(path, "search/d/%zu/%zu.json", id / DOC_GROUP, id); }

static void json_field(strbuf *json, const char *key, const char *val, size_t n)
{
    strbuf_putc(json, '"');
    strbuf_puts(json, key);
    strbuf_puts(json, "\":");
    esc_json(json, val ? val : "", val ? n : 0);
}

/* Cuts text to at most max bytes at a UTF-8 boundary. */
static size_t utf8_cut(const char *text, size_t n, size_t max)
{
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)text[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* The page's key points (front matter key_points, a list of strings) as one
 * text, or NULL. */
static char *key_points(const page *p)
{
    const value *kp = value_map_get(p->fm->all, "key_points");
    if (!kp || kp->kind != V_LIST)
        return NULL;
    strbuf text = STRBUF_INIT;
    for (size_t i = 0; i < kp->u.list.len; i++) {
        const char *item = value_cstr(kp->u.list.items[i]);
        if (item) {
            strbuf_puts(&text, item);
            strbuf_puts(&text, " ");
        }
    }
    return strbuf_detach(&text);
}

static bool write_search_doc(const page *p, size_t id, const char *points, const char *text, output *out,
                             diag_list *diags)
{
    strbuf json = STRBUF_INIT, path = STRBUF_INIT;
    const char *section = ctx_str(p, "section_title");
    strbuf_putc(&json, '{');
    json_field(&json, "t", p->fm->title, strlen(p->fm->title));
    strbuf_putc(&json, ',');
    json_field(&json, "u", p->url, strlen(p->url));
    strbuf_putc(&json, ',');
    json_field(&json, "s", section, section ? strlen(section) : 0);
    strbuf_putc(&json, ',');
    json_field(&json, "d", p->fm->description, p->fm->description ? strlen(p->fm->description) : 0);
    strbuf_putc(&json, ',');
    strbuf body = STRBUF_INIT;
    if (points)
        strbuf_puts(&body, points);
    strbuf_puts(&body, text);
    json_field(&json, "x", body.data, utf8_cut(body.data, body.len, SEARCH_TEXT_MAX));
    strbuf_puts(&json, "}\n");
    doc_path(&path, id);
    bool ok = output_write(out, strbuf_cstr(&path), json.data, json.len, diags);
    strbuf_free(&body);
    strbuf_free(&json);
    strbuf_free(&path);
    return ok;
}

/* The record's terms for an indexed text: "LENGTH\n" then a line
 * "TERM\tCOUNT FIELDS" per stemmed term. */
static char *count_terms(const page *p, const char *points, const char *text, const value *headings)
{
    /* Words are counted as they are and stemmed once each: a page repeats
       its words, and stemming every one cost more than counting. */
    term_counts words = {STRBUF_INIT, NULL, 0, 0}, tc = {STRBUF_INIT, NULL, 0, 0};
    add_words(&words, p->fm->title, F_TITLE);
    for (size_t h = 0; headings && h < headings->u.list.len; h++)
        add_words(&words, value_cstr(headings->u.list.items[h]), F_HEADING);
    add_words(&words, p->fm->description, F_SUMMARY);
    add_words(&words, points, F_SUMMARY);
    size_t length = add_words(&words, text, F_BODY);
    strbuf stem = STRBUF_INIT;
    for (size_t i = 0; i < words.cap; i++) {
        const term_slot *t = &words.slots[i];
        if (!t->len)
            continue;
        strbuf_reset(&stem);
        strbuf_append(&stem, words.keys.data + t->off, t->len);
        words_stem(&stem);
        counts_add(&tc, stem.data, stem.len, words_hash(stem.data, stem.len), t->count, t->fields);
    }
    strbuf_free(&stem);
    free(words.slots);
    strbuf_free(&words.keys);
    strbuf rec = STRBUF_INIT;
    strbuf_reserve(&rec, tc.keys.len + 8 * tc.used + 24);
    strbuf_put_uint(&rec, length, 1);
    for (size_t i = 0; i < tc.cap; i++) {
        const term_slot *t = &tc.slots[i];
        if (!t->len)
            continue;
        strbuf_putc(&rec, '\n');
        strbuf_append(&rec, tc.keys.data + t->off, t->len);
        strbuf_putc(&rec, '\t');
        strbuf_put_uint(&rec, t->count, 1);
        strbuf_putc(&rec, ' ');
        strbuf_put_uint(&rec, t->fields, 1);
    }
    free(tc.slots);
    strbuf_free(&tc.keys);
    return strbuf_detach(&rec);
}

/* The key of everything count_terms reads. */
static uint64_t terms_key(const page *p, const char *points, const char *text, const value *headings)
{
    size_t nheadings = headings ? headings->u.list.len : 0, n = 0;
    const char **parts = xmalloc((nheadings + 5) * sizeof *parts);
    parts[n++] = p->fm->title;
    parts[n++] = p->fm->description;
    parts[n++] = points;
    parts[n++] = text;
    for (size_t h = 0; h < nheadings; h++)
        parts[n++] = value_cstr(headings->u.list.items[h]);
    uint64_t key = termcache_key(parts, n);
    free(parts);
    return key;
}

char *feeds_search_entry(const site *s, page *p, const char *text, const value *headings, termcache *terms,
                         output *out, diag_list *diags)
{
    size_t id = search_doc_id(s, p);
    char *points = key_points(p);
    if (!write_search_doc(p, id, points, text, out, diags)) {
        free(points);
        return NULL;
    }
    p->search_key = terms_key(p, points, text, headings);
    const char *cached = terms ? termcache_get(terms, p->search_key) : NULL;
    char *counted = cached ? NULL : count_terms(p, points, text, headings);
    free(points);
    strbuf rec = STRBUF_INIT;
    strbuf_put_uint(&rec, id, 1);
    strbuf_putc(&rec, ' ');
    strbuf_puts(&rec, cached ? cached : counted);
    strbuf_putc(&rec, '\n');
    free(counted);
    return strbuf_detach(&rec);
}

void feeds_save_terms(const site *s, termcache *terms)
{
    size_t most = s->nby_path ? s->nby_path : 1, n = 0;
    uint64_t *keys = xmalloc(most * sizeof *keys);
    const char **records = xmalloc(most * sizeof *records);
    size_t *lens = xmalloc(most * sizeof *lens);
    for (size_t i = 0; i < s->nby_path; i++) {
        const page *p = s->by_path[i];
        if (!p->rendered || !p->search_entry)
            continue;
        /* The record less its document number and final newline. */
        records[n] = strchr(p->search_entry, ' ') + 1;
        lens[n] = strlen(records[n]) - 1;
        keys[n++] = p->search_key;
    }
    (void)termcache_save(terms, keys, records, lens, n);
    free(lens);
    free(records);
    free(keys);
}

/* ---- gathering the postings ---- */

typedef struct posting {
    uint32_t doc;
    uint32_t count;  /* in the body */
    uint32_t fields; /* F_ bits */
    uint32_t length; /* of the body */
} posting;

typedef struct index_term {
    const char *term; /* into a page's record, up to its tab */
    size_t len;
    posting *postings;
    size_t count, cap;
    char *encoded; /* the postings, once encode_postings has run */
    size_t bytes;  /* of its part of a shard */
} index_term;

typedef struct term_table {
    index_term *slots;
    size_t cap, used;
} term_table;

static index_term *table_get(term_table *t, const char *term, size_t len)
{
    if (2 * (t->used + 1) > t->cap) {
        term_table bigger = {xcalloc(t->cap ? 2 * t->cap : 1024, sizeof(index_term)), t->cap ? 2 * t->cap : 1024, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->slots[i].term)
                *table_get(&bigger, t->slots[i].term, t->slots[i].len) = t->slots[i];
        free(t->slots);
        *t = bigger;
    }
    size_t i = (size_t)hash_mix(hash_bytes(HASH_SEED, term, len)) & (t->cap - 1);
    while (t->slots[i].term && (t->slots[i].len != len || memcmp(t->slots[i].term, term, len)))
        i = (i + 1) & (t->cap - 1);
    if (!t->slots[i].term) {
        t->slots[i] = (index_term){.term = term, .len = len};
        t->used++;
    }
    return &t->slots[i];
}

static void add_posting(index_term *it, posting p)
{
    if (it->count == it->cap) {
        it->cap = it->cap ? 2 * it->cap : 4;
        it->postings = xrealloc(it->postings, it->cap * sizeof *it->postings);
    }
    it->postings[it->count++] = p;
}

/* The decimal number at *s (the records feeds_search_entry writes, a
 * space or newline after each); moves *s past it and one space. strtoul's
 * locale and overflow handling cost more than the rest of gathering. */
static uint32_t read_number(const char **s)
{
    const char *c = *s;
    uint32_t n = 0;
    while (*c >= '0' && *c <= '9')
        n = n * 10 + (uint32_t)(*c++ - '0');
    *s = *c == ' ' ? c + 1 : c;
    return n;
}

/* Reads every page's record into t, in document order; returns the number
 * of documents and sets *total to the sum of their lengths. */
static size_t gather(const site *s, term_table *t, double *total)
{
    size_t docs = 0;
    *total = 0;
    for (size_t i = 0; i < s->nby_path; i++) {
        const page *p = s->by_path[i];
        if (!p->rendered || !p->search_entry)
            continue;
        const char *line = p->search_entry;
        uint32_t doc = read_number(&line), length = read_number(&line);
        docs++;
        *total += (double)length;
        while (*line == '\n' && line[1]) {
            const char *term = ++line;
            const char *tab = strchr(term, '\t');
            line = tab + 1;
            uint32_t count = read_number(&line), fields = read_number(&line);
            add_posting(table_get(t, term, (size_t)(tab - term)), (posting){doc, count, fields, length});
        }
    }
    return docs;
}

static void put_digits64(strbuf *out, unsigned long v)
{
    char tmp[16];
    size_t n = 0;
    tmp[n++] = digits64[v & 31];
    for (v >>= 5; v; v >>= 5)
        tmp[n++] = digits64[32 + (v & 31)];
    while (n)
        strbuf_putc(out, tmp[--n]);
}

/* One term's postings: per document, the gap from the previous one's
 * number (the first from -1) as base-32 digits (all but the last from the
 * upper half of digits64), then its score as one digit. */
static void encode_postings(const index_term *it, size_t docs, double avg_length, strbuf *out)
{
    double df = (double)it->count;
    /* Not BM25's own idf, which is nearly 0 for a word on every page: the
       bonus of "red flags" in a title must count on a site where every page
       says it. */
    double idf = log(1.0 + (double)docs / df);
    long prev = -1;
    for (size_t i = 0; i < it->count; i++) {
        const posting *p = &it->postings[i];
        double tf = p->count, norm = 1.0 - BM25_B + BM25_B * (avg_length > 0 ? p->length / avg_length : 1.0);
        double score = tf * (BM25_K1 + 1.0) / (tf + BM25_K1 * norm);
        score += (p->fields & F_TITLE ? BONUS_TITLE : 0) + (p->fields & F_HEADING ? BONUS_HEADING : 0) +
                 (p->fields & F_SUMMARY ? BONUS_SUMMARY : 0);
        long q = lround(SCORE_SCALE * idf * score);
        put_digits64(out, (unsigned long)((long)p->doc - prev));
        strbuf_putc(out, digits64[q < 1 ? 1 : q > 63 ? 63 : q]);
        prev = (long)p->doc;
    }
}

static int cmp_index_term(const void *a, const void *b)
{
    const index_term *x = a, *y = b;
    int c = memcmp(x->term, y->term, x->len < y->len ? x->len : y->len);
    return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Bytes of the first `chars` characters of term (all of it when shorter). */
static size_t prefix_bytes(const index_term *it, size_t chars)
{
    size_t i = 0;
    for (size_t c = 0; i < it->len && c < chars; c++)
        do
            i++;
        while (i < it->len && ((unsigned char)it->term[i] & 0xC0) == 0x80);
    return i;
}

static bool same_key(const index_term *a, const index_term *b, size_t chars)
{
    size_t n = prefix_bytes(a, chars);
    return n == prefix_bytes(b, chars) && !memcmp(a->term, b->term, n);
}

typedef struct shard_writer {
    output *out;
    diag_list *diags;
    strbuf keys;      /* the manifest's list */
    uint64_t version; /* hash of every shard */
    bool ok;
} shard_writer;

static void write_shard(shard_writer *w, const index_term *terms, size_t n, size_t key_chars)
{
    size_t key_len = prefix_bytes(&terms[0], key_chars);
    strbuf path = STRBUF_INIT, json = STRBUF_INIT;
    strbuf_puts(&path, "search/s/");
    for (size_t i = 0; i < key_len; i++)
        strbuf_printf(&path, "%02x", (unsigned char)terms[0].term[i]);
    strbuf_puts(&path, ".json");
    strbuf_puts(&w->keys, w->keys.len ? ",\n" : "\n");
    esc_json(&w->keys, terms[0].term, key_len);
    strbuf_putc(&json, '{');
    for (size_t i = 0; i < n; i++) {
        strbuf_puts(&json, i ? ",\n" : "\n");
        esc_json(&json, terms[i].term, terms[i].len);
        strbuf_puts(&json, ":\"");
        strbuf_puts(&json, terms[i].encoded);
        strbuf_putc(&json, '"');
    }
    strbuf_puts(&json, "\n}\n");
    w->version = hash_bytes(w->version, json.data, json.len);
    w->ok = output_write(w->out, strbuf_cstr(&path), json.data, json.len, w->diags) && w->ok;
    strbuf_free(&json);
    strbuf_free(&path);
}

/* Writes terms[0..n), which share their first key_chars - 1 characters, as
 * shards keyed by their first key_chars: one whose terms add up to more
 * than SHARD_TARGET bytes splits by one more character, unless a single
 * term fills it. */
static void write_shards(shard_writer *w, const index_term *terms, size_t n, size_t key_chars)
{
    for (size_t i = 0; i < n;) {
        size_t j = i, bytes = 0;
        bool longer = false;
        for (; j < n && same_key(&terms[i], &terms[j], key_chars); j++) {
            bytes += terms[j].bytes;
            longer = longer || prefix_bytes(&terms[j], key_chars) < terms[j].len;
        }
        if (bytes > SHARD_TARGET && longer && j - i > 1) {
            /* The term equal to the key, if any, sorts first: a shard of its own. */
            size_t rest = i;
            if (prefix_bytes(&terms[i], key_chars) == terms[i].len) {
                write_shard(w, &terms[i], 1, key_chars);
                rest++;
            }
            write_shards(w, &terms[rest], j - rest, key_chars + 1);
        } else {
            write_shard(w, &terms[i], j - i, key_chars);
        }
        i = j;
    }
}

typedef struct encoding {
    index_term *terms;
    size_t docs;
    double avg_length;
} encoding;

static void encode_term(void *arg, size_t i)
{
    const encoding *e = arg;
    index_term *it = &e->terms[i];
    strbuf enc = STRBUF_INIT;
    encode_postings(it, e->docs, e->avg_length, &enc);
    free(it->postings);
    it->postings = NULL;
    it->bytes = it->len + enc.len + 6;
    it->encoded = strbuf_detach(&enc);
}

void feeds_search_doc_path(const site *s, const page *p, strbuf *path) { doc_path(path, search_doc_id(s, p)); }

bool feeds_write_search_index(const site *s, output *out, int jobs, bool unchanged, diag_list *diags)
{
    if (unchanged && output_link_recorded_set(out, "search.json", "search/s/"))
        return true;
    term_table table = {0};
    double total_length;
    size_t docs = gather(s, &table, &total_length);
    index_term *terms = xmalloc((table.used ? table.used : 1) * sizeof *terms);
    size_t n = 0;
    for (size_t i = 0; i < table.cap; i++)
        if (table.slots[i].term)
            terms[n++] = table.slots[i];
    free(table.slots);
    /* Gathering does not gain from a second thread (two tables of nearly
       the same words cost what one does); encoding the terms does. */
    encoding e = {terms, docs, docs ? total_length / (double)docs : 0};
    parallel_for(n, jobs, encode_term, &e);
    xqsort(terms, n, sizeof *terms, cmp_index_term);
    shard_writer w = {out, diags, STRBUF_INIT, HASH_SEED, true};
    write_shards(&w, terms, n, 1);
    for (size_t i = 0; i < n; i++)
        free(terms[i].encoded);
    free(terms);
    strbuf manifest = STRBUF_INIT;
    strbuf_printf(&manifest, "{\"format\":1,\"version\":\"%016llx\",\"docs\":%zu,\"keys\":[%s\n]}\n",
                  (unsigned long long)w.version, docs, strbuf_cstr(&w.keys));
    bool ok = output_write(out, "search.json", manifest.data, manifest.len, diags) && w.ok;
    strbuf_free(&manifest);
    strbuf_free(&w.keys);
    return ok;
}
