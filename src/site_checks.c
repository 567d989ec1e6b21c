/* site_checks: checks across pages (unique URLs, free aliases, reviews due). */
#include "site_internal.h"

#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "xalloc.h"

/* ---- checks across pages ------------------------------------------------ */

/* Reports a clash at the content file that made it; when the other page is
 * one lumbar generates (a tag page, the tags index, 404), names it by kind. */
static void report_duplicate(diag_list *diags, const page *dup, const page *first, const char *what)
{
    const value *slug = dup->fm ? value_map_get(dup->fm->all, "slug") : NULL;
    strbuf other = STRBUF_INIT;
    if (first->src_path)
        strbuf_puts(&other, first->src_path);
    else
        strbuf_printf(&other, "the generated %s page", kind_names[first->kind]);
    diag_add(diags, DIAG_ERROR, dup->src_path ? dup->src_path : "content", slug ? slug->line : 1, slug ? slug->col : 1,
             "%s %s is also the URL of %s", what, dup->url, other.data);
    strbuf_free(&other);
}

bool check_unique_urls(site *s, diag_list *diags)
{
    page **sorted = xmalloc((s->npages ? s->npages : 1) * sizeof *sorted);
    memcpy(sorted, s->pages, s->npages * sizeof *sorted);
    xqsort(sorted, s->npages, sizeof *sorted, cmp_url);
    bool ok = true;
    for (size_t i = 1; i < s->npages; i++) {
        if (strcmp(sorted[i]->url, sorted[i - 1]->url) != 0)
            continue;
        const page *a = sorted[i - 1], *b = sorted[i];
        /* Blame the later content file, or the content file when the
           other page is generated. */
        bool blame_a = a->src_path && (!b->src_path || strcmp(a->src_path, b->src_path) > 0);
        report_duplicate(diags, blame_a ? a : b, blame_a ? b : a, "URL");
        ok = false;
    }
    free(sorted);
    return ok;
}

static int cmp_alias_from(const void *a, const void *b)
{
    const value *x = *(value *const *)a, *y = *(value *const *)b;
    return strcmp(value_cstr(value_map_get(x, "from")), value_cstr(value_map_get(y, "from")));
}

/* Every page's output path, sorted, so each alias is checked in log n. */
static char **sorted_out_paths(const site *s)
{
    char **paths = xmalloc((s->npages ? s->npages : 1) * sizeof *paths);
    for (size_t i = 0; i < s->npages; i++)
        paths[i] = s->pages[i]->out_path;
    xqsort(paths, s->npages, sizeof *paths, cmp_cstr);
    return paths;
}

/* Aliases become small redirect pages; each must be free. */
bool collect_aliases(site *s, diag_list *diags)
{
    s->aliases = value_list();
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        for (size_t a = 0; p->owns_fm && p->fm->aliases && a < p->fm->aliases->u.list.len; a++) {
            const value *alias = p->fm->aliases->u.list.items[a];
            strbuf out = STRBUF_INIT;
            const char *path = alias->u.str.ptr + 1;
            strbuf_puts(&out, path);
            if (out.len && out.data[out.len - 1] != '/')
                strbuf_putc(&out, '/');
            strbuf_puts(&out, "index.html");
            value *v = value_at(value_map(), alias->line, alias->col);
            value_map_set(v, "from", value_str_take(strbuf_detach(&out)));
            value_map_set(v, "target", value_str(p->url));
            value_map_set(v, "permalink", value_str_take(absolute_url(s->cfg, p->rel_url)));
            value_map_set(v, "file", value_str(p->src_path));
            value_list_push(s->aliases, v);
        }
    }
    value **items = s->aliases->u.list.items;
    size_t n = s->aliases->u.list.len;
    xqsort(items, n, sizeof *items, cmp_alias_from);
    bool ok = true;
    char **taken = sorted_out_paths(s);
    for (size_t i = 0; i < n; i++) {
        const char *from = value_cstr(value_map_get(items[i], "from"));
        bool dup = i > 0 && !strcmp(from, value_cstr(value_map_get(items[i - 1], "from")));
        if (dup || xbsearch(&from, taken, s->npages, sizeof *taken, cmp_cstr)) {
            diag_add(diags, DIAG_ERROR, value_cstr(value_map_get(items[i], "file")), items[i]->line, items[i]->col,
                     "alias /%.*s is already %s", (int)(strlen(from) - strlen("index.html")), from,
                     dup ? "another page's alias" : "the URL of a page");
            ok = false;
        }
    }
    free(taken);
    return ok;
}

/* True when p gives health advice, so a clinician should review it: an
 * article, a section or home page, or a standalone page with a decision
 * tree (not an about or search page). */
static bool needs_review(const page *p)
{
    return p->kind == PAGE_ARTICLE || p->kind == PAGE_SECTION || p->kind == PAGE_HOME ||
           (p->kind == PAGE_PAGE && p->fm->tree);
}

/* Warns of overdue reviews and, when config.ini says reviews are required,
 * of published pages still pending review: --strict makes both errors. */
void warn_reviews(site *s, const site_options *opts, diag_list *diags)
{
    date today = date_from_unix(opts->today_unix);
    for (size_t i = 0; i < s->npages; i++) {
        page *p = s->pages[i];
        if (!p->owns_fm)
            continue;
        if (s->cfg->review_required && !fm_is_reviewed(p->fm) && !p->fm->draft && needs_review(p)) {
            diag_add(diags, DIAG_WARNING, p->src_path, 1, 1,
                     "page is pending clinical review, and config.ini's [review] required is true");
            continue;
        }
        date due;
        if (!review_due(s, p, &due) || date_cmp(due, today) >= 0)
            continue;
        /* At the date the due date comes from. */
        const value *from = value_map_get(p->fm->all, date_is_set(p->fm->next_review) ? "next_review" : "last_reviewed");
        strbuf shown = STRBUF_INIT;
        date_format_iso(due, &shown);
        diag_add(diags, DIAG_WARNING, p->src_path, from->line, from->col, "review overdue: next review was due on %s",
                 shown.data);
        strbuf_free(&shown);
    }
}
