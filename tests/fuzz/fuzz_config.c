/* Fuzz target: config.ini through config_parse.
 *
 * Whatever the file says, a config that loads must keep the promises the
 * rest of lumbar builds on: base_url is an absolute http(s) URL ending in
 * "/", base_path its path, starting and ending in "/" with no "." or ".."
 * segment, and the numbers stay in their ranges. */
#include <string.h>

#include "config.h"
#include "fuzz.h"

static void check_config(const config *cfg)
{
    size_t n = strlen(cfg->base_url);
    FUZZ_ASSERT(!strncmp(cfg->base_url, "https://", 8) || !strncmp(cfg->base_url, "http://", 7));
    FUZZ_ASSERT(n > 0 && cfg->base_url[n - 1] == '/');
    size_t p = strlen(cfg->base_path);
    FUZZ_ASSERT(p > 0 && cfg->base_path[0] == '/' && cfg->base_path[p - 1] == '/');
    FUZZ_ASSERT(!strstr(cfg->base_path, "/../") && !strstr(cfg->base_path, "/./") && !strstr(cfg->base_path, "//"));
    FUZZ_ASSERT(n >= p && !strcmp(cfg->base_url + n - p, cfg->base_path));
    FUZZ_ASSERT(!strpbrk(cfg->base_url, "\"'<> \t\\"));
    FUZZ_ASSERT(cfg->page_size >= 0 && cfg->page_size <= 100000);
    FUZZ_ASSERT(cfg->interval_months >= 1 && cfg->interval_months <= 240);
    FUZZ_ASSERT(cfg->title && cfg->title[0] && cfg->output && cfg->output[0]);
    FUZZ_ASSERT(cfg->params && cfg->params->kind == V_MAP);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    diag_list diags = DIAG_LIST_INIT;
    config *cfg = config_parse((const char *)data, size, "config.ini", &diags);
    if (cfg) {
        check_config(cfg);
        FUZZ_ASSERT(diag_count(&diags, DIAG_ERROR) == 0);
        /* --base-url replaces what the file said; a refused one changes nothing. */
        char *before = strdup(cfg->base_url);
        if (!config_set_base_url(cfg, "https://example.org/sub/../x", "--base-url", 0, &diags))
            FUZZ_ASSERT(!strcmp(before, cfg->base_url));
        free(before);
        check_config(cfg);
    } else {
        FUZZ_ASSERT(diag_count(&diags, DIAG_ERROR) > 0);
    }
    config_free(cfg);
    diag_list_clear(&diags);
    return 0;
}
