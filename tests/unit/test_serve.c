/* Unit tests for serve.c through serve_run, on a tiny site in a fresh folder
 * under /tmp, served on a loopback port the kernel picks.
 *
 * serve_run runs on its own thread; this thread blocks SIGINT and SIGTERM
 * first, so the SIGTERM that ends each run reaches the server's signalfd.
 * Every wait is a handshake on the server's own callbacks (on_listen,
 * on_build), bounded at ten seconds.
 *
 * Covered: pages with the reload snippet before </body> (responses only,
 * never the file on disk); assets untouched and with their MIME type; 404
 * with the site's 404 page; HEAD; traversal attempts and malformed escapes
 * (400 or 404, never the file); a foreign Host (421); a redirect for a
 * folder without its slash that cannot name another host; an edit
 * rebuilding the site; a broken build keeping the last good pages with the
 * escaped error overlay; the fix removing it; a taken port reported
 * through on_error; and a clean stop, with nothing written into the site
 * folder and the private output removed. */
#include "harness.h"
#include "fixture.h"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fs.h"
#include "output.h"
#include "serve.h"

static char root[200];

#define TODAY 1735689600LL
#define WAIT_S 10

/* What the server reported, guarded by lock; changed is broadcast on each. */
typedef struct events {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int port;          /* 0 until on_listen */
    int builds, failed_builds;
    char last_error[512];
    bool finished;     /* serve_run returned */
    int status;        /* what it returned */
} events;

static events ev = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, "", false, 0};

static void on_build(void *ctx, bool ok, const build_stats *stats, const diag_list *diags)
{
    (void)ctx, (void)stats, (void)diags;
    pthread_mutex_lock(&ev.lock);
    ev.builds++;
    ev.failed_builds += !ok;
    pthread_cond_broadcast(&ev.changed);
    pthread_mutex_unlock(&ev.lock);
}

static void on_listen(void *ctx, const char *url)
{
    (void)ctx;
    const char *colon = strrchr(url, ':');
    pthread_mutex_lock(&ev.lock);
    ev.port = colon ? atoi(colon + 1) : -1;
    pthread_cond_broadcast(&ev.changed);
    pthread_mutex_unlock(&ev.lock);
}

static void on_error(void *ctx, const char *message)
{
    (void)ctx;
    pthread_mutex_lock(&ev.lock);
    snprintf(ev.last_error, sizeof ev.last_error, "%s", message);
    pthread_cond_broadcast(&ev.changed);
    pthread_mutex_unlock(&ev.lock);
}

/* Waits until *field (under ev.lock) reaches at least want; false after
 * WAIT_S seconds. */
static bool wait_until(const int *field, int want)
{
    struct timespec due;
    clock_gettime(CLOCK_REALTIME, &due);
    due.tv_sec += WAIT_S;
    pthread_mutex_lock(&ev.lock);
    int rc = 0;
    while (*field < want && rc == 0)
        rc = pthread_cond_timedwait(&ev.changed, &ev.lock, &due);
    bool reached = *field >= want;
    pthread_mutex_unlock(&ev.lock);
    return reached;
}

static int current(const int *field)
{
    pthread_mutex_lock(&ev.lock);
    int v = *field;
    pthread_mutex_unlock(&ev.lock);
    return v;
}

static serve_options opts;

static void *serve_thread(void *arg)
{
    (void)arg;
    int status = serve_run(&opts);
    pthread_mutex_lock(&ev.lock);
    ev.status = status;
    ev.finished = true;
    pthread_cond_broadcast(&ev.changed);
    pthread_mutex_unlock(&ev.lock);
    return NULL;
}

/* Sends request (with "Host: 127.0.0.1:PORT" added unless host is given)
 * and returns the whole response in sb. */
static const char *http(const char *method, const char *path, const char *host, strbuf *sb)
{
    strbuf_reset(sb);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)current(&ev.port))};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
        if (fd >= 0)
            close(fd);
        return "(no connection)";
    }
    strbuf req = STRBUF_INIT;
    if (host)
        strbuf_printf(&req, "%s %s HTTP/1.0\r\nHost: %s\r\n\r\n", method, path, host);
    else
        strbuf_printf(&req, "%s %s HTTP/1.0\r\nHost: 127.0.0.1:%d\r\n\r\n", method, path, current(&ev.port));
    if (write(fd, req.data, req.len) == (ssize_t)req.len) {
        char buf[4096];
        for (ssize_t got; (got = read(fd, buf, sizeof buf)) > 0;)
            strbuf_append(sb, buf, (size_t)got);
    }
    strbuf_free(&req);
    close(fd);
    return strbuf_cstr(sb);
}

static bool status_is(const char *response, const char *code)
{
    return !strncmp(response, "HTTP/1.", 7) && !strncmp(response + 9, code, 3);
}

static const char *body_of(const char *response)
{
    const char *end = strstr(response, "\r\n\r\n");
    return end ? end + 4 : "";
}

static const char page_layout[] = "<html><body><h1>{{title}}</h1>\n{{{content}}}</body></html>\n";

static void write_site(void)
{
    fx_put(root, "config.ini", "[site]\ntitle = Serve test\nbase_url = https://example.org/\n");
    fx_mkdir(root, "content");
    fx_mkdir(root, "content/folder");
    fx_mkdir(root, "layouts");
    fx_mkdir(root, "assets");
    fx_mkdir(root, "assets/css");
    fx_put(root, "layouts/home.html", page_layout);
    fx_put(root, "layouts/page.html", page_layout);
    fx_put(root, "layouts/section.html", page_layout);
    fx_put(root, "layouts/404.html", "<html><body>Site 404</body></html>\n");
    fx_put(root, "assets/css/site.css", "body { margin: 0 } /* </body> */\n");
    fx_put(root, "content/_index.md", "---\ntitle: Home\n---\nWelcome.\n");
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\n---\nAbout us.\n");
    fx_put(root, "content/folder/_index.md", "---\ntitle: Folder\n---\nA section.\n");
}

static bool start(void)
{
    opts = (serve_options){.build = {.site_dir = root, .jobs = 2, .now = TODAY},
                           .bind = "127.0.0.1",
                           .port = 0,
                           .on_build = on_build,
                           .on_listen = on_listen,
                           .on_error = on_error};
    pthread_t t;
    if (pthread_create(&t, NULL, serve_thread, NULL) != 0)
        return false;
    pthread_detach(t);
    return wait_until(&ev.port, 1);
}

static bool stop(void)
{
    kill(getpid(), SIGTERM);
    int finished_flag;
    struct timespec due;
    clock_gettime(CLOCK_REALTIME, &due);
    due.tv_sec += WAIT_S;
    pthread_mutex_lock(&ev.lock);
    int rc = 0;
    while (!ev.finished && rc == 0)
        rc = pthread_cond_timedwait(&ev.changed, &ev.lock, &due);
    finished_flag = ev.finished && ev.status == 0;
    pthread_mutex_unlock(&ev.lock);
    return finished_flag;
}

static void test_pages(void)
{
    strbuf sb = STRBUF_INIT;
    const char *r = http("GET", "/about/", NULL, &sb);
    CHECK(status_is(r, "200"));
    CHECK(strstr(r, "Content-Type: text/html; charset=utf-8\r\n") != NULL);
    const char *body = body_of(r);
    CHECK(!strncmp(body, "<html><body><h1>About</h1>\n<p>About us.</p>\n<script id=\"lumbar-live\">", 67));
    CHECK(strstr(body, "</script>\n</body></html>\n") != NULL);
    CHECK(strstr(body, "<div id=\"lumbar-overlay\"") == NULL);
    /* The file on disk (the private output under TMPDIR) has no snippet. */
    strbuf pattern = STRBUF_INIT, disk = STRBUF_INIT;
    strbuf_printf(&pattern, "%s/tmp/lumbar-serve-*/site/about/index.html", root);
    glob_t g;
    CHECK(glob(pattern.data, 0, NULL, &g) == 0 && g.gl_pathc == 1);
    if (g.gl_pathc == 1)
        fs_read_file(g.gl_pathv[0], false, &disk);
    CHECK_STR(strbuf_cstr(&disk), "<html><body><h1>About</h1>\n<p>About us.</p>\n</body></html>\n");
    globfree(&g);
    strbuf_free(&pattern);
    strbuf_free(&disk);
    r = http("HEAD", "/about/", NULL, &sb);
    CHECK(status_is(r, "200") && *body_of(r) == '\0');
    /* An asset is sent as it is, with its type: no snippet, even after a "</body>". */
    r = http("GET", "/css/site.css", NULL, &sb);
    CHECK(status_is(r, "200"));
    CHECK(strstr(r, "Content-Type: text/css; charset=utf-8\r\n") != NULL);
    CHECK_STR(body_of(r), "body { margin: 0 } /* </body> */\n");
    r = http("GET", "/nothing-here/", NULL, &sb);
    CHECK(status_is(r, "404"));
    CHECK(strstr(body_of(r), "Site 404") != NULL);
    strbuf_free(&sb);
}

static void test_refusals(void)
{
    strbuf sb = STRBUF_INIT;
    const char *paths[] = {"/../config.ini", "/%2e%2e/config.ini", "/..%2fconfig.ini", "/.lumbar",
                           "/css/..%5c..%5cconfig.ini", "/%00/../config.ini", "/%zz", "/%", "/about%0a/"};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        const char *r = http("GET", paths[i], NULL, &sb);
        bool refused = (status_is(r, "400") || status_is(r, "404")) && !strstr(r, "Serve test\nbase_url");
        if (!refused) {
            CHECK(!"a traversal refused");
            fprintf(stderr, "  path %s: %.40s\n", paths[i], r);
        }
    }
    CHECK(status_is(http("GET", "/%zz", NULL, &sb), "400"));
    CHECK(status_is(http("GET", "/", "evil.example", &sb), "421"));
    char host[64];
    snprintf(host, sizeof host, "evil.example:%d", current(&ev.port));
    CHECK(status_is(http("GET", "/", host, &sb), "421"));
    snprintf(host, sizeof host, "localhost:%d", current(&ev.port));
    CHECK(status_is(http("GET", "/", host, &sb), "200"));
    /* A folder without its slash: redirected, to a path on this host. */
    const char *r = http("GET", "/folder", NULL, &sb);
    CHECK(status_is(r, "301") || status_is(r, "308"));
    CHECK(strstr(r, "Location: /folder/\r\n") != NULL);
    r = http("GET", "//folder", NULL, &sb);
    CHECK(strstr(r, "Location: /folder/\r\n") != NULL);
    strbuf_free(&sb);
}

/* Edits rebuild; a broken build keeps the last good pages and shows the
 * overlay, escaped; the fix takes it away again. */
static void test_rebuilds(void)
{
    strbuf sb = STRBUF_INIT;
    int builds = current(&ev.builds);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\n---\nEdited.\n");
    CHECK(wait_until(&ev.builds, builds + 1));
    CHECK(strstr(http("GET", "/about/", NULL, &sb), "<p>Edited.</p>") != NULL);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\ndate: <b>bad</b>\n---\nBroken.\n");
    CHECK(wait_until(&ev.failed_builds, 1));
    const char *r = http("GET", "/about/", NULL, &sb);
    CHECK(status_is(r, "200"));
    CHECK(strstr(r, "<p>Edited.</p>") != NULL);
    CHECK(strstr(r, "<div id=\"lumbar-overlay\"") != NULL);
    CHECK(strstr(r, "lumbar: the build failed with 1 error</h2>") != NULL);
    CHECK(strstr(r, "content/about.md:4:7: error: ") != NULL);
    CHECK(strstr(r, "&lt;b&gt;bad&lt;/b&gt;") != NULL && strstr(r, "<b>bad") == NULL);
    CHECK(strstr(body_of(http("GET", "/css/site.css", NULL, &sb)), "overlay") == NULL);
    builds = current(&ev.builds);
    fx_put(root, "content/about.md", "---\ntitle: About\ndescription: d\n---\nFixed.\n");
    CHECK(wait_until(&ev.builds, builds + 1));
    r = http("GET", "/about/", NULL, &sb);
    CHECK(strstr(r, "<p>Fixed.</p>") != NULL && strstr(r, "<div id=\"lumbar-overlay\"") == NULL);
    strbuf_free(&sb);
}

/* A second server on the same port: on_error says why, serve_run returns 1. */
static void test_port_taken(void)
{
    serve_options second = opts;
    second.port = current(&ev.port);
    second.on_listen = NULL;
    second.on_build = NULL;
    CHECK_INT(serve_run(&second), 1);
    pthread_mutex_lock(&ev.lock);
    CHECK(strstr(ev.last_error, "the port is taken") != NULL);
    pthread_mutex_unlock(&ev.lock);
}

int main(void)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
    if (!th_tmpdir("serve", root, sizeof root)) {
        CHECK(!"a temporary folder");
        TEST_END("serve");
    }
    write_site();
    /* The private output goes here: a folder the watcher ignores. */
    fx_mkdir(root, "tmp");
    strbuf tmp = STRBUF_INIT;
    strbuf_printf(&tmp, "%s/tmp", root);
    setenv("TMPDIR", tmp.data, 1);
    strbuf_free(&tmp);
    bool started = start();
    CHECK(started);
    CHECK_INT(current(&ev.builds), 1);
    CHECK_INT(current(&ev.failed_builds), 0);
    if (started) {
        test_pages();
        test_refusals();
        test_rebuilds();
        test_port_taken();
    }
    CHECK(stop());
    /* Nothing was written into the site folder. */
    struct stat st;
    CHECK(stat(root, &st) == 0);
    strbuf p = STRBUF_INIT;
    strbuf_printf(&p, "%s/public", root);
    CHECK(stat(p.data, &st) != 0);
    /* And the private output is gone. */
    strbuf_reset(&p);
    strbuf_printf(&p, "%s/tmp/lumbar-serve-*", root);
    glob_t g;
    CHECK(glob(p.data, 0, NULL, &g) == GLOB_NOMATCH);
    globfree(&g);
    strbuf_free(&p);
    output_remove_tree(root);
    TEST_END("serve");
}
