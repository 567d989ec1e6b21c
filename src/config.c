#include "config.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"
#include "xalloc.h"

/* inih gives handlers no line numbers in Debian's build, so the reader
 * counts the lines it hands over; the handler runs right after. */
typedef struct parse_state {
    const char *src, *end, *pos;
    int line;
    const char *file;
    config *cfg;
    diag_list *diags;
    bool seen_title, seen_base_url;
    bool indented;     /* the line handed over starts with a space or tab */
    value *seen_keys;  /* "section]key" -> the line it was first set on */
    strbuf last_key;   /* "section]key" of the handler's previous call */
} parse_state;

static char *read_line(char *buf, int size, void *stream)
{
    parse_state *st = stream;
    if (st->pos >= st->end)
        return NULL;
    const char *line = st->pos;
    const char *nl = memchr(line, '\n', (size_t)(st->end - line));
    size_t len = nl ? (size_t)(nl - line) + 1 : (size_t)(st->end - line);
    size_t copy = len < (size_t)size - 1 ? len : (size_t)size - 1;
    memcpy(buf, line, copy);
    buf[copy] = '\0';
    st->pos += len;
    st->line++;
    st->indented = len > 0 && (line[0] == ' ' || line[0] == '\t');
    /* inih's line buffer is fixed when the library is built; a longer line
       would be cut short without a word, so it is an error instead. */
    size_t text_len = len;
    while (text_len > 0 && (line[text_len - 1] == '\n' || line[text_len - 1] == '\r'))
        text_len--;
    if (text_len > (size_t)size - 1)
        diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                 "line is %zu bytes long; config.ini lines can be at most %d", text_len, size - 1);
    return buf;
}

static void empty_error(parse_state *st, const char *key)
{
    diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0, "%s must not be empty", key);
}

static bool parse_bool(parse_state *st, const char *key, const char *val, bool *out)
{
    if (!strcasecmp(val, "true") || !strcasecmp(val, "yes") || !strcmp(val, "1")) {
        *out = true;
        return true;
    }
    if (!strcasecmp(val, "false") || !strcasecmp(val, "no") || !strcmp(val, "0")) {
        *out = false;
        return true;
    }
    diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0, "%s must be true or false, not '%s'", key, val);
    return false;
}

static bool parse_int(parse_state *st, const char *key, const char *val, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long n = strtol(val, &end, 10);
    if (errno || end == val || *end || n < lo || n > hi) {
        diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                 "%s must be a whole number from %d to %d, not '%s'", key, lo, hi, val);
        return false;
    }
    *out = (int)n;
    return true;
}

static void set_string(char **field, const char *val)
{
    free(*field);
    *field = xstrdup(val);
}

/* The contact route for "report a problem": an email address (one '@',
 * no spaces) or an absolute http(s) URL, since templates put it in an href. */
static void contact_key(parse_state *st, const char *val)
{
    bool url = !strncmp(val, "https://", 8) || !strncmp(val, "http://", 7);
    const char *at = strchr(val, '@');
    bool email = !url && at && at > val && at[1] && !strchr(at + 1, '@') && strchr(at + 1, '.') &&
                 !strchr(val, ':') && !strchr(val, '/');
    if (strpbrk(val, " \t\"'<>\\") || (!url && !email))
        diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                 "contact must be an email address or an http(s) URL where readers report a problem, not '%s'", val);
    else
        set_string(&st->cfg->contact, val);
}

/* [review]: how strictly the review state of pages is checked. */
static void review_key(parse_state *st, const char *key, const char *val)
{
    config *cfg = st->cfg;
    if (!strcmp(key, "interval_months"))
        parse_int(st, key, val, 1, 240, &cfg->interval_months);
    else if (!strcmp(key, "require_names"))
        parse_bool(st, key, val, &cfg->require_names);
    else if (!strcmp(key, "required"))
        parse_bool(st, key, val, &cfg->review_required);
    else
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown key '%s' in [review]", key);
}

static void site_key(parse_state *st, const char *key, const char *val)
{
    config *cfg = st->cfg;
    if (!strcmp(key, "title")) {
        if (!*val)
            empty_error(st, key);
        set_string(&cfg->title, val);
        st->seen_title = true;
    } else if (!strcmp(key, "about")) {
        set_string(&cfg->about, val);
    } else if (!strcmp(key, "description")) {
        set_string(&cfg->description, val);
    } else if (!strcmp(key, "language")) {
        if (!*val || strspn(val, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != strlen(val))
            diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                     "language must be a language tag such as en or en-GB, not '%s'", val);
        set_string(&cfg->language, val);
    } else if (!strcmp(key, "base_url")) {
        config_set_base_url(cfg, val, st->file, st->line, st->diags);
        st->seen_base_url = true;
    } else if (!strcmp(key, "contact")) {
        contact_key(st, val);
    } else {
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown key '%s' in [site]", key);
    }
}

static void build_key(parse_state *st, const char *key, const char *val)
{
    config *cfg = st->cfg;
    if (!strcmp(key, "output")) {
        if (!*val)
            empty_error(st, key);
        set_string(&cfg->output, val);
    } else if (!strcmp(key, "unsafe_html")) {
        parse_bool(st, key, val, &cfg->unsafe_html);
    } else if (!strcmp(key, "smart_punctuation")) {
        parse_bool(st, key, val, &cfg->smart_punctuation);
    } else if (!strcmp(key, "autolink")) {
        parse_bool(st, key, val, &cfg->autolink);
    } else if (!strcmp(key, "page_size")) {
        parse_int(st, key, val, 1, 100000, &cfg->page_size);
    } else {
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown key '%s' in [build]", key);
    }
}

/* "480, 960, 1440": ascending widths, each from 16 to 10000 pixels. */
static void parse_widths(parse_state *st, const char *val)
{
    int widths[CONFIG_IMAGE_WIDTHS], n = 0;
    const char *p = val;
    for (;;) {
        char *end;
        errno = 0;
        long w = strtol(p, &end, 10);
        while (*end == ' ' || *end == '\t')
            end++;
        bool bad = errno || end == p || w < 16 || w > 10000 || (n && w <= widths[n - 1]) || n == CONFIG_IMAGE_WIDTHS ||
                   (*end && *end != ',');
        if (bad) {
            diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                     "widths must be up to %d whole numbers from 16 to 10000, ascending and separated by commas "
                     "(e.g. 480, 960, 1440), not '%s'", CONFIG_IMAGE_WIDTHS, val);
            return;
        }
        widths[n++] = (int)w;
        if (!*end)
            break;
        p = end + 1;
    }
    memcpy(st->cfg->image_widths, widths, sizeof widths);
    st->cfg->image_nwidths = n;
}

static void images_key(parse_state *st, const char *key, const char *val)
{
    if (!strcmp(key, "max_width"))
        parse_int(st, key, val, 16, 10000, &st->cfg->image_max_width);
    else if (!strcmp(key, "widths"))
        parse_widths(st, val);
    else
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown key '%s' in [images]", key);
}

/* True, after an error at this line, when section and key were set
 * before. inih hands an indented line after a key over as that key again
 * (a continuation line): that is not a second setting. */
static bool is_duplicate(parse_state *st, const char *section, const char *key)
{
    strbuf *full = &st->last_key; /* becomes this call's "section]key" */
    size_t last_len = full->len;
    bool same = false;
    if (st->indented && last_len) { /* only a continuation line can repeat the key just set */
        size_t section_len = strlen(section);
        same = !strncmp(full->data, section, section_len) && full->data[section_len] == ']' &&
               !strcmp(full->data + section_len + 1, key);
    }
    if (same)
        return false;
    strbuf_reset(full);
    strbuf_puts(full, section);
    strbuf_putc(full, ']');
    strbuf_puts(full, key);
    /* [params] can hold a million keys: its own map, whose values keep their
       lines, says whether a key was set, without a second map beside it. */
    bool params = !strcmp(section, "params");
    const value *first = value_map_get(params ? st->cfg->params : st->seen_keys, params ? key : full->data);
    if (first)
        diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0, "duplicate key '%s' in [%s] (first set on line %d)",
                 key, section, first->line);
    else if (!params)
        value_map_set(st->seen_keys, full->data, value_at(value_null(), st->line, 0));
    return first != NULL;
}

/* [frontmatter] keys = a, b: front-matter keys the layouts use, which
 * lumbar then knows and does not warn about. */
static void frontmatter_key(parse_state *st, const char *key, const char *val)
{
    config *cfg = st->cfg;
    if (strcmp(key, "keys") != 0) {
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown key '%s' in [frontmatter]", key);
        return;
    }
    for (const char *p = val; *p;) {
        p += strspn(p, ", \t");
        size_t n = strcspn(p, ", \t");
        if (!n)
            break;
        char *name = xstrndup(p, n);
        if (strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != n)
            diag_add(st->diags, DIAG_ERROR, st->file, st->line, 0,
                     "[frontmatter] keys takes names such as key_points, separated by commas, not '%s'", name);
        cfg->fm_keys = xrealloc(cfg->fm_keys, (cfg->nfm_keys + 1) * sizeof *cfg->fm_keys);
        cfg->fm_keys[cfg->nfm_keys++] = name;
        p += n;
    }
}

static int on_entry(void *user, const char *section, const char *key, const char *val)
{
    parse_state *st = user;
    if (is_duplicate(st, section, key))
        return 1;
    if (!strcmp(section, "site"))
        site_key(st, key, val);
    else if (!strcmp(section, "build"))
        build_key(st, key, val);
    else if (!strcmp(section, "review"))
        review_key(st, key, val);
    else if (!strcmp(section, "images"))
        images_key(st, key, val);
    else if (!strcmp(section, "frontmatter"))
        frontmatter_key(st, key, val);
    else if (!strcmp(section, "params"))
        value_map_set(st->cfg->params, key, value_at(value_str(val), st->line, 0));
    else
        diag_add(st->diags, DIAG_WARNING, st->file, st->line, 0, "unknown section [%s] (key '%s' ignored)",
                 section, key);
    return 1;
}

static config *config_defaults(void)
{
    config *cfg = xcalloc(1, sizeof *cfg);
    cfg->title = xstrdup("");
    cfg->description = xstrdup("");
    cfg->language = xstrdup("en");
    cfg->about = xstrdup(""); /* the site's subject is its own: config.ini says it */
    cfg->base_url = xstrdup("/");
    cfg->base_path = xstrdup("/");
    cfg->output = xstrdup("public");
    cfg->smart_punctuation = true;
    cfg->contact = xstrdup("");
    cfg->interval_months = 36;
    cfg->require_names = true;
    cfg->image_max_width = 960;
    static const int default_widths[] = {480, 960, 1440};
    memcpy(cfg->image_widths, default_widths, sizeof default_widths);
    cfg->image_nwidths = 3;
    cfg->params = value_map();
    return cfg;
}

config *config_parse_lenient(const char *src, size_t n, const char *file, diag_list *diags)
{
    parse_state st = {.src = src, .end = src + n, .pos = src, .file = file, .diags = diags,
                      .seen_keys = value_map(), .last_key = STRBUF_INIT};
    st.cfg = config_defaults();
    if (n > CONFIG_MAX_BYTES) {
        int line, col;
        utf8_position(src, CONFIG_MAX_BYTES, 1, &line, &col);
        diag_add(diags, DIAG_ERROR, file, line, col,
                 "config.ini longer than %zu MiB (%.1f MiB in all) is not read; the limit falls here",
                 CONFIG_MAX_BYTES >> 20, (double)n / (1 << 20));
        value_free(st.seen_keys);
        return st.cfg;
    }
    int rc = ini_parse_stream(read_line, &st, on_entry, &st);
    value_free(st.seen_keys);
    strbuf_free(&st.last_key);
    if (rc > 0)
        diag_add(diags, DIAG_ERROR, file, rc, 0, "not valid INI syntax (expected [section] or key = value)");
    if (!st.seen_title)
        diag_add(diags, DIAG_ERROR, file, 0, 0, "[site] has no title");
    if (!st.seen_base_url)
        diag_add(diags, DIAG_ERROR, file, 0, 0, "[site] has no base_url (e.g. https://example.org/)");
    return st.cfg;
}

config *config_parse(const char *src, size_t n, const char *file, diag_list *diags)
{
    diag_list mine = DIAG_LIST_INIT;
    config *cfg = config_parse_lenient(src, n, file, &mine);
    bool ok = diag_count(&mine, DIAG_ERROR) == 0;
    diag_move(diags, &mine);
    if (!ok) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

/* The problem with the authority (host[:port]) of n bytes at host, or
 * NULL. User names and passwords would be published in every page's
 * links, and a port must be a number a browser accepts. */
static const char *authority_problem(const char *host, size_t n)
{
    if (memchr(host, '@', n))
        return "must not hold a user name or password (user:pass@)";
    const char *port = NULL;
    if (host[0] == '[') { /* an IPv6 literal: [::1]:8080 */
        const char *close = memchr(host, ']', n);
        if (!close || close == host + 1)
            return "has an unclosed or empty [IPv6] host";
        if (close + 1 < host + n && close[1] != ':')
            return "has something other than :PORT after its [IPv6] host";
        port = close + 1 < host + n ? close + 1 : NULL;
    } else {
        port = memchr(host, ':', n);
        if (port == host)
            return "has no host before its port";
    }
    if (!port)
        return NULL;
    size_t digits = n - (size_t)(port + 1 - host);
    if (digits == 0 || digits > 5 || strspn(port + 1, "0123456789") < digits)
        return "has a port that is not a number from 1 to 65535";
    long number = strtol(port + 1, NULL, 10);
    return number < 1 || number > 65535 ? "has a port that is not a number from 1 to 65535" : NULL;
}

bool config_check_base_url(const char *url, const char *origin, int line, diag_list *diags)
{
    const char *rest = !strncmp(url, "https://", 8) ? url + 8 : !strncmp(url, "http://", 7) ? url + 7 : NULL;
    size_t host_len = rest ? strcspn(rest, "/?#") : 0;
    if (!rest || host_len == 0 || strpbrk(url, " \t\"'<>\\?#")) {
        diag_add(diags, DIAG_ERROR, origin, line, 0,
                 "base_url must be an absolute http:// or https:// URL such as https://example.org/, not '%s'", url);
        return false;
    }
    const char *problem = authority_problem(rest, host_len);
    if (problem) {
        diag_add(diags, DIAG_ERROR, origin, line, 0, "base_url %s: '%s'", problem, url);
        return false;
    }
    const char *path = rest + host_len;
    size_t path_len = strlen(path);
    bool dot_end = (path_len >= 2 && !strcmp(path + path_len - 2, "/.")) ||
                   (path_len >= 3 && !strcmp(path + path_len - 3, "/.."));
    if (strstr(path, "/../") || strstr(path, "/./") || strstr(path, "//") || dot_end) {
        diag_add(diags, DIAG_ERROR, origin, line, 0, "base_url path must not contain '.', '..' or empty segments: '%s'", url);
        return false;
    }
    return true;
}

/* Accepts http(s)://host[:port][/path]; stores it with a trailing slash. */
bool config_set_base_url(config *cfg, const char *url, const char *origin, int line, diag_list *diags)
{
    if (!config_check_base_url(url, origin, line, diags))
        return false;
    strbuf full = STRBUF_INIT;
    strbuf_puts(&full, url);
    if (full.data[full.len - 1] != '/')
        strbuf_putc(&full, '/');
    const char *rest = strstr(full.data, "://") + 3;
    const char *path = rest + strcspn(rest, "/");
    free(cfg->base_path);
    cfg->base_path = xstrdup(path);
    free(cfg->base_url);
    cfg->base_url = strbuf_detach(&full);
    return true;
}

void config_free(config *cfg)
{
    if (!cfg)
        return;
    free(cfg->title);
    free(cfg->description);
    free(cfg->language);
    free(cfg->about);
    free(cfg->base_url);
    free(cfg->base_path);
    free(cfg->output);
    free(cfg->contact);
    value_free(cfg->params);
    for (size_t i = 0; i < cfg->nfm_keys; i++)
        free(cfg->fm_keys[i]);
    free(cfg->fm_keys);
    free(cfg);
}
