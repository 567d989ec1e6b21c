/* serve: `lumbar serve`, the development server (serve.h has the contract).
 *
 * Threads. The thread that calls serve_run owns every build. It blocks
 * SIGINT, SIGTERM and SIGPIPE before any other thread exists (so every
 * thread inherits the mask), reads the stop signals from a signalfd, and
 * polls that fd together with the site watcher's (watch.h): after
 * DEBOUNCE_MS without a relevant change it runs build_run. libmicrohttpd runs one thread per
 * connection; those threads only read the output folder and the published
 * state below, never the site folder.
 *
 * Published state. After every build the build thread publishes an
 * immutable, reference-counted snapshot (build generation, whether the last
 * build failed, the overlay markup, the errors event, the base path) under
 * the hub mutex and broadcasts the hub's condition variable. A request holds
 * one reference for its whole life, so it answers from one consistent state.
 *
 * Swap. build_run writes a staging folder beside the output and exchanges
 * the two with one renameat2(RENAME_EXCHANGE); the old tree becomes the
 * next build's staging folder and is updated in place (where the file
 * system cannot exchange, three renames leave the root missing for a
 * moment, and a request then gets 404 rather than a mix of builds). A
 * request opens the output root by path and walks down with openat and
 * O_NOFOLLOW, one segment at a time. A request that began on the old tree
 * can meet ENOENT while that tree is being deleted; it then reopens the root
 * and, when the root is a different directory (the swap happened), starts
 * again on the new tree. A file already open stays readable after its
 * deletion, so a response is always one whole file of one build.
 *
 * SSE. /__lumbar/events is an endless response from a content-reader
 * callback. With a thread per connection the callback may block: it waits
 * on the hub's condition variable (with a timeout, to send keep-alive
 * comments that also notice closed pages) until a new snapshot appears, then
 * writes `event: reload` or `event: errors`. Stopping sets hub.stopping and
 * broadcasts; every waiting callback ends its stream, so MHD_stop_daemon
 * never hangs on an open EventSource.
 *
 * Injection. HTML responses, never files on disk, get the reload snippet
 * before the last </body>, and while the build is broken the error overlay.
 * The overlay is rendered here once per failed build with every diagnostic
 * HTML-escaped; the errors event carries the same markup as a JSON string,
 * so a page that is open and a page loaded later show the same overlay.
 *
 * URL safety. The request path reaches us still percent-encoded (the unescape
 * callback is the identity), so the decoding here is the only one: a
 * malformed escape, an encoded NUL or a control byte is 400; a backslash, a
 * "." or ".." segment or any hidden segment is 404. Nothing is normalised
 * upward, so there is nothing to get wrong there, and openat with
 * O_NOFOLLOW at every step keeps symbolic links from leading out. A
 * Location is the path with runs of slashes made one, so it never names
 * another host.
 *
 * Who may ask. Only requests whose Host names this server (localhost or the
 * address listened on, with the port) are answered, against DNS rebinding;
 * each address may hold CONNECTIONS_PER_IP connections and an idle one is
 * closed after CONNECTION_TIMEOUT_S, so a flood of idle connections from
 * elsewhere cannot lock the editor's browser out. */
#include "serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "escape.h"
#include "fs.h"
#include "output.h"
#include "strbuf.h"
#include "watch.h"
#include "xalloc.h"

#define PRIVATE_PREFIX "/__lumbar/"
#define EVENTS_PATH PRIVATE_PREFIX "events"
/* Editors save in a burst of a few events within milliseconds (write a
 * temporary file, rename it, touch a backup); 50 ms of quiet covers that
 * and leaves most of the 200 ms edit-to-reload budget to the build. */
#define DEBOUNCE_MS 50
/* The keep-alive comment is also what keeps an open page's event stream
 * from counting as idle, so it must come well inside the timeout. */
#define KEEPALIVE_MS 10000
/* An idle connection (a slow or stalled request, a keep-alive nobody uses)
 * gives its slot back after this long. */
#define CONNECTION_TIMEOUT_S 15
/* A browser opens about six connections per host name, and one event
 * stream per open page; 32 from one address is plenty for an editor, and
 * 256 in all keeps the server well inside its descriptor limit. Without
 * the limits, about a thousand idle connections (MHD's default ceiling)
 * left the editor's browser waiting for a minute. */
#define CONNECTIONS_PER_IP 32
#define CONNECTIONS_MAX 256
#define SWAP_RETRIES 4

/* ---- published state ---------------------------------------------------- */

typedef struct snapshot {
    int refs;            /* guarded by hub.lock */
    unsigned long seq;   /* one more per finished build */
    unsigned long gen;   /* successful builds so far; 0: nothing to serve yet */
    bool broken;         /* the last build failed */
    char *base_path;     /* of the served build: "/" or "/backpain/" */
    char *overlay_html;  /* NULL unless broken */
    char *errors_data;   /* the errors event's data line; NULL unless broken */
} snapshot;

typedef struct hub {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* broadcast on publish and on stop */
    snapshot *current;
    bool stopping;
} hub;

static void snapshot_free(snapshot *snap)
{
    if (!snap)
        return;
    free(snap->base_path);
    free(snap->overlay_html);
    free(snap->errors_data);
    free(snap);
}

static void hub_init(hub *h, snapshot *first)
{
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    /* Keep-alive timeouts must not jump with the wall clock. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&h->changed, &attr);
    pthread_condattr_destroy(&attr);
    pthread_mutex_init(&h->lock, NULL);
    first->refs = 1;
    h->current = first;
    h->stopping = false;
}

static void hub_destroy(hub *h)
{
    snapshot_free(h->current);
    pthread_cond_destroy(&h->changed);
    pthread_mutex_destroy(&h->lock);
}

/* Returns the current snapshot with a reference the caller must release. */
static snapshot *hub_acquire(hub *h)
{
    pthread_mutex_lock(&h->lock);
    snapshot *snap = h->current;
    snap->refs++;
    pthread_mutex_unlock(&h->lock);
    return snap;
}

static void hub_release(hub *h, snapshot *snap)
{
    pthread_mutex_lock(&h->lock);
    bool last = --snap->refs == 0;
    pthread_mutex_unlock(&h->lock);
    if (last)
        snapshot_free(snap);
}

/* Makes next the current snapshot (the hub takes it) and wakes every page. */
static void hub_publish(hub *h, snapshot *next)
{
    next->refs = 1;
    pthread_mutex_lock(&h->lock);
    snapshot *old = h->current;
    h->current = next;
    bool last = --old->refs == 0;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
    if (last)
        snapshot_free(old);
}

static void hub_stop(hub *h)
{
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_broadcast(&h->changed);
    pthread_mutex_unlock(&h->lock);
}

/* ---- what pages are shown: snippet and overlay -------------------------- */

/* The page's generation lets a page that missed a reload (its EventSource
 * was reconnecting) notice from the hello event that it is stale. Dismissing
 * uses delegation because the overlay arrives either with the page or later
 * as markup from the errors event. */
static const char snippet_fmt[] =
    "<script id=\"lumbar-live\">(function(){\"use strict\";var gen=%lu;"
    "function dismiss(){var o=document.getElementById(\"lumbar-overlay\");if(o)o.remove();}"
    "document.addEventListener(\"click\",function(e){"
    "if(e.target&&e.target.id===\"lumbar-overlay-close\")dismiss();});"
    "document.addEventListener(\"keydown\",function(e){if(e.key===\"Escape\")dismiss();});"
    "if(!window.EventSource)return;"
    "var es=new EventSource(\"" EVENTS_PATH "\");"
    "es.addEventListener(\"hello\",function(e){if(Number(e.data)!==gen)location.reload();});"
    "es.addEventListener(\"reload\",function(){es.close();location.reload();});"
    "es.addEventListener(\"errors\",function(e){dismiss();"
    "document.body.insertAdjacentHTML(\"beforeend\",JSON.parse(e.data).overlay);"
    "var b=document.getElementById(\"lumbar-overlay-close\");if(b)b.focus();});"
    "})();</script>\n";

static void overlay_item(const diag *d, strbuf *out)
{
    strbuf line = STRBUF_INIT;
    diag_format(d, &line);
    bool error = d->level == DIAG_ERROR;
    strbuf_printf(out,
                  "<li style=\"margin:0 0 .75em;padding:.5em .75em;border-left:4px solid %s;"
                  "background:#262626;white-space:pre-wrap;overflow-wrap:anywhere\">",
                  error ? "#ff6b6b" : "#ffd166");
    esc_html(out, line.data, line.len - 1); /* without its newline */
    strbuf_puts(out, "</li>\n");
    strbuf_free(&line);
}

/* The overlay listing every diagnostic, escaped; inline styles so that the
 * site's own CSS cannot make it unreadable. */
static char *overlay_markup(const diag_list *diags, bool have_site)
{
    strbuf out = STRBUF_INIT;
    size_t errors = diag_count(diags, DIAG_ERROR);
    strbuf_puts(&out,
                "<div id=\"lumbar-overlay\" role=\"alertdialog\" aria-labelledby=\"lumbar-overlay-title\" "
                "style=\"position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:2rem 1rem;"
                "background:rgba(17,17,17,.94);color:#f2f2f2;text-align:left;"
                "font:15px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace\">\n"
                "<div style=\"max-width:60rem;margin:0 auto\">\n"
                "<button type=\"button\" id=\"lumbar-overlay-close\" "
                "style=\"float:right;margin:0 0 1rem 1rem;padding:.4em .9em;font:inherit;color:#111;"
                "background:#f2f2f2;border:0;border-radius:4px;cursor:pointer\">Dismiss (Esc)</button>\n");
    strbuf_printf(&out,
                  "<h2 id=\"lumbar-overlay-title\" style=\"margin:0 0 .5rem;font-family:inherit;"
                  "font-size:1.25rem;font-weight:bold;line-height:1.3;color:#ff6b6b\">"
                  "lumbar: the build failed with %zu error%s</h2>\n",
                  errors, errors == 1 ? "" : "s");
    strbuf_printf(&out, "<p style=\"margin:0 0 1rem;color:#cfcfcf\">%s Fix the problems below and it reloads "
                        "by itself.</p>\n<ul style=\"list-style:none;margin:0;padding:0\">\n",
                  have_site ? "This page is from the last good build." : "The site has not built yet.");
    for (size_t i = 0; i < diags->len; i++)
        overlay_item(&diags->items[i], &out);
    strbuf_puts(&out, "</ul>\n</div>\n</div>\n");
    return strbuf_detach(&out);
}

/* {"diagnostics":["file:line:col: error: ...",...],"overlay":"<div ...>"} on
 * one line: esc_json turns every newline into \n, as SSE data needs. */
static char *errors_data(const diag_list *diags, const char *overlay)
{
    strbuf out = STRBUF_INIT;
    strbuf_puts(&out, "{\"diagnostics\":[");
    for (size_t i = 0; i < diags->len; i++) {
        strbuf line = STRBUF_INIT;
        diag_format(&diags->items[i], &line);
        if (i)
            strbuf_putc(&out, ',');
        esc_json(&out, line.data, line.len - 1);
        strbuf_free(&line);
    }
    strbuf_puts(&out, "],\"overlay\":");
    esc_json(&out, overlay, strlen(overlay));
    strbuf_putc(&out, '}');
    return strbuf_detach(&out);
}

/* Where the snippet goes: before the last </body>, else at the end. */
static size_t snippet_offset(const char *html, size_t n)
{
    static const char tag[] = "</body";
    size_t tlen = sizeof tag - 1;
    for (size_t i = n >= tlen ? n - tlen + 1 : 0; i-- > 0;)
        if (!strncasecmp(html + i, tag, tlen))
            return i;
    return n;
}

static void inject(strbuf *doc, const char *html, size_t n, const snapshot *snap)
{
    size_t at = snippet_offset(html, n);
    strbuf_append(doc, html, at);
    if (snap->broken)
        strbuf_puts(doc, snap->overlay_html);
    strbuf_printf(doc, snippet_fmt, snap->gen);
    strbuf_append(doc, html + at, n - at);
}

/* ---- request paths ------------------------------------------------------ */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes the %XX escapes of a raw request path into out. False (400) for
 * a path that is not absolute, a malformed escape, or a NUL or other control
 * byte, escaped or not. */
static bool decode_path(const char *raw, strbuf *out)
{
    if (raw[0] != '/')
        return false;
    for (const char *p = raw; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '%') {
            int hi = hex_value(p[1]), lo = hi < 0 ? -1 : hex_value(p[2]);
            if (lo < 0)
                return false;
            c = (unsigned char)(hi * 16 + lo);
            p += 2;
        }
        if (c < 0x20 || c == 0x7f)
            return false;
        strbuf_putc(out, (char)c);
    }
    return true;
}

/* True when every segment of a decoded path below the base path is one the
 * output can hold: no backslash, no ".", "..", or other hidden name. Empty
 * segments ("a//b") are skipped when walking. */
static bool rel_path_safe(const char *rel)
{
    if (strchr(rel, '\\'))
        return false;
    for (const char *seg = rel; *seg;) {
        if (seg[0] == '.')
            return false;
        seg += strcspn(seg, "/");
        seg += *seg == '/';
    }
    return true;
}

static const char *mime_type(const char *name)
{
    static const char *const types[][2] = {
        {".html", "text/html; charset=utf-8"},   {".htm", "text/html; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},     {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".json", "application/json"},
        {".map", "application/json"},            {".xml", "application/xml"},
        {".txt", "text/plain; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".png", "image/png"},                   {".jpg", "image/jpeg"},
        {".jpeg", "image/jpeg"},                 {".gif", "image/gif"},
        {".webp", "image/webp"},                 {".avif", "image/avif"},
        {".ico", "image/x-icon"},                {".woff2", "font/woff2"},
        {".woff", "font/woff"},                  {".pdf", "application/pdf"},
        {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (!strcasecmp(dot, types[i][0]))
            return types[i][1];
    return "application/octet-stream";
}

static bool is_html(const char *name)
{
    return !strcmp(mime_type(name), "text/html; charset=utf-8");
}

/* ---- opening files under the output root -------------------------------- */

typedef enum { FOUND_FILE, FOUND_DIR, MISSING, SWAPPED } lookup;

typedef struct found {
    int fd;            /* the open regular file, for FOUND_FILE */
    struct stat st;
    const char *name;  /* its name, for the MIME type */
} found;

/* Opens the next segment below dirfd, refusing symbolic links; closes dirfd. */
static int step_into(int dirfd, const char *seg, size_t len)
{
    char name[NAME_MAX + 1];
    int fd = -1;
    if (len > NAME_MAX) {
        errno = ENAMETOOLONG;
    } else {
        memcpy(name, seg, len);
        name[len] = '\0';
        fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    }
    int saved = errno;
    close(dirfd);
    errno = saved;
    return fd;
}

/* MISSING, or SWAPPED when ENOENT came from a tree that build_run replaced
 * meanwhile (the root path now names another directory). */
static lookup missing_or_swapped(const char *root_dir, int err, const struct stat *root_st)
{
    struct stat now;
    if (err == ENOENT && stat(root_dir, &now) == 0 && (now.st_ino != root_st->st_ino || now.st_dev != root_st->st_dev))
        return SWAPPED;
    return MISSING;
}

/* A directory reached without a trailing slash is FOUND_DIR (the caller
 * redirects); with one, its index.html is the file. */
static lookup finish_lookup(int fd, bool dir_slash, found *f)
{
    if (fstat(fd, &f->st) != 0) {
        close(fd);
        return MISSING;
    }
    if (S_ISDIR(f->st.st_mode) && !dir_slash) {
        close(fd);
        return FOUND_DIR;
    }
    if (!S_ISDIR(f->st.st_mode) && dir_slash) {
        close(fd); /* "site.css/" names no file */
        return MISSING;
    }
    if (S_ISDIR(f->st.st_mode)) {
        f->name = "index.html";
        fd = step_into(fd, "index.html", strlen("index.html"));
        if (fd < 0 || fstat(fd, &f->st) != 0) {
            if (fd >= 0)
                close(fd);
            return MISSING;
        }
    }
    if (!S_ISREG(f->st.st_mode)) {
        close(fd);
        return MISSING;
    }
    f->fd = fd;
    return FOUND_FILE;
}

/* One walk from the root down rel ("causes/sitting/"). */
static lookup lookup_once(const char *root_dir, const char *rel, found *f)
{
    int fd = open(root_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat root_st;
    if (fd < 0 || fstat(fd, &root_st) != 0) {
        if (fd >= 0)
            close(fd);
        return MISSING;
    }
    f->name = "index.html";
    const char *seg = rel;
    while (*seg) {
        size_t len = strcspn(seg, "/");
        if (len > 0) {
            f->name = seg;
            fd = step_into(fd, seg, len);
            if (fd < 0)
                return missing_or_swapped(root_dir, errno == ENOTDIR ? ENOENT : errno, &root_st);
        }
        seg += len + (seg[len] == '/');
    }
    size_t n = strlen(rel);
    lookup result = finish_lookup(fd, n == 0 || rel[n - 1] == '/', f);
    if (result == MISSING)
        return missing_or_swapped(root_dir, ENOENT, &root_st);
    return result;
}

/* Finds rel under the root, retrying while a rebuild swaps trees under it. */
static lookup lookup_path(const char *root_dir, const char *rel, found *f)
{
    lookup result = SWAPPED;
    for (int i = 0; i < SWAP_RETRIES && result == SWAPPED; i++)
        result = lookup_once(root_dir, rel, f);
    return result == SWAPPED ? MISSING : result;
}

/* ---- responses ---------------------------------------------------------- */

typedef struct server {
    const serve_options *opts;
    build_options build; /* the caller's, with our out_dir, base_url and write */
    char *tmp_dir;       /* private: the output and its staging folders */
    char *root_dir;      /* the served output, tmp_dir/site */
    char *origin;        /* "http://127.0.0.1:1313" */
    char *bound_host;    /* the listening address, numeric: "127.0.0.1", "::1" */
    bool bound_wildcard; /* listening on 0.0.0.0 or :: */
    int bound_port;
    char *base_url;      /* origin + base path: what the build links with */
    int listen_fd;
    bool ipv6;
    struct MHD_Daemon *daemon;
    hub hub;
} server;

static void common_headers(struct MHD_Response *resp, const char *type)
{
    if (type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    /* Always revalidate: an edit must show on the next load. */
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
}

static enum MHD_Result send_and_free(struct MHD_Connection *conn, unsigned int status, struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    enum MHD_Result r = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn, unsigned int status, const char *text)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (resp)
        common_headers(resp, "text/plain; charset=utf-8");
    if (resp && status == MHD_HTTP_METHOD_NOT_ALLOWED)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    return send_and_free(conn, status, resp);
}

/* Sends html (a whole document) with the snippet, and the overlay when
 * broken; takes nothing from the caller. */
static enum MHD_Result reply_html(struct MHD_Connection *conn, unsigned int status, const char *html, size_t n,
                                  const snapshot *snap, const char *etag)
{
    strbuf doc = STRBUF_INIT;
    inject(&doc, html, n, snap);
    size_t len = doc.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, strbuf_detach(&doc), MHD_RESPMEM_MUST_FREE);
    if (resp) {
        common_headers(resp, "text/html; charset=utf-8");
        if (etag)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    }
    return send_and_free(conn, status, resp);
}

static enum MHD_Result reply_redirect(struct MHD_Connection *conn, unsigned int status, const char *path)
{
    strbuf location = STRBUF_INIT;
    esc_url_path(&location, path, strlen(path));
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp) {
        common_headers(resp, NULL);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location.data);
    }
    strbuf_free(&location);
    return send_and_free(conn, status, resp);
}

static bool read_fd(int fd, strbuf *out)
{
    char buf[65536];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return false;
        strbuf_append(out, buf, (size_t)got);
    }
    return true;
}

/* Answers with 404.html from the root, or a line of text when the site
 * has none. */
static enum MHD_Result reply_not_found(server *s, struct MHD_Connection *conn, const snapshot *snap)
{
    found f = {.fd = -1};
    strbuf html = STRBUF_INIT;
    bool have = lookup_path(s->root_dir, "404.html", &f) == FOUND_FILE;
    if (have) {
        have = read_fd(f.fd, &html);
        close(f.fd);
    }
    enum MHD_Result r = have ? reply_html(conn, MHD_HTTP_NOT_FOUND, strbuf_cstr(&html), html.len, snap, NULL)
                             : reply_text(conn, MHD_HTTP_NOT_FOUND, "404 not found\n");
    strbuf_free(&html);
    return r;
}

/* The page for a site that has never built: only the overlay and the
 * snippet, so the first good build replaces it. */
static enum MHD_Result reply_no_site(struct MHD_Connection *conn, const snapshot *snap)
{
    static const char doc[] =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<title>lumbar: the site has errors</title>\n</head>\n<body>\n"
        "<p>The site has not built yet. This page reloads when it does.</p>\n</body>\n</html>\n";
    return reply_html(conn, MHD_HTTP_SERVICE_UNAVAILABLE, doc, sizeof doc - 1, snap, NULL);
}

/* The validator changes whenever the bytes sent could: another file (hard
 * links keep the inode of unchanged files across builds), and for HTML also
 * another generation or failure, which change the injected part. */
static void make_etag(const found *f, const snapshot *snap, strbuf *etag)
{
    strbuf_printf(etag, "\"%llx-%llx-%llx.%lx", (unsigned long long)f->st.st_ino,
                  (unsigned long long)f->st.st_size, (unsigned long long)f->st.st_mtim.tv_sec,
                  (long)f->st.st_mtim.tv_nsec);
    if (is_html(f->name))
        strbuf_printf(etag, "-g%lu%s%lu", snap->gen, snap->broken ? "-e" : "-s", snap->broken ? snap->seq : 0UL);
    strbuf_putc(etag, '"');
}

static bool etag_matches(struct MHD_Connection *conn, const char *etag)
{
    const char *have = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    return have && (!strcmp(have, "*") || strstr(have, etag));
}

static enum MHD_Result reply_not_modified(struct MHD_Connection *conn, const char *etag)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (resp) {
        common_headers(resp, NULL);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    }
    return send_and_free(conn, MHD_HTTP_NOT_MODIFIED, resp);
}

/* Sends the open file f (and closes it). */
static enum MHD_Result reply_file(struct MHD_Connection *conn, found *f, const snapshot *snap)
{
    strbuf etag = STRBUF_INIT;
    make_etag(f, snap, &etag);
    enum MHD_Result r;
    if (etag_matches(conn, etag.data)) {
        close(f->fd);
        r = reply_not_modified(conn, etag.data);
    } else if (is_html(f->name)) {
        strbuf html = STRBUF_INIT;
        bool ok = read_fd(f->fd, &html);
        close(f->fd);
        r = ok ? reply_html(conn, MHD_HTTP_OK, strbuf_cstr(&html), html.len, snap, etag.data)
               : reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "cannot read the file\n");
        strbuf_free(&html);
    } else {
        /* MHD owns the descriptor from here, also on failure. */
        struct MHD_Response *resp = MHD_create_response_from_fd64((uint64_t)f->st.st_size, f->fd);
        if (resp) {
            common_headers(resp, mime_type(f->name));
            MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag.data);
        } else {
            close(f->fd);
        }
        r = send_and_free(conn, MHD_HTTP_OK, resp);
    }
    strbuf_free(&etag);
    return r;
}

/* path with every run of slashes made one. A Location is always such a
 * path: "//evil.example/" would send the browser to another host, and the
 * walk skips empty segments, so "//causes" finds the folder causes/. (A
 * backslash, which browsers also read as a slash, never gets this far.) */
static void one_slash_each(const char *path, strbuf *out)
{
    for (const char *p = path; *p; p++)
        if (*p != '/' || p[1] != '/')
            strbuf_putc(out, *p);
}

/* The site is served under its base path, as it will be when deployed. */
static enum MHD_Result reply_site(server *s, struct MHD_Connection *conn, const snapshot *snap, const char *path)
{
    if (snap->gen == 0)
        return reply_no_site(conn, snap);
    const char *base = snap->base_path;
    size_t blen = strlen(base);
    if (strncmp(path, base, blen) != 0) {
        bool base_without_slash = strlen(path) == blen - 1 && !strncmp(path, base, blen - 1);
        if (!strcmp(path, "/") || base_without_slash)
            return reply_redirect(conn, MHD_HTTP_FOUND, base); /* base_url may change: not 301 */
        return reply_not_found(s, conn, snap);
    }
    const char *rel = path + blen;
    if (!rel_path_safe(rel))
        return reply_not_found(s, conn, snap);
    found f = {.fd = -1};
    switch (lookup_path(s->root_dir, rel, &f)) {
    case FOUND_FILE:
        return reply_file(conn, &f, snap);
    case FOUND_DIR: {
        strbuf slashed = STRBUF_INIT;
        one_slash_each(path, &slashed);
        strbuf_putc(&slashed, '/');
        enum MHD_Result r = reply_redirect(conn, MHD_HTTP_MOVED_PERMANENTLY, slashed.data);
        strbuf_free(&slashed);
        return r;
    }
    default:
        return reply_not_found(s, conn, snap);
    }
}

/* ---- server-sent events ------------------------------------------------- */

typedef struct sse_client {
    hub *hub;
    strbuf out;            /* what is still to send: out.data + sent */
    size_t sent;
    unsigned long seen_seq;
    bool greeted;
} sse_client;

/* Formats the event for the current snapshot; called with the lock held. */
static void sse_event(sse_client *c, const snapshot *snap)
{
    if (!c->greeted)
        strbuf_printf(&c->out, "retry: 1000\n\nevent: hello\ndata: %lu\n\n", snap->gen);
    else if (!snap->broken)
        strbuf_printf(&c->out, "event: reload\ndata: %lu\n\n", snap->gen);
    if (snap->broken)
        strbuf_printf(&c->out, "event: errors\ndata: %s\n\n", snap->errors_data);
}

static void wait_for_change(hub *h, unsigned long seen_seq)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += KEEPALIVE_MS / 1000;
    while (!h->stopping && h->current->seq == seen_seq)
        if (pthread_cond_timedwait(&h->changed, &h->lock, &until) == ETIMEDOUT)
            break;
}

/* Blocks until there is something to send; false once the server stops. */
static bool sse_fill(sse_client *c)
{
    hub *h = c->hub;
    pthread_mutex_lock(&h->lock);
    if (c->greeted)
        wait_for_change(h, c->seen_seq);
    bool go_on = !h->stopping;
    if (go_on && (!c->greeted || h->current->seq != c->seen_seq))
        sse_event(c, h->current);
    else if (go_on)
        strbuf_puts(&c->out, ": keep-alive\n\n");
    c->seen_seq = h->current->seq;
    c->greeted = true;
    pthread_mutex_unlock(&h->lock);
    return go_on;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    sse_client *c = cls;
    (void)pos;
    if (c->sent == c->out.len) {
        strbuf_reset(&c->out);
        c->sent = 0;
        if (!sse_fill(c))
            return MHD_CONTENT_READER_END_OF_STREAM;
    }
    size_t n = c->out.len - c->sent < max ? c->out.len - c->sent : max;
    memcpy(buf, c->out.data + c->sent, n);
    c->sent += n;
    return (ssize_t)n;
}

static void sse_free(void *cls)
{
    sse_client *c = cls;
    strbuf_free(&c->out);
    free(c);
}

static enum MHD_Result reply_events(server *s, struct MHD_Connection *conn)
{
    sse_client *c = xcalloc(1, sizeof *c);
    c->hub = &s->hub;
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, c, sse_free);
    if (!resp) {
        sse_free(c);
        return MHD_NO;
    }
    common_headers(resp, "text/event-stream; charset=utf-8");
    return send_and_free(conn, MHD_HTTP_OK, resp);
}

/* ---- dispatch ----------------------------------------------------------- */

/* The path arrives exactly as the client sent it; decode_path decodes. */
static size_t keep_escaped(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return strlen(s);
}

/* True when name (without brackets) is a numeric address; *addr gets its
 * bytes (sixteen for IPv6, four for IPv4) and *family its family. */
static bool parse_ip(const char *name, unsigned char addr[16], int *family)
{
    if (inet_pton(AF_INET, name, addr) == 1) {
        *family = AF_INET;
        return true;
    }
    *family = AF_INET6;
    return inet_pton(AF_INET6, name, addr) == 1;
}

/* Splits a Host header value ("localhost:1313", "[::1]:1313", "127.0.0.1")
 * into its name, brackets removed, and its port (80 when absent). */
static bool split_host(const char *host, char name[NI_MAXHOST], int *port)
{
    const char *end;
    if (host[0] == '[') {
        end = strchr(host, ']');
        if (!end || (size_t)(end - host - 1) >= NI_MAXHOST)
            return false;
        memcpy(name, host + 1, (size_t)(end - host - 1));
        name[end - host - 1] = '\0';
        end++;
    } else {
        size_t len = strcspn(host, ":");
        if (len >= NI_MAXHOST)
            return false;
        memcpy(name, host, len);
        name[len] = '\0';
        end = host + len;
    }
    if (*end == '\0') {
        *port = 80;
        return true;
    }
    if (*end != ':' || end[1] == '\0' || strlen(end + 1) > 5 || strspn(end + 1, "0123456789") != strlen(end + 1))
        return false;
    *port = atoi(end + 1);
    return true;
}

/* The DNS rebinding guard: a page on another site whose name an attacker
 * points at 127.0.0.1 reaches this server with its own name in Host, and
 * must not read drafts. Allowed: localhost, the name or address given to
 * --bind, the address listened on, and when that is a wildcard any numeric
 * address (a number cannot be rebound); always with the port listened on. */
static bool host_allowed(const server *s, const char *host)
{
    char name[NI_MAXHOST];
    int port;
    if (!host || !split_host(host, name, &port) || port != s->bound_port)
        return false;
    if (!strcasecmp(name, "localhost") || (s->opts->bind && !strcasecmp(name, s->opts->bind)))
        return true;
    unsigned char want[16], have[16];
    int want_family, have_family;
    if (!parse_ip(name, have, &have_family))
        return false;
    if (s->bound_wildcard)
        return true;
    return parse_ip(s->bound_host, want, &want_family) && want_family == have_family &&
           !memcmp(want, have, have_family == AF_INET ? 4 : 16);
}

static enum MHD_Result reply_wrong_host(const server *s, struct MHD_Connection *conn)
{
    strbuf text = STRBUF_INIT;
    strbuf_printf(&text, "421 this development server answers only to %s (the Host header names another)\n",
                  s->origin);
    size_t len = text.len;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, strbuf_detach(&text), MHD_RESPMEM_MUST_FREE);
    if (resp)
        common_headers(resp, "text/plain; charset=utf-8");
    return send_and_free(conn, MHD_HTTP_MISDIRECTED_REQUEST, resp);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    server *s = cls;
    static int headers_seen;
    (void)version;
    (void)upload_data;
    /* Answering on the first call, before MHD knows the request has no
     * body, would make it close the connection: no keep-alive. */
    if (!*req_cls) {
        if (!host_allowed(s, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)))
            return reply_wrong_host(s, conn);
        *req_cls = &headers_seen;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* a body is never wanted; drop it */
        return MHD_YES;
    }
    if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
        return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "405 only GET and HEAD\n");
    strbuf path = STRBUF_INIT;
    enum MHD_Result r;
    if (!decode_path(url, &path)) {
        r = reply_text(conn, MHD_HTTP_BAD_REQUEST, "400 bad request path\n");
    } else if (!strcmp(path.data, EVENTS_PATH)) {
        r = reply_events(s, conn);
    } else if (!strncmp(path.data, PRIVATE_PREFIX, strlen(PRIVATE_PREFIX))) {
        r = reply_text(conn, MHD_HTTP_NOT_FOUND, "404 not found\n");
    } else {
        snapshot *snap = hub_acquire(&s->hub);
        r = reply_site(s, conn, snap, path.data);
        hub_release(&s->hub, snap);
    }
    strbuf_free(&path);
    return r;
}

/* ---- building ----------------------------------------------------------- */

/* "https://example.org/backpain" -> "/backpain/" */
static char *url_path(const char *url)
{
    const char *p = strstr(url, "://");
    p = p ? strchr(p + 3, '/') : NULL;
    strbuf out = STRBUF_INIT;
    strbuf_append(&out, p ? p : "/", p ? strcspn(p, "?#") : 1);
    if (out.data[out.len - 1] != '/')
        strbuf_putc(&out, '/');
    return strbuf_detach(&out);
}

/* The base path the site asks for: --base-url's, else config.ini's. NULL
 * when config.ini cannot be parsed; the build reports why. */
static char *site_base_path(const serve_options *opts)
{
    if (opts->build.base_url)
        return url_path(opts->build.base_url);
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    strbuf_printf(&path, "%s/config.ini", opts->build.site_dir);
    diag_list ignored = DIAG_LIST_INIT;
    config *cfg = fs_read_file(path.data, true, &text) ? config_parse(strbuf_cstr(&text), text.len, "config.ini", &ignored)
                                                   : NULL;
    char *base = cfg ? xstrdup(cfg->base_path) : NULL;
    config_free(cfg);
    diag_list_clear(&ignored);
    strbuf_free(&text);
    strbuf_free(&path);
    return base;
}

static snapshot *snapshot_after(const snapshot *prev, bool ok, char *base_path, const diag_list *diags)
{
    snapshot *next = xcalloc(1, sizeof *next);
    next->seq = prev->seq + 1;
    next->gen = prev->gen + (ok ? 1 : 0);
    next->broken = !ok;
    /* A failed build leaves the previous output, built for the previous path. */
    next->base_path = ok ? base_path : xstrdup(prev->base_path);
    if (!ok) {
        free(base_path);
        next->overlay_html = overlay_markup(diags, next->gen > 0);
        next->errors_data = errors_data(diags, next->overlay_html);
    }
    return next;
}

/* One build into the private output, reported through on_build and to
 * every open page. */
static void rebuild(server *s)
{
    snapshot *prev = hub_acquire(&s->hub);
    char *base = site_base_path(s->opts);
    if (!base)
        base = xstrdup(prev->base_path);
    free(s->base_url);
    strbuf url = STRBUF_INIT;
    strbuf_printf(&url, "%s%s", s->origin, base);
    s->base_url = strbuf_detach(&url);
    s->build.base_url = s->base_url;
    diag_list diags = DIAG_LIST_INIT;
    build_stats stats;
    bool ok = build_run(&s->build, &stats, &diags);
    if (s->opts->on_build)
        s->opts->on_build(s->opts->ctx, ok, &stats, &diags);
    hub_publish(&s->hub, snapshot_after(prev, ok, base, &diags));
    hub_release(&s->hub, prev);
    diag_list_clear(&diags);
}

/* ---- starting and stopping ---------------------------------------------- */

static void report(const server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Hands a problem that is not a build diagnostic to the caller. */
static void report(const server *s, const char *fmt, ...)
{
    if (!s->opts->on_error)
        return;
    strbuf msg = STRBUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    strbuf_vprintf(&msg, fmt, ap);
    va_end(ap);
    s->opts->on_error(s->opts->ctx, msg.data);
    strbuf_free(&msg);
}

/* Records the address and port listened on, and the origin
 * "http://127.0.0.1:1313"; a wildcard address is shown as localhost, which
 * reaches it and makes links that work in the browser. */
static void record_bound(server *s, const struct sockaddr *sa)
{
    char addr[NI_MAXHOST] = "";
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        s->bound_port = ntohs(in->sin_port);
        s->bound_wildcard = in->sin_addr.s_addr == htonl(INADDR_ANY);
        getnameinfo(sa, sizeof *in, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
    } else {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        s->bound_port = ntohs(in6->sin6_port);
        s->bound_wildcard = memcmp(&in6->sin6_addr, &in6addr_any, sizeof in6addr_any) == 0;
        getnameinfo(sa, sizeof *in6, addr, sizeof addr, NULL, 0, NI_NUMERICHOST);
    }
    s->bound_host = xstrdup(addr);
    strbuf out = STRBUF_INIT;
    if (s->bound_wildcard)
        strbuf_printf(&out, "http://localhost:%d", s->bound_port);
    else if (sa->sa_family == AF_INET6)
        strbuf_printf(&out, "http://[%s]:%d", addr, s->bound_port);
    else
        strbuf_printf(&out, "http://%s:%d", addr, s->bound_port);
    s->origin = strbuf_detach(&out);
}

static int listen_on(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
    int yes = 1;
    if (fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
        bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 64) == 0)
        return fd;
    int saved = errno;
    if (fd >= 0)
        close(fd);
    errno = saved;
    return -1;
}

/* Binds the listening socket first: the port (maybe picked by the kernel)
 * goes into the base URL of the very first build. */
static bool open_listener(server *s)
{
    const char *bind_addr = s->opts->bind ? s->opts->bind : "127.0.0.1";
    char port[16];
    snprintf(port, sizeof port, "%d", s->opts->port);
    struct addrinfo hints = {.ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    int rc = getaddrinfo(bind_addr, port, &hints, &ai);
    if (rc != 0) {
        report(s, "cannot listen on '%s': %s", bind_addr, gai_strerror(rc));
        return false;
    }
    s->listen_fd = listen_on(ai);
    s->ipv6 = ai->ai_family == AF_INET6;
    freeaddrinfo(ai);
    struct sockaddr_storage addr;
    socklen_t len = sizeof addr;
    if (s->listen_fd < 0 || getsockname(s->listen_fd, (struct sockaddr *)&addr, &len) != 0) {
        report(s, "cannot listen on %s port %s: %s", bind_addr, port,
               errno == EADDRINUSE ? "the port is taken (is another server running? --port 0 picks a free one)"
                                   : strerror(errno));
        return false;
    }
    record_bound(s, (struct sockaddr *)&addr);
    return true;
}

static bool make_private_output(server *s)
{
    const char *tmp = getenv("TMPDIR");
    strbuf templ = STRBUF_INIT;
    strbuf_printf(&templ, "%s/lumbar-serve-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(templ.data)) {
        report(s, "cannot make a private output folder '%s': %s", templ.data, strerror(errno));
        strbuf_free(&templ);
        return false;
    }
    s->tmp_dir = strbuf_detach(&templ);
    strbuf root = STRBUF_INIT;
    strbuf_printf(&root, "%s/site", s->tmp_dir);
    s->root_dir = strbuf_detach(&root);
    s->build.out_dir = s->root_dir;
    s->build.write = true;
    return true;
}

static bool start_daemon(server *s)
{
    unsigned int flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION;
    if (s->ipv6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
                                 MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
                                 (unsigned int)CONNECTION_TIMEOUT_S, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                 (unsigned int)CONNECTIONS_PER_IP, MHD_OPTION_CONNECTION_LIMIT,
                                 (unsigned int)CONNECTIONS_MAX, MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1,
                                 MHD_OPTION_END);
    if (!s->daemon)
        report(s, "cannot start the HTTP server on %s", s->origin);
    return s->daemon != NULL;
}

/* Everything up to the first build and a listening server. */
static bool start(server *s)
{
    if (!open_listener(s) || !make_private_output(s))
        return false;
    char *base = site_base_path(s->opts);
    snapshot *first = xcalloc(1, sizeof *first);
    first->base_path = base ? base : xstrdup("/");
    hub_init(&s->hub, first);
    rebuild(s);
    if (!start_daemon(s))
        return false;
    if (s->opts->on_listen)
        s->opts->on_listen(s->opts->ctx, s->base_url);
    return true;
}

static double ms_until(const struct timespec *due)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(due->tv_sec - now.tv_sec) * 1e3 + (double)(due->tv_nsec - now.tv_nsec) / 1e6;
}

static void debounce_from_now(struct timespec *due)
{
    clock_gettime(CLOCK_MONOTONIC, due);
    due->tv_nsec += DEBOUNCE_MS * 1000000L;
    due->tv_sec += due->tv_nsec / 1000000000L;
    due->tv_nsec %= 1000000000L;
}

static void report_watch_error(server *s, watcher *w)
{
    char *error = w ? watch_take_error(w) : NULL;
    if (error)
        report(s, "%s; changes there will not rebuild the site", error);
    free(error);
}

/* Rebuilds after every burst of changes until a stop signal arrives. */
static void serve_loop(server *s, watcher *w, int sigfd)
{
    bool pending = false;
    struct timespec due = {0, 0};
    for (;;) {
        report_watch_error(s, w);
        double left = pending ? ms_until(&due) : -1;
        struct pollfd fds[2] = {{sigfd, POLLIN, 0}, {w ? watch_fd(w) : -1, POLLIN, 0}};
        int n = poll(fds, 2, pending ? (left > 0 ? (int)left + 1 : 0) : -1);
        if (n < 0 && errno != EINTR)
            return;
        if (n > 0 && (fds[0].revents & POLLIN)) {
            struct signalfd_siginfo info;
            /* Consumed here, so restoring the mask later does not deliver it. */
            if (read(sigfd, &info, sizeof info) > 0)
                return;
        }
        if (n > 0 && (fds[1].revents & POLLIN) && watch_read(w)) {
            pending = true;
            debounce_from_now(&due);
        }
        if (pending && ms_until(&due) <= 0) {
            pending = false;
            rebuild(s);
        }
    }
}

static void stop(server *s, bool hub_ready)
{
    if (hub_ready)
        hub_stop(&s->hub);
    if (s->daemon)
        MHD_stop_daemon(s->daemon); /* closes the listening socket too */
    else if (s->listen_fd >= 0)
        close(s->listen_fd);
    if (s->tmp_dir)
        output_remove_tree(s->tmp_dir);
    if (hub_ready)
        hub_destroy(&s->hub);
    free(s->tmp_dir);
    free(s->root_dir);
    free(s->origin);
    free(s->bound_host);
    free(s->base_url);
}

int serve_run(const serve_options *opts)
{
    server s = {.opts = opts, .build = opts->build, .listen_fd = -1};
    s.build.base_url = NULL;
    /* The output folder is not served, but a build killed mid-swap must
       not leave it missing until the next lumbar build. */
    diag_list recover = DIAG_LIST_INIT;
    build_recover_output(&opts->build, &recover);
    for (size_t i = 0; i < recover.len; i++)
        report(&s, "%s", recover.items[i].msg);
    diag_list_clear(&recover);
    /* Rebuilds reuse every page whose text did not change. */
    s.build.cache = build_cache_new();
    sigset_t blocked, old;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    /* A page closed mid-response must not kill the server. */
    sigaddset(&blocked, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &blocked, &old);
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    int sigfd = signalfd(-1, &stop_signals, SFD_CLOEXEC);
    if (sigfd < 0)
        report(&s, "cannot wait for signals: %s", strerror(errno));
    watcher *w = sigfd >= 0 ? watch_new(opts->build.site_dir) : NULL;
    if (sigfd >= 0 && !w)
        report(&s, "cannot watch '%s' for changes: %s", opts->build.site_dir, strerror(errno));
    bool started = w && start(&s);
    if (started)
        serve_loop(&s, w, sigfd);
    stop(&s, s.hub.current != NULL);
    build_cache_free(s.build.cache);
    watch_free(w);
    if (sigfd >= 0)
        close(sigfd);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return started ? 0 : 1;
}
