/* main: the command line. The only module that prints. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "build.h"
#include "config.h"
#include "date.h"
#include "diag.h"
#include "frontmatter.h"
#include "serve.h"
#include "strbuf.h"
#include "xalloc.h"

#define EXIT_SITE_ERRORS 1
#define EXIT_USAGE 2

static const char usage_main[] =
    "usage: lumbar COMMAND [OPTIONS]\n"
    "\n"
    "Commands:\n"
    "  build          build the site into its output folder\n"
    "  check          validate everything and write nothing\n"
    "  serve          build, serve on 127.0.0.1:1313, rebuild and reload on change\n"
    "  new SECTION/SLUG\n"
    "                 start a new article with its front matter filled in\n"
    "\n"
    "  lumbar COMMAND --help   shows the options of a command\n"
    "  lumbar --version        shows the version\n";

static const char usage_build[] =
    "usage: lumbar build [-s DIR] [-o DIR] [--base-url URL] [--drafts] [--future] [-j N] [-q] [--strict]\n"
    "                    [--force] [--no-link-check] [--no-cache]\n"
    "\n"
    "Builds the site in DIR (default .) into a staging folder and swaps it in\n"
    "as the output folder only when every page succeeded. A page whose inputs\n"
    "are all unchanged since the last build is not rendered again: its output\n"
    "is reused (the caches are in DIR/.lumbar-cache/).\n"
    "\n"
    "  -s, --source DIR   the site folder (config.ini, content/, layouts/, assets/)\n"
    "  -o, --output DIR   the output folder (default: [build] output, public)\n"
    "  --base-url URL     override [site] base_url, e.g. https://example.org/backpain/\n"
    "  --drafts           include pages with draft: true\n"
    "  --future           include pages whose date is after today\n"
    "  -j, --jobs N       threads to render with (default: the number of processors)\n"
    "  -q, --quiet        print nothing on success, warnings included\n"
    "  --strict           treat warnings as errors\n"
    "  --force            replace an output folder that lumbar did not create\n"
    "  --no-link-check    leave internal links and #fragments unchecked\n"
    "  --no-cache         render every page and count every page's search terms,\n"
    "                     reading and writing neither cache\n"
    "\n"
    "Options follow getopt_long: -j4, --jobs=4, --output=DIR, -qs DIR.\n"
    "Exit status: 0 success, 1 the site has errors (all are reported), 2 bad usage.\n";

static const char usage_check[] =
    "usage: lumbar check [-s DIR] [--base-url URL] [--drafts] [--future] [-j N] [--strict] [--no-link-check]\n"
    "\n"
    "Builds the site in memory and writes nothing. Reports every error and\n"
    "warning in one run: front matter, templates, citations, the decision tree,\n"
    "links and #fragments, overdue reviews.\n"
    "\n"
    "  -s, --source DIR   the site folder\n"
    "  --base-url URL     override [site] base_url\n"
    "  --drafts           include pages with draft: true\n"
    "  --future           include pages whose date is after today\n"
    "  -j, --jobs N       threads to render with\n"
    "  --strict           treat warnings as errors\n"
    "  --no-link-check    leave internal links and #fragments unchecked\n"
    "\n"
    "Exit status: 0 no errors, 1 the site has errors, 2 bad usage.\n";

static const char usage_serve[] =
    "usage: lumbar serve [-s DIR] [--port N] [--bind ADDR] [--base-url URL] [--drafts] [--future] [-j N]\n"
    "                    [--strict] [--no-link-check]\n"
    "\n"
    "Builds the site into a private folder and serves it, by default at\n"
    "http://127.0.0.1:1313/. Watches config.ini, content/, layouts/ and assets/,\n"
    "rebuilds on every change and reloads open pages. When a rebuild fails, the\n"
    "last good site stays up and the errors (broken links and citations too)\n"
    "show in the page and here.\n"
    "\n"
    "  -s, --source DIR   the site folder\n"
    "  --port N           the port (default 1313; 0 picks a free one)\n"
    "  --bind ADDR        the address to listen on (default 127.0.0.1)\n"
    "  --base-url URL     the deployed base URL; its path is kept, e.g. /backpain/\n"
    "  --drafts           include pages with draft: true\n"
    "  --future           include pages whose date is after today\n"
    "  -j, --jobs N       threads to render with\n"
    "  --strict           treat warnings as errors in every rebuild\n"
    "  --no-link-check    leave internal links and #fragments unchecked\n";

static const char usage_new[] =
    "usage: lumbar new [-s DIR] SECTION/SLUG\n"
    "\n"
    "Writes content/SECTION/SLUG.md (or content/SLUG.md) with front matter\n"
    "filled in: a title made from the slug, today's date and draft: true. The\n"
    "page is pending clinical review (no reviewer, no review dates), and its\n"
    "TODO(lumbar new) placeholders are errors once draft: true is removed.\n"
    "Never overwrites an existing file. SECTION/SLUG.md is taken as SECTION/SLUG.\n";

typedef struct cli {
    const char *command;
    build_options build;
    const char *bind;
    int port;
    bool quiet;
    const char *target; /* for new */
} cli;

static int usage_error(const char *fmt, const char *arg, const char *usage)
{
    fprintf(stderr, "lumbar: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", usage);
    return EXIT_USAGE;
}

static long long now_unix(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        char *end;
        errno = 0;
        long long v = strtoll(sde, &end, 10);
        if (!errno && !*end && v >= 0)
            return v;
    }
    return (long long)time(NULL);
}

static int default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

static const char *usage_for(const char *command)
{
    if (!strcmp(command, "build"))
        return usage_build;
    if (!strcmp(command, "check"))
        return usage_check;
    if (!strcmp(command, "serve"))
        return usage_serve;
    return usage_new;
}

/* True when --base-url's url is one config.ini's base_url would accept;
 * otherwise prints why, with the usage, as for any bad option. */
static bool base_url_usable(const char *url, const char *usage)
{
    diag_list problems = DIAG_LIST_INIT;
    bool ok = config_check_base_url(url, "--base-url", 0, &problems);
    if (!ok)
        usage_error("--base-url: %s", problems.items[0].msg, usage);
    diag_list_clear(&problems);
    return ok;
}

/* Long options; val is the short letter, or one of these for long-only ones. */
enum { OPT_BASE_URL = 256, OPT_DRAFTS, OPT_STRICT, OPT_FORCE, OPT_PORT, OPT_BIND, OPT_FUTURE, OPT_NO_LINK_CHECK, OPT_NO_CACHE };

static const struct option all_options[] = {
    {"help", no_argument, NULL, 'h'},           {"source", required_argument, NULL, 's'},
    {"output", required_argument, NULL, 'o'},   {"base-url", required_argument, NULL, OPT_BASE_URL},
    {"drafts", no_argument, NULL, OPT_DRAFTS},  {"future", no_argument, NULL, OPT_FUTURE},
    {"jobs", required_argument, NULL, 'j'},     {"quiet", no_argument, NULL, 'q'},
    {"strict", no_argument, NULL, OPT_STRICT},  {"force", no_argument, NULL, OPT_FORCE},
    {"no-link-check", no_argument, NULL, OPT_NO_LINK_CHECK}, {"no-cache", no_argument, NULL, OPT_NO_CACHE},
    {"port", required_argument, NULL, OPT_PORT}, {"bind", required_argument, NULL, OPT_BIND},
    {NULL, 0, NULL, 0}};

/* Which options each command takes, by val. */
static bool command_takes(const char *command, int val)
{
    static const int common[] = {'h', 's', OPT_BASE_URL, OPT_DRAFTS, OPT_FUTURE, 'j', OPT_STRICT, OPT_NO_LINK_CHECK, 0};
    if (!strcmp(command, "new"))
        return val == 'h' || val == 's';
    for (const int *v = common; *v; v++)
        if (*v == val)
            return true;
    if (!strcmp(command, "build"))
        return val == 'o' || val == 'q' || val == OPT_FORCE || val == OPT_NO_CACHE;
    if (!strcmp(command, "serve"))
        return val == OPT_PORT || val == OPT_BIND;
    return false;
}

/* Fills opts with the options command takes: what getopt_long is given. */
static void options_for(const char *command, struct option *opts, strbuf *shorts)
{
    size_t n = 0;
    strbuf_puts(shorts, ":"); /* a missing value is reported as ':' */
    for (const struct option *o = all_options; o->name; o++) {
        if (!command_takes(command, o->val))
            continue;
        opts[n++] = *o;
        if (o->val < 256) {
            strbuf_putc(shorts, (char)o->val);
            if (o->has_arg == required_argument)
                strbuf_putc(shorts, ':');
        }
    }
    opts[n] = (struct option){NULL, 0, NULL, 0};
}

/* Applies one option and its value; returns -1 to go on, else an exit status. */
static int apply_option(cli *c, int val, const char *arg, const char *usage)
{
    char *end;
    switch (val) {
    case 'h': fputs(usage, stdout); return 0;
    case 's': c->build.site_dir = arg; break;
    case 'o': c->build.out_dir = arg; break;
    case OPT_BASE_URL:
        c->build.base_url = arg;
        if (!base_url_usable(arg, usage))
            return EXIT_USAGE;
        break;
    case OPT_DRAFTS: c->build.drafts = true; break;
    case OPT_FUTURE: c->build.future = true; break;
    case OPT_NO_LINK_CHECK: c->build.no_link_check = true; break;
    case OPT_NO_CACHE: c->build.no_cache = true; break;
    case 'q': c->quiet = true; break;
    case OPT_STRICT: c->build.strict = true; break;
    case OPT_FORCE: c->build.force = true; break;
    case OPT_BIND: c->bind = arg; break;
    case 'j': {
        long j = strtol(arg, &end, 10);
        if (!*arg || *end || j < 1 || j > 256)
            return usage_error("-j needs a number of threads from 1 to 256, not '%s'", arg, usage);
        c->build.jobs = (int)j;
        break;
    }
    case OPT_PORT: {
        long port = strtol(arg, &end, 10);
        if (!*arg || *end || port < 0 || port > 65535)
            return usage_error("--port needs a port number from 0 to 65535, not '%s'", arg, usage);
        c->port = (int)port;
        break;
    }
    default: break;
    }
    return -1;
}

/* The option getopt_long could not take, as the user wrote it. */
static void bad_option_name(char **argv, int optind_after, int optopt_seen, char *out, size_t cap)
{
    const char *word = argv[optind_after - 1];
    if (optopt_seen && optopt_seen < 256 && strncmp(word, "--", 2) != 0)
        snprintf(out, cap, "-%c", optopt_seen);
    else
        snprintf(out, cap, "%.*s", (int)strcspn(word, "="), word);
}

/* Parses argv after the command with getopt_long's conventions (-j4,
 * --jobs=4, -qs DIR); returns -1 to go on, else an exit status. */
static int parse_options(cli *c, int argc, char **argv)
{
    const char *usage = usage_for(c->command);
    struct option opts[sizeof all_options / sizeof *all_options];
    strbuf shorts = STRBUF_INIT;
    options_for(c->command, opts, &shorts);
    int status = -1, val;
    char name[64];
    opterr = 0;
    optind = 1;
    /* argv + 1: the command stands where getopt expects the program name. */
    while (status < 0 && (val = getopt_long(argc - 1, argv + 1, shorts.data, opts, NULL)) != -1) {
        if (val == '?' || val == ':') {
            bad_option_name(argv + 1, optind, optopt, name, sizeof name);
            status = usage_error(val == '?' ? "unknown option '%s'" : "%s needs a value", name, usage);
        } else {
            status = apply_option(c, val, optarg, usage);
        }
    }
    strbuf_free(&shorts);
    if (status >= 0)
        return status;
    int rest = optind + 1; /* back to argv's numbering */
    bool is_new = !strcmp(c->command, "new");
    if (is_new && rest < argc)
        c->target = argv[rest++];
    if (rest < argc)
        return usage_error("unexpected argument '%s'", argv[rest], usage);
    if (is_new && !c->target)
        return usage_error("%s", "new needs SECTION/SLUG, e.g. lumbar new treatments/heat-therapy", usage);
    return -1;
}

/* A build shows at most this many warnings; `lumbar check` shows them all. */
#define BUILD_WARNINGS_SHOWN 20

/* Prints every error and up to max_warnings warnings (SIZE_MAX: all). */
static void print_some_diags(const diag_list *dl, size_t max_warnings)
{
    strbuf out = STRBUF_INIT;
    size_t warnings = 0;
    for (size_t i = 0; i < dl->len; i++) {
        if (dl->items[i].level == DIAG_WARNING && warnings++ >= max_warnings)
            continue;
        diag_format(&dl->items[i], &out);
    }
    if (warnings > max_warnings)
        strbuf_printf(&out, "lumbar: %zu more warnings not shown; `lumbar check` lists them all\n",
                      warnings - max_warnings);
    fputs(strbuf_cstr(&out), stderr);
    strbuf_free(&out);
}

static void print_diags(const diag_list *dl) { print_some_diags(dl, SIZE_MAX); }

static void print_failure(const diag_list *dl, bool wrote)
{
    size_t errors = diag_count(dl, DIAG_ERROR), warnings = diag_count(dl, DIAG_WARNING);
    fprintf(stderr, "lumbar: %zu error%s, %zu warning%s%s\n", errors, errors == 1 ? "" : "s", warnings,
            warnings == 1 ? "" : "s", wrote ? "; the output folder was not changed" : "");
}

/* One line each for the pages a build left out by their dates. */
static void print_left_out(FILE *to, const build_stats *stats)
{
    if (stats->scheduled)
        fprintf(to, "lumbar: %zu page%s scheduled for later, left out: --future to include\n", stats->scheduled,
                stats->scheduled == 1 ? "" : "s");
    if (stats->expired)
        fprintf(to, "lumbar: %zu page%s past %s expires date, left out\n", stats->expired,
                stats->expired == 1 ? "" : "s", stats->expired == 1 ? "its" : "their");
}

static int run_build(cli *c)
{
    build_stats stats;
    diag_list diags = DIAG_LIST_INIT;
    c->build.exiting = true; /* one build, then exit */
    bool ok = build_run(&c->build, &stats, &diags);
    /* -q keeps a successful build silent; a failed one always says why. */
    if (!c->build.write || !ok)
        print_diags(&diags);
    else if (!c->quiet)
        print_some_diags(&diags, BUILD_WARNINGS_SHOWN);
    if (!ok)
        print_failure(&diags, c->build.write);
    else if (c->build.write && !c->quiet) {
        printf("lumbar: built %zu pages (%zu sections, %zu tags, %zu aliases", stats.pages, stats.sections, stats.tags,
               stats.aliases);
        if (stats.reused) /* linked from the previous build: their inputs are unchanged */
            printf("; %zu unchanged, reused", stats.reused);
        printf(") and copied %zu assets in %.0f ms\n", stats.assets, stats.ms);
        print_left_out(stdout, &stats);
    } else if (!c->build.write) {
        fprintf(stderr, "lumbar: checked %zu pages: %zu warning%s\n", stats.pages, diag_count(&diags, DIAG_WARNING),
                diag_count(&diags, DIAG_WARNING) == 1 ? "" : "s");
        print_left_out(stderr, &stats);
    }
    diag_list_clear(&diags);
    return ok ? 0 : EXIT_SITE_ERRORS;
}

static void serve_on_build(void *ctx, bool ok, const build_stats *stats, const diag_list *diags)
{
    (void)ctx;
    print_diags(diags);
    if (ok)
        printf("lumbar: rebuilt %zu pages (%zu unchanged) in %.0f ms\n", stats->pages, stats->reused, stats->ms);
    else
        print_failure(diags, false);
    fflush(stdout);
}

static void serve_on_listen(void *ctx, const char *url)
{
    (void)ctx;
    printf("lumbar: serving %s (press Ctrl-C to stop)\n", url);
    fflush(stdout);
}

static void serve_on_error(void *ctx, const char *message)
{
    (void)ctx;
    fprintf(stderr, "lumbar: %s\n", message);
}

static int run_serve(cli *c)
{
    serve_options so = {.build = c->build, .bind = c->bind, .port = c->port, .on_build = serve_on_build,
                        .on_listen = serve_on_listen, .on_error = serve_on_error};
    return serve_run(&so);
}

/* "heat-therapy" -> "Heat therapy" */
static void title_from_slug(const char *slug, strbuf *out)
{
    for (const char *p = slug; *p; p++) {
        char ch = *p == '-' ? ' ' : *p;
        if (p == slug && ch >= 'a' && ch <= 'z')
            ch = (char)(ch - 'a' + 'A');
        strbuf_putc(out, ch);
    }
}

/* Writes the page `lumbar new` starts; returns the exit status. */
static int write_new_page(cli *c)
{
    const char *slash = strchr(c->target, '/');
    const char *slug = slash ? slash + 1 : c->target;
    char section[256] = "";
    if (slash) {
        size_t n = (size_t)(slash - c->target);
        if (n == 0 || n >= sizeof section)
            return usage_error("'%s' is not SECTION/SLUG", c->target, usage_new);
        memcpy(section, c->target, n);
        section[n] = '\0';
    }
    if ((slash && !fm_slug_ok(section)) || !fm_slug_ok(slug) || strchr(slug, '/'))
        return usage_error("'%s': section and slug may use only a-z, 0-9 and '-'", c->target, usage_new);
    /* The build refuses such a file: commands take it for an option. */
    if (section[0] == '-' || slug[0] == '-')
        return usage_error("'%s': section and slug must not start with '-'", c->target, usage_new);
    strbuf path = STRBUF_INIT, text = STRBUF_INIT;
    if (*section) {
        strbuf_printf(&path, "%s/content/%s", c->build.site_dir, section);
        struct stat st;
        if (stat(path.data, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr, "lumbar: there is no section content/%s/ (create content/%s/_index.md first)\n", section, section);
            strbuf_free(&path);
            return EXIT_SITE_ERRORS;
        }
        strbuf_printf(&path, "/%s.md", slug);
    } else {
        strbuf_printf(&path, "%s/content/%s.md", c->build.site_dir, slug);
    }
    strbuf day = STRBUF_INIT;
    date_format_iso(date_from_unix(now_unix()), &day);
    strbuf_puts(&text, "---\ntitle: \"");
    title_from_slug(slug, &text);
    /* A draft pending review: no reviewed_by and no review dates, which
       only a real review may add. The placeholders fail a published build. */
    strbuf_printf(&text, "\"\ndescription: \"" FM_PLACEHOLDER ": one sentence, under 160 characters\"\n"
                         "date: %s\ndraft: true\ntags: []\n---\n\n" FM_PLACEHOLDER ": write the introduction here.\n",
                  day.data);
    int fd = open(path.data, O_WRONLY | O_CREAT | O_EXCL, 0644);
    int status = 0;
    if (fd < 0) {
        fprintf(stderr, "lumbar: cannot create %s: %s\n", path.data,
                errno == EEXIST ? "it already exists (lumbar new never overwrites)" : strerror(errno));
        status = EXIT_SITE_ERRORS;
    } else {
        bool ok = write(fd, text.data, text.len) == (ssize_t)text.len;
        ok = close(fd) == 0 && ok;
        if (ok)
            printf("lumbar: wrote %s\n", path.data);
        else
            fprintf(stderr, "lumbar: cannot write %s: %s\n", path.data, strerror(errno));
        status = ok ? 0 : EXIT_SITE_ERRORS;
    }
    strbuf_free(&day);
    strbuf_free(&path);
    strbuf_free(&text);
    return status;
}

static int run_new(cli *c)
{
    /* "treatments/heat-therapy.md" names the file it makes: take it as
       "treatments/heat-therapy". */
    size_t len = strlen(c->target);
    char *target = xstrndup(c->target, len > 3 && !strcmp(c->target + len - 3, ".md") ? len - 3 : len);
    c->target = target;
    int status = write_new_page(c);
    free(target);
    return status;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* For builds with the C library's malloc (the Makefile links jemalloc
     * when it can, and then this changes nothing): no fastbins. A build
     * frees hundreds of thousands of small values, and consolidating
     * fastbins was 2-5% of its CPU time; without them a 10,000-article
     * build took 3% less CPU, a 100,000-article one 7% (docs/benchmarks.md). */
    mallopt(M_MXFAST, 0);
#endif
    if (argc < 2)
        return usage_error("%s", "no command given", usage_main);
    const char *command = argv[1];
    if (!strcmp(command, "--help") || !strcmp(command, "-h") || !strcmp(command, "help")) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(command, "--version") || !strcmp(command, "-V")) {
        puts("lumbar " LUMBAR_VERSION);
        return 0;
    }
    if (strcmp(command, "build") && strcmp(command, "check") && strcmp(command, "new") && strcmp(command, "serve"))
        return usage_error("unknown command '%s'", command, usage_main);
    cli c = {.command = command, .bind = "127.0.0.1", .port = 1313};
    c.build.site_dir = ".";
    c.build.jobs = default_jobs();
    c.build.write = !strcmp(command, "build");
    c.build.now = now_unix();
    int status = parse_options(&c, argc, argv);
    if (status >= 0)
        return status;
    if (!strcmp(command, "new"))
        return run_new(&c);
    if (!strcmp(command, "serve"))
        return run_serve(&c);
    return run_build(&c);
}
