/* Unit tests for template.c: diagnostics (text and position), reference
 * checks, the recursion cap, concurrent rendering and lumbar's own uses of
 * the engine. The Mustache spec itself runs in test_mustache_spec.c. */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>

#include "template.h"

/* Adds src as template `name` from file layouts/NAME.html; returns whether
 * it parsed, and leaves every diagnostic, one per line, in *diags_text. */
static bool add(tpl_set *set, const char *name, const char *src, strbuf *diags_text)
{
    diag_list dl = DIAG_LIST_INIT;
    strbuf path = STRBUF_INIT;
    strbuf_printf(&path, "layouts/%s.html", name);
    bool ok = tpl_set_add(set, name, strbuf_cstr(&path), src, strlen(src), &dl);
    if (diags_text) {
        strbuf_reset(diags_text);
        for (size_t i = 0; i < dl.len; i++)
            diag_format(&dl.items[i], diags_text);
    }
    diag_list_clear(&dl);
    strbuf_free(&path);
    return ok;
}

/* The diagnostics of parsing src alone, as text. */
static const char *errors_of(const char *src, strbuf *sb)
{
    tpl_set *set = tpl_set_new();
    bool ok = add(set, "t", src, sb);
    CHECK(!ok);
    CHECK(tpl_set_has(set, "t"));
    tpl_set_free(set);
    return strbuf_cstr(sb);
}

/* Renders `name` from set against one data value; "(failed)" when the
 * render reports failure. */
static const char *render1(const tpl_set *set, const char *name, const value *data, strbuf *out)
{
    const value *stack[] = {data};
    strbuf_reset(out);
    if (!tpl_render(set, name, stack, 1, out))
        return "(failed)";
    return strbuf_cstr(out);
}

static void test_error_messages(void)
{
    strbuf sb = STRBUF_INIT;
    CHECK_STR(errors_of("<ul>\n  {{#items}}<li>{{.}}</li>\n</ul>\n", &sb),
              "layouts/t.html:2:3: error: unclosed section '{{#items}}'\n");
    CHECK_STR(errors_of("a\nb\nxxxx{{#items}}\n{{/item}}\n{{/items}}\n", &sb),
              "layouts/t.html:4:1: error: mismatched end tag '{{/item}}' (expected '{{/items}}', "
              "opened at 3:5)\n");
    CHECK_STR(errors_of("<p>Hello {{name</p>\n", &sb),
              "layouts/t.html:1:10: error: unclosed tag '{{name</p>'\n");
    CHECK_STR(errors_of("<p>\n  Hello {{name\n  {{other}}</p>\n", &sb),
              "layouts/t.html:2:9: error: unclosed tag '{{name'\n");
    CHECK_STR(errors_of("x\n{{=<% =}}\n", &sb),
              "layouts/t.html:2:1: error: bad delimiter change '{{=<% =}}'\n");
    /* Closed with }} instead of =}}: a typo in the change, not an open tag. */
    CHECK_STR(errors_of("{{=<% %>}}x\n", &sb),
              "layouts/t.html:1:1: error: bad delimiter change '{{=<% %>}}' (it must end with "
              "'=}}')\n");
    CHECK_STR(errors_of("{{=<% %>\n}}x\n", &sb),
              "layouts/t.html:1:1: error: unclosed tag '{{=<% %>'\n");
    CHECK_STR(errors_of("{{<base}}\n{{$main}}hi{{/main}}\n", &sb),
              "layouts/t.html:1:1: error: unclosed parent '{{<base}}'\n");
    CHECK_STR(errors_of("<main>{{$main}}\n<h1>x</h1>\n</main>\n", &sb),
              "layouts/t.html:1:7: error: unclosed block '{{$main}}'\n");
    CHECK_STR(errors_of("{{^empty}}none\n", &sb),
              "layouts/t.html:1:1: error: unclosed section '{{^empty}}'\n");
    CHECK_STR(errors_of("text\n {{/items}}\n", &sb),
              "layouts/t.html:2:2: error: unexpected end tag '{{/items}}' (nothing is open)\n");
    CHECK_STR(errors_of("{{#}}x{{/}}", &sb),
              "layouts/t.html:1:1: error: missing name in '{{#}}'\n"
              "layouts/t.html:1:7: error: missing name in '{{/}}'\n");
    CHECK_STR(errors_of("{{first name}}", &sb),
              "layouts/t.html:1:1: error: bad name in '{{first name}}' (names cannot contain "
              "spaces)\n");
    strbuf_free(&sb);
}

static void test_error_positions(void)
{
    strbuf sb = STRBUF_INIT;
    /* Columns count characters, not bytes, as editors do. */
    CHECK_STR(errors_of("é—x {{#a}}", &sb), "layouts/t.html:1:5: error: unclosed section '{{#a}}'\n");
    /* Tags are quoted with the delimiters they were written with. */
    CHECK_STR(errors_of("{{=<% %>=}}\n<%#list%>\n<%/lst%>\n", &sb),
              "layouts/t.html:3:1: error: mismatched end tag '<%/lst%>' (expected '<%/list%>', "
              "opened at 2:1)\n"
              "layouts/t.html:2:1: error: unclosed section '<%#list%>'\n");
    /* A long tag is cut in the message. */
    CHECK_STR(errors_of("{{#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}}", &sb),
              "layouts/t.html:1:1: error: unclosed section "
              "'{{#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'\n");
    /* The cut falls inside a two-byte letter, so it moves before it. */
    CHECK_STR(errors_of("{{#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9}}", &sb),
              "layouts/t.html:1:1: error: unclosed section "
              "'{{#aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'\n");
    strbuf_free(&sb);
}

static void test_multiple_errors(void)
{
    strbuf sb = STRBUF_INIT;
    const char *src = "<h1>{{title</h1>\n"
                      "{{#items}}\n"
                      "  {{=<% =}}\n"
                      "  <li>{{name}}</li>\n"
                      "{{/item}}\n"
                      "{{$footer}}\n";
    CHECK_STR(errors_of(src, &sb),
              "layouts/t.html:1:5: error: unclosed tag '{{title</h1>'\n"
              "layouts/t.html:3:3: error: bad delimiter change '{{=<% =}}'\n"
              "layouts/t.html:5:1: error: mismatched end tag '{{/item}}' (expected '{{/items}}', "
              "opened at 2:1)\n"
              "layouts/t.html:2:1: error: unclosed section '{{#items}}'\n"
              "layouts/t.html:6:1: error: unclosed block '{{$footer}}'\n");
    /* An end tag that names an outer section closes the inner one too, so
     * one mistake is one error. */
    CHECK_STR(errors_of("{{#a}}{{#b}}{{/a}}{{#c}}{{/c}}{{/b}}", &sb),
              "layouts/t.html:1:13: error: mismatched end tag '{{/a}}' (expected '{{/b}}', opened "
              "at 1:7)\n"
              "layouts/t.html:1:31: error: unexpected end tag '{{/b}}' (nothing is open)\n");
    strbuf_free(&sb);
}

static void test_nesting_limit(void)
{
    strbuf src = STRBUF_INIT, sb = STRBUF_INIT;
    for (int i = 0; i <= TPL_MAX_NESTING; i++)
        strbuf_puts(&src, "{{#a}}");
    for (int i = 0; i <= TPL_MAX_NESTING; i++)
        strbuf_puts(&src, "{{/a}}");
    CHECK_STR(errors_of(strbuf_cstr(&src), &sb),
              "layouts/t.html:1:601: error: nesting deeper than 100 levels at '{{#a}}'\n");
    /* Exactly at the limit is fine. */
    strbuf_reset(&src);
    for (int i = 0; i < TPL_MAX_NESTING; i++)
        strbuf_puts(&src, "{{#a}}");
    strbuf_puts(&src, "x");
    for (int i = 0; i < TPL_MAX_NESTING; i++)
        strbuf_puts(&src, "{{/a}}");
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "deep", strbuf_cstr(&src), NULL));
    value *data = value_map();
    value_map_set(data, "a", value_bool(true));
    CHECK_STR(render1(set, "deep", data, &sb), "x");
    value_free(data);
    tpl_set_free(set);
    strbuf_free(&src);
    strbuf_free(&sb);
}

static void test_broken_templates(void)
{
    strbuf out = STRBUF_INIT;
    tpl_set *set = tpl_set_new();
    CHECK(!add(set, "bad", "{{#x}}", NULL));
    CHECK(add(set, "uses-bad", "a{{>bad}}b", NULL));
    CHECK(add(set, "fine", "fine", NULL));
    value *data = value_map();
    CHECK_STR(render1(set, "bad", data, &out), "(failed)");
    CHECK_STR(render1(set, "uses-bad", data, &out), "(failed)");
    CHECK_STR(render1(set, "fine", data, &out), "fine");
    CHECK_STR(render1(set, "no-such-template", data, &out), "(failed)");
    /* A broken template is in the set: references to it are not "missing". */
    diag_list dl = DIAG_LIST_INIT;
    tpl_set_check_refs(set, &dl);
    CHECK_INT(dl.len, 0);
    /* Adding a name again replaces the template. */
    CHECK(add(set, "bad", "fixed", NULL));
    CHECK_STR(render1(set, "uses-bad", data, &out), "afixedb");
    value_free(data);
    tpl_set_free(set);
    tpl_set_free(NULL);
    strbuf_free(&out);
}

static void test_missing_refs(void)
{
    tpl_set *set = tpl_set_new();
    strbuf out = STRBUF_INIT, text = STRBUF_INIT;
    CHECK(add(set, "article", "{{<base}}\n{{$main}}\n  {{>partials/nav}}\n{{/main}}\n{{/base}}\n",
              NULL));
    CHECK(add(set, "page", "{{>partials/head}}\n{{#x}}{{>partials/nav}}{{/x}}{{>*dynamic}}\n",
              NULL));
    CHECK(add(set, "partials/head", "<head>", NULL));
    value *data = value_map();
    /* A missing partial or parent renders nothing... */
    CHECK_STR(render1(set, "article", data, &out), "");
    CHECK_STR(render1(set, "page", data, &out), "<head>\n");
    /* ...and the check finds each reference, where it is written. */
    diag_list dl = DIAG_LIST_INIT;
    tpl_set_check_refs(set, &dl);
    for (size_t i = 0; i < dl.len; i++)
        diag_format(&dl.items[i], &text);
    CHECK_STR(strbuf_cstr(&text), "layouts/article.html:1:1: error: parent 'base' not found\n"
                                  "layouts/article.html:3:3: warning: partial 'partials/nav' "
                                  "not found\n"
                                  "layouts/page.html:2:7: warning: partial 'partials/nav' not "
                                  "found\n");
    CHECK_INT(diag_count(&dl, DIAG_ERROR), 1);
    diag_list_clear(&dl);
    CHECK(add(set, "base", "<main>{{$main}}{{/main}}</main>", NULL));
    CHECK(add(set, "partials/nav", "<nav>", NULL));
    tpl_set_check_refs(set, &dl);
    CHECK_INT(dl.len, 0);
    /* The block's content loses its own indentation, and the standalone
     * partial line its newline. */
    CHECK_STR(render1(set, "article", data, &out), "<main><nav></main>");
    diag_list_clear(&dl);
    value_free(data);
    tpl_set_free(set);
    strbuf_free(&out);
    strbuf_free(&text);
}

/* Adds partials c0..c{n}: each includes the next, the last says "end". */
static void add_chain(tpl_set *set, int n)
{
    char name[16], src[32];
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "c%d", i);
        snprintf(src, sizeof src, "{{>c%d}}", i + 1);
        CHECK(add(set, name, src, NULL));
    }
    snprintf(name, sizeof name, "c%d", n);
    CHECK(add(set, name, "end", NULL));
}

static void test_recursion_cap(void)
{
    strbuf out = STRBUF_INIT;
    value *data = value_map();
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "self", "again {{>self}}", NULL));
    CHECK(add(set, "ping", "{{#yes}}{{>pong}}{{/yes}}", NULL));
    CHECK(add(set, "pong", "{{>ping}}", NULL));
    CHECK(add(set, "loop", "{{<loop}}{{$a}}x{{/a}}{{/loop}}", NULL));
    CHECK(add(set, "blocks", "{{<p}}{{$a}}[{{$a}}{{/a}}]{{/a}}{{/p}}", NULL));
    CHECK(add(set, "p", "{{$a}}{{/a}}", NULL));
    value_map_set(data, "yes", value_bool(true));
    const value *stack[] = {data};
    strbuf_puts(&out, "kept");
    /* A failed render leaves the buffer as it was. */
    CHECK(!tpl_render(set, "self", stack, 1, &out));
    CHECK_STR(strbuf_cstr(&out), "kept");
    CHECK_STR(render1(set, "ping", data, &out), "(failed)");
    CHECK_STR(render1(set, "loop", data, &out), "(failed)");
    /* A block argument that contains its own block does not expand into
     * itself: the inner block takes the default. */
    CHECK_STR(render1(set, "blocks", data, &out), "[]");
    tpl_set_free(set);

    /* The cap is TPL_MAX_DEPTH nested expansions, no fewer. */
    set = tpl_set_new();
    add_chain(set, TPL_MAX_DEPTH);
    CHECK_STR(render1(set, "c0", data, &out), "end");
    tpl_set_free(set);
    set = tpl_set_new();
    add_chain(set, TPL_MAX_DEPTH + 1);
    CHECK_STR(render1(set, "c0", data, &out), "(failed)");
    tpl_set_free(set);
    value_free(data);
    strbuf_free(&out);
}

/* Regression: depth is capped, but sections over lists multiply, so a
 * template of thirty nested {{#list}} over a three-item list rendered for
 * ever (3^30 passes). A render now fails after a bounded amount of work and
 * leaves the buffer as it was; a large honest list still renders. */
static void test_work_budget(void)
{
    strbuf src = STRBUF_INIT, out = STRBUF_INIT;
    for (int i = 0; i < 30; i++)
        strbuf_puts(&src, "{{#list}}");
    strbuf_puts(&src, "x");
    for (int i = 0; i < 30; i++)
        strbuf_puts(&src, "{{/list}}");
    value *data = value_map(), *list = value_list();
    for (int i = 0; i < 3; i++)
        value_list_push(list, value_num(i));
    value_map_set(data, "list", list);
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "bomb", src.data, NULL));
    CHECK(add(set, "wide", "{{#big}}<li>{{.}}</li>{{/big}}", NULL));
    const value *stack[] = {data};
    strbuf_puts(&out, "kept");
    CHECK(!tpl_render(set, "bomb", stack, 1, &out));
    CHECK_STR(strbuf_cstr(&out), "kept");
    value *big = value_list();
    for (int i = 0; i < 100000; i++)
        value_list_push(big, value_num(i));
    value_map_set(data, "big", big);
    CHECK(tpl_render(set, "wide", stack, 1, &out));
    CHECK(strstr(strbuf_cstr(&out), "<li>99999</li>") != NULL);
    tpl_set_free(set);
    value_free(data);
    strbuf_free(&src);
    strbuf_free(&out);
}

static value *list_of(size_t n)
{
    value *list = value_list();
    for (size_t i = 0; i < n; i++)
        value_list_push(list, value_num((double)i));
    return list;
}

/* The budget grows with the lists a render walks outside other lists: a
 * list long enough to need more than TPL_MAX_STEPS renders, and the same
 * list walked inside itself, which a fixed budget of the same size would
 * allow, is refused at the outer section. */
static void test_budget_scales_with_lists(void)
{
    size_t n = 150000; /* 150,000 items of 20 steps: 3 million steps */
    value *data = value_map();
    value_map_set(data, "items", list_of(n));
    value_map_set(data, "few", list_of(2000));
    strbuf src = STRBUF_INIT, out = STRBUF_INIT;
    strbuf_puts(&src, "<ul>\n{{#items}}");
    for (int i = 0; i < 9; i++)
        strbuf_puts(&src, "<li>{{.}}</li>");
    strbuf_puts(&src, "{{/items}}\n</ul>\n");
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "long", src.data, NULL));
    CHECK(add(set, "product", "<ul>\n  {{#few}}{{#few}}<li>{{.}}</li>{{/few}}{{/few}}\n</ul>\n", NULL));
    CHECK(add(set, "page", "<main>\n{{>product}}\n</main>\n", NULL));
    const value *stack[] = {data};
    tpl_failure why;
    CHECK(tpl_render_checked(set, "long", stack, 1, &out, &why));
    CHECK(strstr(out.data, "<li>149999</li>") != NULL);
    strbuf_reset(&out);
    /* 2,000 x 2,000 is 4 million items: over the 2.4 million steps 2,000 items earn */
    CHECK(!tpl_render_checked(set, "page", stack, 1, &out, &why));
    CHECK_INT(why.kind, TPL_FAIL_STEPS);
    CHECK_STR(why.path, "layouts/product.html");
    CHECK_INT(why.line, 2);
    CHECK_INT(why.col, 3);
    CHECK_INT(why.steps, TPL_MAX_STEPS + 2000 * TPL_STEPS_PER_ITEM);
    strbuf msg = STRBUF_INIT;
    tpl_failure_describe(&why, "page", &msg);
    tpl_failure_chain(&why, "page", &msg);
    CHECK_STR(msg.data, "render budget exceeded: more than 2400000 steps (a list walked inside this one?)"
                        "page > product");
    tpl_set_free(set);
    value_free(data);
    strbuf_free(&src);
    strbuf_free(&out);
    strbuf_free(&msg);
}

/* A failed render says why and where: a partial that includes itself is
 * named once, at its own tag, however the render reached it; an output
 * over the cap says so. */
static void test_failure_reports(void)
{
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "base", "<body>\n{{>nav}}\n</body>\n", NULL));
    CHECK(add(set, "nav", "<nav>\n  {{#yes}}{{>item}}{{/yes}}\n</nav>\n", NULL));
    CHECK(add(set, "item", "<a>\n {{>item}}\n</a>\n", NULL));
    strbuf big = STRBUF_INIT;
    strbuf_puts(&big, "{{#ten}}{{#ten}}{{#ten}}{{#ten}}");
    for (int i = 0; i < 20000; i++)
        strbuf_puts(&big, "0123456789");
    strbuf_puts(&big, "{{/ten}}{{/ten}}{{/ten}}{{/ten}}");
    CHECK(add(set, "huge", big.data, NULL));
    value *data = value_map();
    value_map_set(data, "yes", value_bool(true));
    value_map_set(data, "ten", list_of(10));
    const value *stack[] = {data};
    strbuf out = STRBUF_INIT, msg = STRBUF_INIT;
    tpl_failure why;
    CHECK(!tpl_render_checked(set, "base", stack, 1, &out, &why));
    CHECK_INT(why.kind, TPL_FAIL_DEPTH);
    CHECK_STR(why.path, "layouts/item.html");
    CHECK_INT(why.line, 2);
    CHECK_INT(why.col, 2);
    tpl_failure_describe(&why, "base", &msg);
    strbuf_puts(&msg, "; ");
    tpl_failure_chain(&why, "base", &msg);
    CHECK_STR(msg.data, "'item' includes itself without end; base > nav > item > item > ...");
    strbuf_reset(&msg);
    /* 10,000 copies of 200 KB: the cap, not the step budget, stops it */
    CHECK(!tpl_render_checked(set, "huge", stack, 1, &out, &why));
    CHECK_INT(why.kind, TPL_FAIL_OUTPUT);
    CHECK_INT(why.line, 1);
    CHECK_INT(why.col, 1);
    tpl_failure_describe(&why, "huge", &msg);
    CHECK_STR(msg.data, "output size cap exceeded: the page would be over 128 MiB");
    CHECK_INT(out.len, 0);
    tpl_set_free(set);
    value_free(data);
    strbuf_free(&big);
    strbuf_free(&out);
    strbuf_free(&msg);
}

static void test_block_wrapping(void)
{
    strbuf out = STRBUF_INIT;
    tpl_set *set = tpl_set_new();
    value *data = value_map();
    CHECK(add(set, "base", "<main>{{$main}}base{{/main}}</main>", NULL));
    CHECK(add(set, "wrapper", "{{<base}}{{$main}}<div>{{$main}}wrapped{{/main}}</div>{{/main}}"
                              "{{/base}}",
              NULL));
    CHECK(add(set, "page", "{{<wrapper}}{{$main}}page{{/main}}{{/wrapper}}", NULL));
    CHECK(add(set, "nested", "{{<wrapper}}{{$main}}[{{$main}}{{/main}}]{{/main}}{{/wrapper}}",
              NULL));
    CHECK_STR(render1(set, "wrapper", data, &out), "<main><div>wrapped</div></main>");
    /* The outermost argument wins, as in multi-level inheritance. */
    CHECK_STR(render1(set, "page", data, &out), "<main>page</main>");
    /* Inside an argument, its own name falls to the next argument out. */
    CHECK_STR(render1(set, "nested", data, &out), "<main>[<div>wrapped</div>]</main>");
    value_free(data);
    tpl_set_free(set);
    strbuf_free(&out);
}

static value *str_map(const char *k1, const char *v1, const char *k2, const char *v2)
{
    value *m = value_map();
    value_map_set(m, k1, value_str(v1));
    if (k2)
        value_map_set(m, k2, value_str(v2));
    return m;
}

static void test_escaping_and_lookup(void)
{
    strbuf out = STRBUF_INIT;
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "esc", "{{x}}|{{{x}}}|{{&x}}|{{n}}|{{b}}|{{missing}}|{{list}}", NULL));
    value *data = str_map("x", "<a href=\"/\">Tom & 'Jerry'</a>", NULL, NULL);
    value_map_set(data, "n", value_num(1.5));
    value_map_set(data, "b", value_bool(false));
    value_map_set(data, "list", value_list());
    CHECK_STR(render1(set, "esc", data, &out),
              "&lt;a href=&quot;/&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;|"
              "<a href=\"/\">Tom & 'Jerry'</a>|<a href=\"/\">Tom & 'Jerry'</a>|1.5|false||");
    value_free(data);

    /* The page sits above the site; dotted names reach into maps; a walk
     * that fails part-way renders nothing rather than looking further down. */
    CHECK(add(set, "page", "{{title}} - {{site.title}}|{{site.nothing}}|{{#page}}{{title}}"
                           "{{#meta}}[{{site.title.x}}]{{/meta}}{{/page}}",
              NULL));
    value *site = value_map();
    value_map_set(site, "site", str_map("title", "Back pain", NULL, NULL));
    value_map_set(site, "title", value_str("site title"));
    value *page = str_map("title", "Sitting", NULL, NULL);
    value *inner = str_map("title", "Inner", NULL, NULL);
    value_map_set(inner, "meta", value_map());
    value_map_set(page, "page", inner);
    const value *stack[] = {site, page};
    strbuf_reset(&out);
    CHECK(tpl_render(set, "page", stack, 2, &out));
    CHECK_STR(strbuf_cstr(&out), "Sitting - Back pain||Inner[]");
    value_free(site);
    value_free(page);
    tpl_set_free(set);
    strbuf_free(&out);
}

static void test_names_with_slash(void)
{
    strbuf out = STRBUF_INIT;
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "layouts/base", "<body>\n{{$main}}{{/main}}\n{{> partials/foot }}</body>\n",
              NULL));
    CHECK(add(set, "partials/foot", "<footer>{{site.title}}</footer>\n", NULL));
    CHECK(add(set, "partials/items", "<li>{{.}}</li>\n", NULL));
    CHECK(add(set, "article", "{{< layouts/base }}{{$main}}\n<ul>\n{{#tags}}\n  "
                              "{{>partials/items}}\n{{/tags}}\n</ul>\n{{/main}}{{/ layouts/base }}",
              NULL));
    CHECK(tpl_set_has(set, "partials/foot"));
    CHECK(!tpl_set_has(set, "partials"));
    CHECK(!tpl_set_has(set, "foot"));
    value *data = value_map();
    value_map_set(data, "site", str_map("title", "T", NULL, NULL));
    value *tags = value_list();
    value_list_push(tags, value_str("sleep"));
    value_list_push(tags, value_str("a&b"));
    value_map_set(data, "tags", tags);
    CHECK_STR(render1(set, "article", data, &out),
              "<body>\n<ul>\n  <li>sleep</li>\n  <li>a&amp;b</li>\n</ul>\n\n<footer>T</footer>\n"
              "</body>\n");
    value_free(data);
    tpl_set_free(set);
    strbuf_free(&out);
}

static void test_partial_indentation(void)
{
    strbuf out = STRBUF_INIT;
    tpl_set *set = tpl_set_new();
    /* The partial's own lines are indented, interpolated text is not, and
     * empty lines get no trailing whitespace. */
    CHECK(add(set, "outer", "<div>\n    {{>inner}}\n</div>\n", NULL));
    CHECK(add(set, "inner", "<p>\n{{{html}}}\n\n{{#list}}\n  {{>leaf}}\n{{/list}}\n</p>\n", NULL));
    CHECK(add(set, "leaf", "<i>{{.}}</i>\n", NULL));
    value *data = str_map("html", "<b>\nraw</b>", NULL, NULL);
    value *list = value_list();
    value_list_push(list, value_num(1));
    value_list_push(list, value_num(2));
    value_map_set(data, "list", list);
    CHECK_STR(render1(set, "outer", data, &out),
              "<div>\n    <p>\n    <b>\nraw</b>\n\n      <i>1</i>\n      <i>2</i>\n    </p>\n"
              "</div>\n");
    value_free(data);
    tpl_set_free(set);
    strbuf_free(&out);
}

typedef struct {
    const tpl_set *set;
    const value *data;
    strbuf out;
    bool ok;
} job;

static void *render_many(void *arg)
{
    job *j = arg;
    const value *stack[] = {j->data};
    j->ok = true;
    for (int i = 0; i < 200; i++) {
        strbuf_reset(&j->out);
        j->ok &= tpl_render(j->set, "page", stack, 1, &j->out);
    }
    return NULL;
}

static void test_threads(void)
{
    tpl_set *set = tpl_set_new();
    CHECK(add(set, "base", "<title>{{$title}}x{{/title}}</title>\n  {{$main}}{{/main}}\n", NULL));
    CHECK(add(set, "row", "<li>{{name}} {{>*kind}}</li>\n", NULL));
    CHECK(add(set, "bold", "<b>{{n}}</b>", NULL));
    CHECK(add(set, "page", "{{<base}}{{$title}}{{title}}{{/title}}{{$main}}\n<ul>\n{{#rows}}\n"
                           "  {{>row}}\n{{/rows}}\n</ul>\n{{/main}}{{/base}}",
              NULL));
    value *data = str_map("title", "Threads & <pages>", NULL, NULL);
    value *rows = value_list();
    for (int i = 0; i < 50; i++) {
        value *row = str_map("name", "row", "kind", "bold");
        value_map_set(row, "n", value_num(i));
        value_list_push(rows, row);
    }
    value_map_set(data, "rows", rows);
    job single = {set, data, STRBUF_INIT, false};
    render_many(&single);
    CHECK(single.ok);
    CHECK(strstr(strbuf_cstr(&single.out), "    <li>row <b>49</b></li>\n  </ul>\n\n") != NULL);
    CHECK(strstr(strbuf_cstr(&single.out), "\n  <ul>\n    <li>row <b>0</b></li>\n") !=
          NULL);
    job jobs[2] = {{set, data, STRBUF_INIT, false}, {set, data, STRBUF_INIT, false}};
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        CHECK(pthread_create(&th[i], NULL, render_many, &jobs[i]) == 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(th[i], NULL);
        CHECK(jobs[i].ok);
        CHECK_STR(strbuf_cstr(&jobs[i].out), strbuf_cstr(&single.out));
        strbuf_free(&jobs[i].out);
    }
    strbuf_free(&single.out);
    value_free(data);
    tpl_set_free(set);
}

int main(void)
{
    test_error_messages();
    test_error_positions();
    test_multiple_errors();
    test_nesting_limit();
    test_broken_templates();
    test_missing_refs();
    test_recursion_cap();
    test_work_budget();
    test_budget_scales_with_lists();
    test_failure_reports();
    test_block_wrapping();
    test_escaping_and_lookup();
    test_names_with_slash();
    test_partial_indentation();
    test_threads();
    TEST_END("template");
}
