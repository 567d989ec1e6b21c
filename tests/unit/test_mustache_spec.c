/* Runs the official Mustache spec against template.c: every *.yml in
 * $SPEC_DIR (default ../shared/conformance/mustache-spec) except the lambda
 * module, which lumbar does not implement. One CHECK per spec test; a
 * failure prints the test's name, the expected and the actual output. */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>

#include "fs.h"
#include "template.h"
#include "xalloc.h"
#include "yamlvalue.h"

#define MAIN_NAME "(spec test)"

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The spec files to run, sorted so the report reads the same every time. */
static char **list_spec_files(const char *dir, size_t *count)
{
    char **names = NULL;
    size_t n = 0, cap = 0;
    DIR *d = opendir(dir);
    if (!d)
        return NULL;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 4, ".yml") != 0 ||
            strncmp(e->d_name, "~lambdas", 8) == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            names = xrealloc(names, cap * sizeof *names);
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    *count = n;
    return names;
}

static const char *text_of(const value *v, strbuf *sb)
{
    strbuf_reset(sb);
    value_to_text(v, sb);
    return strbuf_cstr(sb);
}

static void print_diags(const diag_list *dl)
{
    strbuf sb = STRBUF_INIT;
    for (size_t i = 0; i < dl->len; i++)
        diag_format(&dl->items[i], &sb);
    fprintf(stderr, "%s", strbuf_cstr(&sb));
    strbuf_free(&sb);
}

/* Loads a test's template and partials into a new set. */
static tpl_set *load_test(const value *test, diag_list *dl)
{
    tpl_set *set = tpl_set_new();
    const value *partials = value_map_get(test, "partials");
    for (size_t i = 0; partials && partials->kind == V_MAP && i < partials->u.map.len; i++) {
        const value *src = partials->u.map.items[i].val;
        const char *name = value_entry_key(&partials->u.map.items[i]);
        tpl_set_add(set, name, name, src->u.str.ptr, src->u.str.len, dl);
    }
    const value *tmpl = value_map_get(test, "template");
    tpl_set_add(set, MAIN_NAME, "template", tmpl->u.str.ptr, tmpl->u.str.len, dl);
    return set;
}

/* Runs one spec test; returns whether the output was the expected one. */
static bool run_test(const char *file, const value *test)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf out = STRBUF_INIT, want = STRBUF_INIT;
    tpl_set *set = load_test(test, &dl);
    const value *data = value_map_get(test, "data");
    const value *stack[] = {data};
    bool rendered = tpl_render(set, MAIN_NAME, stack, 1, &out);
    text_of(value_map_get(test, "expected"), &want);
    bool ok = rendered && dl.len == 0 && strcmp(strbuf_cstr(&out), strbuf_cstr(&want)) == 0;
    if (!ok) {
        fprintf(stderr, "    FAIL %s: %s\n      expected: \"%s\"\n      actual:   \"%s\"%s\n", file,
                value_cstr(value_map_get(test, "name")), strbuf_cstr(&want), strbuf_cstr(&out),
                rendered ? "" : " (render failed)");
        print_diags(&dl);
    }
    tpl_set_free(set);
    diag_list_clear(&dl);
    strbuf_free(&out);
    strbuf_free(&want);
    return ok;
}

static void run_file(const char *dir, const char *file)
{
    strbuf path = STRBUF_INIT, src = STRBUF_INIT;
    diag_list dl = DIAG_LIST_INIT;
    strbuf_printf(&path, "%s/%s", dir, file);
    CHECK(fs_read_file(strbuf_cstr(&path), true, &src));
    value *doc = yaml_load(strbuf_cstr(&src), src.len, strbuf_cstr(&path), 0, &dl);
    const value *tests = value_map_get(doc, "tests");
    CHECK(tests && tests->kind == V_LIST);
    print_diags(&dl);
    size_t passed = 0, total = tests && tests->kind == V_LIST ? tests->u.list.len : 0;
    for (size_t i = 0; i < total; i++) {
        bool ok = run_test(file, tests->u.list.items[i]);
        CHECK(ok);
        passed += ok;
    }
    printf("  %s: %zu/%zu\n", file, passed, total);
    value_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&path);
    strbuf_free(&src);
}

int main(void)
{
    const char *dir = getenv("SPEC_DIR");
    if (!dir || !*dir)
        dir = "../shared/conformance/mustache-spec";
    size_t count = 0;
    char **files = list_spec_files(dir, &count);
    /* A missing or empty spec folder must fail, not pass with no checks. */
    if (files == NULL || count == 0)
        printf("  no spec files in %s: the Mustache spec lives in ../shared/conformance "
               "beside this repository (SPEC_DIR=DIR to point elsewhere)\n", dir);
    CHECK(files != NULL && count > 0);
    for (size_t i = 0; i < count; i++) {
        run_file(dir, files[i]);
        free(files[i]);
    }
    free(files);
    TEST_END("mustache-spec");
}
