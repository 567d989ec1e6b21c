#include "feeds.h"

#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "escape.h"
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

static void json_field(strbuf *json, const char *key, const char *val)
{
    strbuf_putc(json, '"');
    strbuf_puts(json, key);
    strbuf_puts(json, "\":");
    esc_json(json, val ? val : "", val ? strlen(val) : 0);
}

char *feeds_search_entry(const page *p, const char *excerpt, const value *headings)
{
    strbuf json = STRBUF_INIT;
    strbuf_putc(&json, '{');
    json_field(&json, "title", p->fm->title);
    strbuf_putc(&json, ',');
    json_field(&json, "url", p->url);
    strbuf_putc(&json, ',');
    json_field(&json, "section", ctx_str(p, "section_title"));
    strbuf_putc(&json, ',');
    json_field(&json, "description", p->fm->description);
    strbuf_puts(&json, ",\"headings\":[");
    for (size_t h = 0; headings && h < headings->u.list.len; h++) {
        const value *v = headings->u.list.items[h];
        if (h)
            strbuf_putc(&json, ',');
        esc_json(&json, v->u.str.ptr, v->u.str.len);
    }
    strbuf_puts(&json, "],");
    json_field(&json, "excerpt", excerpt);
    strbuf_putc(&json, '}');
    return strbuf_detach(&json);
}

/* The search index's parts in order, pointing into the pages' records:
 * at 10,000 articles the index is 10 MB, and the copy cost more than
 * writing it. The caller frees the array. */
static struct iovec *search_index_parts(const site *s, size_t *nparts)
{
    struct iovec *parts = xmalloc((2 * s->npages + 2) * sizeof *parts);
    size_t n = 0;
    parts[n++] = (struct iovec){(void *)"[", 1};
    for (size_t i = 0; i < s->npages; i++) {
        const page *p = s->pages[i];
        if (!p->rendered || !p->search_entry)
            continue;
        const char *sep = n == 1 ? "\n" : ",\n";
        parts[n++] = (struct iovec){(void *)sep, strlen(sep)};
        parts[n++] = (struct iovec){p->search_entry, strlen(p->search_entry)};
    }
    parts[n++] = (struct iovec){(void *)"\n]\n", 3};
    *nparts = n;
    return parts;
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

bool feeds_write_search_index(const site *s, output *out, diag_list *diags)
{
    size_t nparts;
    struct iovec *parts = search_index_parts(s, &nparts);
    bool ok = output_write_parts(out, "search.json", parts, nparts, diags);
    free(parts);
    return ok;
}
