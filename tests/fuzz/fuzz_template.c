/* Fuzz target: the Mustache engine, parse and render.
 *
 * The input is a set of templates: the first is "main"; each line
 * "@@@ NAME" starts another template called NAME, except "@@@ data", whose
 * text is YAML pushed on the context stack above a fixed value tree (so the
 * seeds can be the official spec's tests, data included):
 *
 *     {{#list}}{{>item}}{{/list}}
 *     @@@ item
 *     <li>{{name}}</li>
 *     @@@ data
 *     list: [{name: a}, {name: b}]
 *
 * Every template is added with tpl_set_add (so names repeat, replace and
 * break), references are checked, and every template is rendered. A render
 * must leave the buffer as it was when it fails. */
#include <string.h>

#include "fuzz.h"
#include "template.h"
#include "xalloc.h"
#include "yamlvalue.h"

#define MARK "\n@@@ "

/* Names and shapes the seeds and the bundled layouts use, with values that
 * need escaping, so that interpolation, sections and dotted names all get
 * something to find. */
static value *fixed_context(void)
{
    value *root = value_map();
    value_map_set(root, "title", value_str("A <b>title</b> & \"quotes\" 'too'"));
    value_map_set(root, "name", value_str("Joe"));
    value_map_set(root, "count", value_num(3));
    value_map_set(root, "pi", value_num(3.14159));
    value_map_set(root, "yes", value_bool(true));
    value_map_set(root, "no", value_bool(false));
    value_map_set(root, "nothing", value_null());
    value_map_set(root, "empty", value_str(""));
    value_map_set(root, "content", value_str("<p>raw HTML</p>"));
    value *list = value_list();
    for (int i = 0; i < 3; i++) {
        value *item = value_map();
        value_map_set(item, "name", value_str(i == 1 ? "<script>x</script>" : "item"));
        value_map_set(item, "n", value_num(i));
        value_map_set(item, "url", value_str("/a/b/"));
        value_list_push(list, item);
    }
    value_map_set(root, "list", list);
    value *strings = value_list();
    value_list_push(strings, value_str("a"));
    value_list_push(strings, value_str("b"));
    value_map_set(root, "strings", strings);
    value *site = value_map();
    value_map_set(site, "title", value_str("Site"));
    value_map_set(site, "base_path", value_str("/"));
    value *deep = value_map();
    value_map_set(deep, "c", value_str("deep"));
    value_map_set(site, "b", deep);
    value_map_set(root, "site", site);
    value_map_set(root, "partial", value_str("main"));
    value_map_set(root, "other", value_str("p"));
    return root;
}

typedef struct part {
    char *name;
    const char *text;
    size_t len;
} part;

/* Splits the input at MARK lines; returns how many parts it has. */
static size_t split_parts(const char *src, size_t n, part *parts, size_t max)
{
    size_t count = 0, m = strlen(MARK);
    const char *at = src, *end = src + n, *name = "main";
    size_t name_len = 4;
    while (count < max) {
        const char *next = NULL;
        for (const char *p = at; p + m <= end; p++)
            if (!memcmp(p, MARK, m)) {
                next = p;
                break;
            }
        const char *stop = next ? next : end;
        parts[count].name = xstrndup(name, name_len);
        parts[count].text = at;
        parts[count].len = (size_t)(stop - at);
        count++;
        if (!next)
            break;
        name = next + m;
        const char *nl = memchr(name, '\n', (size_t)(end - name));
        name_len = (size_t)((nl ? nl : end) - name);
        at = nl ? nl + 1 : end;
    }
    return count;
}

static void render_all(const tpl_set *set, const part *parts, size_t count, const value *const *stack,
                       size_t depth)
{
    strbuf out = STRBUF_INIT;
    strbuf_puts(&out, "before");
    for (size_t i = 0; i < count; i++) {
        if (!tpl_render(set, parts[i].name, stack, depth, &out))
            FUZZ_ASSERT(!strcmp(strbuf_cstr(&out), "before"));
        strbuf_reset(&out);
        strbuf_puts(&out, "before");
    }
    FUZZ_ASSERT(!tpl_render(set, "no such template", stack, depth, &out));
    strbuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *src = fuzz_copy(data, size);
    part parts[16];
    size_t count = split_parts(src, size, parts, 16);
    tpl_set *set = tpl_set_new();
    diag_list diags = DIAG_LIST_INIT;
    value *extra = NULL;
    for (size_t i = 0; i < count; i++) {
        if (!strcmp(parts[i].name, "data")) {
            value_free(extra);
            extra = yaml_load(parts[i].text, parts[i].len, "data", 0, &diags);
            continue;
        }
        size_t errors = diag_count(&diags, DIAG_ERROR);
        bool ok = tpl_set_add(set, parts[i].name, "layouts/x.html", parts[i].text, parts[i].len, &diags);
        FUZZ_ASSERT(ok == (diag_count(&diags, DIAG_ERROR) == errors));
        FUZZ_ASSERT(tpl_set_has(set, parts[i].name));
    }
    tpl_set_check_refs(set, &diags);
    value *fixed = fixed_context();
    const value *stack[2] = {fixed, extra};
    render_all(set, parts, count, stack, extra ? 2 : 1);
    value_free(fixed);
    value_free(extra);
    tpl_set_free(set);
    diag_list_clear(&diags);
    for (size_t i = 0; i < count; i++)
        free(parts[i].name);
    free(src);
    return 0;
}
