/* Unit tests for decision_tree.c: loading, every validation error at its
 * position, and escaping in both renderers. */
#include "harness.h"

#include <stdlib.h>

#include "decision_tree.h"
#include "yamlvalue.h"

/* A small tree shaped like the bundled one; line numbers below count from it. */
static const char small_tree[] =
    "start: red\n"                                     /* 1 */
    "reminder: 'See [red flags](red-flags.md).'\n"     /* 2 */
    "questions:\n"                                     /* 3 */
    "  - id: red\n"                                    /* 4 */
    "    text: Any of these?\n"                        /* 5 */
    "    help: Rare signs.\n"                          /* 6 */
    "    list: [Fever, Chest pain]\n"                  /* 7 */
    "    answers:\n"                                   /* 8 */
    "      - label: 'Yes'\n"                           /* 9 */
    "        next: get-help\n"                         /* 10 */
    "      - label: 'No'\n"                            /* 11 */
    "        next: pain\n"                             /* 12 */
    "  - id: pain\n"                                   /* 13 */
    "    text: How much does it rise?\n"               /* 14 */
    "    answers:\n"                                   /* 15 */
    "      - label: Hardly at all\n"                   /* 16 */
    "        next: carry-on\n"                         /* 17 */
    "      - label: A lot\n"                           /* 18 */
    "        next: pause\n"                            /* 19 */
    "outcomes:\n"                                      /* 20 */
    "  - id: get-help\n"                               /* 21 */
    "    verdict: seek-care\n"                         /* 22 */
    "    title: Get help now\n"                        /* 23 */
    "    advice: Call an ambulance.\n"                 /* 24 */
    "  - id: carry-on\n"                               /* 25 */
    "    verdict: continue\n"                          /* 26 */
    "    title: Carry on\n"                            /* 27 */
    "    advice: |\n"                                  /* 28 */
    "      Keep *moving*.\n"                           /* 29 */
    "  - id: pause\n"                                  /* 30 */
    "    verdict: pause\n"                             /* 31 */
    "    title: Pause it\n"                            /* 32 */
    "    advice: Rest from it.\n"                      /* 33 */
    "verdicts:\n"                                      /* 34 */
    "  seek-care: Get medical help\n"                  /* 35 */
    "  continue: Carry on\n"                           /* 36 */
    "  continue-and-monitor: Carry on and keep checking\n" /* 37 */
    "  adapt: Change how you do it\n"                  /* 38 */
    "  pause: Take a break from it\n";                 /* 39 */

/* Loads the YAML src as a tree; returns the tree (or NULL) and leaves every
 * diagnostic, sorted and formatted one per line, in errs. */
static dtree *load(const char *src, dtree_md_fn md_fn, void *ctx, strbuf *errs)
{
    diag_list dl = DIAG_LIST_INIT;
    value *v = yaml_load(src, strlen(src), "t.md", 0, &dl);
    dtree *t = v ? dtree_load(v, "t.md", md_fn, ctx, &dl) : NULL;
    value_free(v);
    diag_sort(&dl);
    strbuf_reset(errs);
    for (size_t i = 0; i < dl.len; i++)
        diag_format(&dl.items[i], errs);
    diag_list_clear(&dl);
    return t;
}

/* Returns the diagnostics of src with `from` replaced by `to` (once). */
static const char *errors_with(const char *from, const char *to, strbuf *errs)
{
    const char *at = strstr(small_tree, from);
    if (!at)
        return "test bug: replaced text not found";
    strbuf src = STRBUF_INIT;
    strbuf_append(&src, small_tree, (size_t)(at - small_tree));
    strbuf_puts(&src, to);
    strbuf_puts(&src, at + strlen(from));
    dtree *t = load(src.data, NULL, NULL, errs);
    strbuf_free(&src);
    if (t) {
        dtree_free(t);
        return "loaded without errors";
    }
    return strbuf_cstr(errs);
}

static void test_small_tree_loads(void)
{
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT, json = STRBUF_INIT;
    dtree *t = load(small_tree, NULL, NULL, &errs);
    CHECK(t != NULL);
    CHECK_STR(strbuf_cstr(&errs), "");
    dtree_render_html(t, &html);
    CHECK_STR(html.data,
              "<div class=\"dtree\" id=\"dtree\" data-start=\"red\">\n"
              "<section class=\"dt-node dt-question dt-start\" id=\"q-red\" aria-labelledby=\"q-red-h\">\n"
              "<h2 id=\"q-red-h\" tabindex=\"-1\">Any of these?</h2>\n"
              "<p class=\"dt-help\">Rare signs.</p>\n"
              "<ul class=\"dt-list\">\n<li>Fever</li>\n<li>Chest pain</li>\n</ul>\n"
              "<ul class=\"dt-answers\">\n"
              "<li><a class=\"dt-answer\" href=\"#o-get-help\" data-answer=\"0\">Yes</a></li>\n"
              "<li><a class=\"dt-answer\" href=\"#q-pain\" data-answer=\"1\">No</a></li>\n"
              "</ul>\n"
              "</section>\n"
              "<section class=\"dt-node dt-question\" id=\"q-pain\" aria-labelledby=\"q-pain-h\">\n"
              "<h2 id=\"q-pain-h\" tabindex=\"-1\">How much does it rise?</h2>\n"
              "<ul class=\"dt-answers\">\n"
              "<li><a class=\"dt-answer\" href=\"#o-carry-on\" data-answer=\"0\">Hardly at all</a></li>\n"
              "<li><a class=\"dt-answer\" href=\"#o-pause\" data-answer=\"1\">A lot</a></li>\n"
              "</ul>\n"
              "<p class=\"dt-restart\"><a href=\"#q-red\">Start again</a></p>\n"
              "</section>\n"
              "<section class=\"dt-node dt-outcome dt-verdict-seek-care\" id=\"o-get-help\" aria-labelledby=\"o-get-help-h\">\n"
              "<h2 id=\"o-get-help-h\" tabindex=\"-1\">Get help now</h2>\n"
              "<p class=\"dt-verdict\">Our advice: <strong>Get medical help</strong></p>\n"
              "<div class=\"dt-advice\">\n<p>Call an ambulance.</p>\n</div>\n"
              "<p class=\"dt-restart\"><a href=\"#q-red\">Start again</a></p>\n"
              "</section>\n"
              "<section class=\"dt-node dt-outcome dt-verdict-continue\" id=\"o-carry-on\" aria-labelledby=\"o-carry-on-h\">\n"
              "<h2 id=\"o-carry-on-h\" tabindex=\"-1\">Carry on</h2>\n"
              "<p class=\"dt-verdict\">Our advice: <strong>Carry on</strong></p>\n"
              "<div class=\"dt-advice\">\n<p>Keep <em>moving</em>.</p>\n</div>\n"
              "<p class=\"dt-restart\"><a href=\"#q-red\">Start again</a></p>\n"
              "</section>\n"
              "<section class=\"dt-node dt-outcome dt-verdict-pause\" id=\"o-pause\" aria-labelledby=\"o-pause-h\">\n"
              "<h2 id=\"o-pause-h\" tabindex=\"-1\">Pause it</h2>\n"
              "<p class=\"dt-verdict\">Our advice: <strong>Take a break from it</strong></p>\n"
              "<div class=\"dt-advice\">\n<p>Rest from it.</p>\n</div>\n"
              "<p class=\"dt-restart\"><a href=\"#q-red\">Start again</a></p>\n"
              "</section>\n"
              "<div class=\"dt-reminder\">\n<p>See <a href=\"red-flags.md\">red flags</a>.</p>\n</div>\n"
              "</div>\n");
    dtree_render_json(t, &json);
    CHECK_STR(json.data,
              "{\"start\":\"red\",\"questions\":["
              "{\"id\":\"red\",\"text\":\"Any of these?\","
              "\"answers\":[{\"label\":\"Yes\",\"next\":\"get-help\"},{\"label\":\"No\",\"next\":\"pain\"}]},"
              "{\"id\":\"pain\",\"text\":\"How much does it rise?\","
              "\"answers\":[{\"label\":\"Hardly at all\",\"next\":\"carry-on\"},{\"label\":\"A lot\",\"next\":\"pause\"}]}],"
              "\"outcomes\":["
              "{\"id\":\"get-help\",\"verdict\":\"seek-care\",\"verdict_text\":\"Get medical help\",\"title\":\"Get help now\"},"
              "{\"id\":\"carry-on\",\"verdict\":\"continue\",\"verdict_text\":\"Carry on\",\"title\":\"Carry on\"},"
              "{\"id\":\"pause\",\"verdict\":\"pause\",\"verdict_text\":\"Take a break from it\",\"title\":\"Pause it\"}]}");
    dtree_free(t);
    dtree_free(NULL);
    strbuf_free(&errs);
    strbuf_free(&html);
    strbuf_free(&json);
}

typedef struct md_calls {
    strbuf seen; /* "line:col:md|" per call */
    bool fail_on_ambulance;
    bool add_error; /* when failing, say why as a real callback does */
    diag_list *diags;
} md_calls;

static bool fake_md(void *ctx, const char *md, size_t n, int line, int col, strbuf *html)
{
    md_calls *calls = ctx;
    strbuf_printf(&calls->seen, "%d:%d:%.*s|", line, col, (int)n, md);
    if (calls->fail_on_ambulance && strstr(md, "ambulance")) {
        if (calls->add_error)
            diag_add(calls->diags, DIAG_ERROR, "t.md", line, col, "bad link");
        return false;
    }
    strbuf_puts(html, "<p>rendered</p>\n");
    return true;
}

static void test_md_callback(void)
{
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT;
    md_calls calls = {STRBUF_INIT, false, false, NULL};
    dtree *t = load(small_tree, fake_md, &calls, &errs);
    CHECK(t != NULL);
    CHECK_STR(calls.seen.data, "24:13:Call an ambulance.|28:13:Keep *moving*.\n|33:13:Rest from it.|"
                               "2:11:See [red flags](red-flags.md).|");
    dtree_render_html(t, &html);
    CHECK(strstr(html.data, "<div class=\"dt-advice\">\n<p>rendered</p>\n</div>\n") != NULL);
    CHECK(strstr(html.data, "<div class=\"dt-reminder\">\n<p>rendered</p>\n</div>\n") != NULL);
    dtree_free(t);
    /* A callback that fails fails the load, and never silently: one that
     * gives no reason gets an error at the Markdown. */
    calls.fail_on_ambulance = true;
    CHECK(load(small_tree, fake_md, &calls, &errs) == NULL);
    CHECK_STR(errs.data, "t.md:24:13: error: tree: the Markdown in 'advice' of outcome 'get-help' could not be "
                         "rendered\n");
    diag_list dl = DIAG_LIST_INIT;
    value *v = yaml_load(small_tree, strlen(small_tree), "t.md", 0, &dl);
    calls.add_error = true;
    calls.diags = &dl;
    CHECK(dtree_load(v, "t.md", fake_md, &calls, &dl) == NULL);
    CHECK_INT(dl.len, 1);
    CHECK_STR(dl.len ? dl.items[0].msg : NULL, "bad link");
    value_free(v);
    diag_list_clear(&dl);
    strbuf_free(&calls.seen);
    strbuf_free(&errs);
    strbuf_free(&html);
}

/* outcome_note is optional Markdown at the top of every outcome, under its
 * heading, so that an outcome opened by a link says what it rests on. */
static void test_outcome_note(void)
{
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT, src = STRBUF_INIT;
    strbuf_puts(&src, small_tree);
    strbuf_puts(&src, "outcome_note: 'Answer the [safety questions](#q-red) first.'\n");
    dtree *t = load(src.data, NULL, NULL, &errs);
    CHECK(t != NULL);
    CHECK_STR(strbuf_cstr(&errs), "");
    if (t) {
        dtree_render_html(t, &html);
        const char *note = "<div class=\"dt-outcome-note\">\n<p>Answer the <a href=\"#q-red\">safety questions</a> "
                           "first.</p>\n</div>\n";
        size_t notes = 0;
        for (const char *at = html.data; (at = strstr(at, note)) != NULL; at++)
            notes++;
        CHECK_INT(notes, 3);
        CHECK(strstr(html.data, "Pause it</h2>\n<div class=\"dt-outcome-note\">") != NULL);
        CHECK(strstr(html.data, "these?</h2>\n<div class=\"dt-outcome-note\">") == NULL);
    }
    dtree_free(t);
    CHECK_STR(errors_with("reminder: 'See [red flags](red-flags.md).'\n",
                          "reminder: 'See [red flags](red-flags.md).'\noutcome_note: 7\n", &errs),
              "t.md:3:15: error: tree: 'outcome_note' must be a string, not a number\n");
    strbuf_free(&errs);
    strbuf_free(&html);
    strbuf_free(&src);
}

/* An outcome that already sends the reader for care says `reminder: false`:
 * its section gets the class the style sheet and the script use to leave the
 * reminder out under it, and the JSON says so; outcomes without the key
 * keep the reminder. Anything but a YAML boolean is an error at its value. */
static void test_outcome_reminder(void)
{
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT, json = STRBUF_INIT, src = STRBUF_INIT;
    const char *from = "    advice: Call an ambulance.\n";
    const char *at = strstr(small_tree, from);
    CHECK(at != NULL);
    if (at) {
        strbuf_append(&src, small_tree, (size_t)(at - small_tree) + strlen(from));
        strbuf_puts(&src, "    reminder: false\n");
        strbuf_puts(&src, at + strlen(from));
    }
    dtree *t = load(src.data, NULL, NULL, &errs);
    CHECK(t != NULL);
    CHECK_STR(strbuf_cstr(&errs), "");
    if (t) {
        dtree_render_html(t, &html);
        CHECK(strstr(html.data, "<section class=\"dt-node dt-outcome dt-verdict-seek-care dt-no-reminder\" "
                                "id=\"o-get-help\"") != NULL);
        CHECK(strstr(html.data, "<section class=\"dt-node dt-outcome dt-verdict-continue\" id=\"o-carry-on\"") != NULL);
        CHECK(strstr(html.data, "<div class=\"dt-reminder\">") != NULL);
        dtree_render_json(t, &json);
        CHECK(strstr(json.data, "\"title\":\"Get help now\",\"reminder\":false}") != NULL);
        CHECK(strstr(json.data, "\"title\":\"Carry on\"}") != NULL);
    }
    dtree_free(t);
    CHECK_STR(errors_with("    advice: Rest from it.\n", "    advice: Rest from it.\n    reminder: true\n", &errs),
              "loaded without errors");
    CHECK_STR(errors_with("    advice: Rest from it.\n", "    advice: Rest from it.\n    reminder: 'no'\n", &errs),
              "t.md:34:15: error: tree: 'reminder' of outcome 'pause' must be true or false, not a string\n");
    CHECK_STR(errors_with("    advice: Rest from it.\n", "    advice: Rest from it.\n    reminders: false\n", &errs),
              "t.md:34:16: error: tree: outcome 'pause' has an unknown key 'reminders'; use id, verdict, title, "
              "advice or reminder\n");
    strbuf_free(&errs);
    strbuf_free(&html);
    strbuf_free(&json);
    strbuf_free(&src);
}

/* Section "q-ID" and heading "q-ID-h": a node "ID-h" of the same kind as
 * a node "ID" would share an HTML id with its heading. A question and an
 * outcome never do (q- and o-). */
static void test_html_id_collisions(void)
{
    strbuf errs = STRBUF_INIT;
    CHECK_STR(errors_with("  - id: pain\n", "  - id: red-h\n", &errs),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a question or "
              "outcome id\n"
              "t.md:13:9: error: tree: question 'red-h' and the heading of question 'red' (line 4) would both have "
              "the HTML id 'q-red-h'; rename one of them\n"
              "t.md:13:9: error: tree: question 'red-h' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("  - id: pause\n", "  - id: carry-on-h\n", &errs),
              "t.md:19:15: error: tree: answer 'A lot' of question 'pain' leads to 'pause', which is not a "
              "question or outcome id\n"
              "t.md:30:9: error: tree: outcome 'carry-on-h' and the heading of outcome 'carry-on' (line 25) would "
              "both have the HTML id 'o-carry-on-h'; rename one of them\n"
              "t.md:30:9: error: tree: outcome 'carry-on-h' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("  - id: get-help\n", "  - id: red-h\n", &errs),
              "t.md:10:15: error: tree: answer 'Yes' of question 'red' leads to 'get-help', which is not a "
              "question or outcome id\n"
              "t.md:21:9: error: tree: outcome 'red-h' cannot be reached: no answer leads to it\n");
    strbuf_free(&errs);
}

/* The verdicts and their words are the tree's own data: a tree about
 * something else names its own, and the generator knows none. */
static void test_verdicts(void)
{
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT, json = STRBUF_INIT;
    const char *own = "start: q\n"
                      "reminder: x\n"
                      "verdicts: {go: \"Go <now> & then\", wait: Wait}\n"
                      "questions:\n"
                      "  - {id: q, text: Ready?, answers: [{label: 'Yes', next: a}, {label: 'No', next: b}]}\n"
                      "outcomes:\n"
                      "  - {id: a, verdict: go, title: Off you go, advice: x}\n"
                      "  - {id: b, verdict: wait, title: Not yet, advice: x}\n";
    dtree *t = load(own, NULL, NULL, &errs);
    CHECK(t != NULL);
    CHECK_STR(strbuf_cstr(&errs), "");
    if (t) {
        dtree_render_html(t, &html);
        CHECK(strstr(html.data, "<section class=\"dt-node dt-outcome dt-verdict-go\" id=\"o-a\"") != NULL);
        CHECK(strstr(html.data, "<p class=\"dt-verdict\">Our advice: <strong>Go &lt;now&gt; &amp; then</strong></p>")
              != NULL);
        dtree_render_json(t, &json);
        CHECK(strstr(json.data, "{\"id\":\"b\",\"verdict\":\"wait\",\"verdict_text\":\"Wait\",") != NULL);
    }
    dtree_free(t);
    CHECK_STR(errors_with("  pause: Take a break from it\n", "", &errs),
              "t.md:31:14: error: tree: outcome 'pause' has verdict 'pause'; use seek-care, continue, "
              "continue-and-monitor or adapt\n");
    CHECK_STR(errors_with("verdicts:\n", "verdicts: 3\nnot-verdicts:\n", &errs),
              "t.md:34:11: error: tree: 'verdicts' must be a map of verdict names to the words shown for them, "
              "not a number\n"
              "t.md:36:3: error: tree: unknown key 'not-verdicts'; use start, questions, outcomes, verdicts, "
              "reminder or outcome_note\n");
    CHECK_STR(errors_with("  adapt: Change how you do it\n", "  Adapt: Change how you do it\n", &errs),
              "t.md:38:10: error: tree: verdict name 'Adapt' must be 1 to 64 characters of a-z, 0-9 and '-'\n");
    CHECK_STR(errors_with("  adapt: Change how you do it\n", "  adapt: [1]\n", &errs),
              "t.md:38:10: error: tree: 'adapt' of 'verdicts' must be a string, not a list\n");
    strbuf many = STRBUF_INIT;
    strbuf_puts(&many, small_tree);
    for (int i = 0; i < 5; i++)
        strbuf_printf(&many, "  extra-%d: Extra\n", i);
    const char *stop = strstr(many.data, "verdict: pause");
    if (stop) {
        strbuf src = STRBUF_INIT;
        strbuf_append(&src, many.data, (size_t)(stop - many.data));
        strbuf_puts(&src, "verdict: stop");
        strbuf_puts(&src, stop + strlen("verdict: pause"));
        dtree_free(load(src.data, NULL, NULL, &errs));
        CHECK_STR(errs.data, "t.md:31:14: error: tree: outcome 'pause' has verdict 'stop'; use a name from "
                             "'verdicts' (line 35)\n");
        strbuf_free(&src);
    }
    strbuf_free(&many);
    strbuf_free(&errs);
    strbuf_free(&html);
    strbuf_free(&json);
}

static void test_reference_errors(void)
{
    strbuf e = STRBUF_INIT;
    CHECK_STR(errors_with("next: pain\n", "next: nowhere\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'nowhere', which is not a "
              "question or outcome id\n"
              "t.md:13:9: error: tree: question 'pain' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("start: red\n", "", &e), "t.md:1:1: error: tree: missing 'start'\n");
    CHECK_STR(errors_with("start: red", "start: blue", &e),
              "t.md:1:8: error: tree: 'start' names 'blue', which is not a question id\n");
    CHECK_STR(errors_with("start: red", "start: pause", &e),
              "t.md:1:8: error: tree: 'start' names outcome 'pause'; it must name a question\n");
    CHECK_STR(errors_with("start: red", "start: [red]", &e),
              "t.md:1:8: error: tree: 'start' must be a string, not a list\n");
    CHECK_STR(errors_with("  - id: pain\n", "  - id: get-help\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a "
              "question or outcome id\n"
              "t.md:21:9: error: tree: duplicate id 'get-help' (first used by the question on line 13)\n");
    CHECK_STR(errors_with("next: pause\n", "next: red\n", &e),
              "t.md:19:15: error: tree: answer 'A lot' of question 'pain' leads back to question 'red', "
              "which makes a loop\n"
              "t.md:30:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("next: pause\n", "next: pain\n", &e),
              "t.md:19:15: error: tree: answer 'A lot' of question 'pain' leads back to question 'pain', "
              "which makes a loop\n"
              "t.md:30:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    strbuf_free(&e);
}

static void test_field_errors(void)
{
    strbuf e = STRBUF_INIT;
    CHECK_STR(errors_with("    text: How much does it rise?\n", "", &e),
              "t.md:13:5: error: tree: question 'pain' has no 'text'\n");
    CHECK_STR(errors_with("text: How much does it rise?", "text: 42", &e),
              "t.md:14:11: error: tree: 'text' of question 'pain' must be a string, not a number\n");
    CHECK_STR(errors_with("text: How much does it rise?", "text: '  '", &e),
              "t.md:14:11: error: tree: 'text' of question 'pain' is empty\n");
    CHECK_STR(errors_with("help: Rare signs.", "summary: {}", &e),
              "t.md:6:14: error: tree: 'summary' of question 'red' must be a string, not a map\n");
    CHECK_STR(errors_with("help: Rare signs.", "help: [Rare]", &e),
              "t.md:6:11: error: tree: 'help' of question 'red' must be a string, not a list\n");
    CHECK_STR(errors_with("list: [Fever, Chest pain]", "list: [Fever, {a: 1}]", &e),
              "t.md:7:19: error: tree: item 2 of 'list' of question 'red' must be a string, not a map\n");
    CHECK_STR(errors_with("list: [Fever, Chest pain]", "list: [Fever, ' ']", &e),
              "t.md:7:19: error: tree: item 2 of 'list' of question 'red' is empty\n");
    CHECK_STR(errors_with("list: [Fever, Chest pain]", "list: Fever", &e),
              "t.md:7:11: error: tree: 'list' of question 'red' must be a list, not a string\n");
    CHECK_STR(errors_with("  - id: pain\n", "  - id: Pain Level\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a "
              "question or outcome id\n"
              "t.md:13:9: error: tree: id 'Pain Level' of question 2 must be 1 to 64 characters of a-z, "
              "0-9 and '-'\n");
    CHECK_STR(errors_with("  - id: pain\n", "  - idd: pain\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a "
              "question or outcome id\n"
              "t.md:13:5: error: tree: question 2 has no 'id'\n"
              "t.md:13:10: error: tree: question 2 has an unknown key 'idd'; use id, text, summary, stage, help, list or "
              "answers\n");
    CHECK_STR(errors_with("  - id: pain\n", "  - id: [pain]\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a "
              "question or outcome id\n"
              "t.md:13:9: error: tree: 'id' of question 2 must be a string, not a list\n");
    CHECK_STR(errors_with("  - id: pain\n", "  - 7\n  - id: pain2\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'pain', which is not a "
              "question or outcome id\n"
              "t.md:13:5: error: tree: question 2 must be a map, not a number\n"
              "t.md:14:9: error: tree: question 'pain2' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("verdict: continue", "verdict: maybe", &e),
              "t.md:26:14: error: tree: outcome 'carry-on' has verdict 'maybe'; use seek-care, continue, "
              "continue-and-monitor, adapt or pause\n");
    CHECK_STR(errors_with("    verdict: continue\n", "", &e),
              "t.md:25:5: error: tree: outcome 'carry-on' has no 'verdict'\n");
    CHECK_STR(errors_with("title: Carry on", "title: true", &e),
              "t.md:27:12: error: tree: 'title' of outcome 'carry-on' must be a string, not a boolean\n");
    CHECK_STR(errors_with("    advice: Rest from it.\n", "    advise: Rest from it.\n", &e),
              "t.md:30:5: error: tree: outcome 'pause' has no 'advice'\n"
              "t.md:33:13: error: tree: outcome 'pause' has an unknown key 'advise'; use id, verdict, title, "
              "advice or reminder\n");
    strbuf_free(&e);
}

static void test_answer_errors(void)
{
    strbuf e = STRBUF_INIT;
    CHECK_STR(errors_with("      - label: A lot\n        next: pause\n", "", &e),
              "t.md:16:7: error: tree: question 'pain' has 1 answer; it needs at least 2\n"
              "t.md:28:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("    answers:\n      - label: Hardly", "    answers: []\n    x:\n      - label: Hardly", &e),
              "t.md:15:14: error: tree: question 'pain' has 0 answers; it needs at least 2\n"
              "t.md:17:7: error: tree: question 'pain' has an unknown key 'x'; use id, text, summary, stage, help, list or "
              "answers\n"
              "t.md:26:9: error: tree: outcome 'carry-on' cannot be reached: no answer leads to it\n"
              "t.md:31:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("label: A lot", "label: Hardly at all", &e),
              "t.md:18:16: error: tree: question 'pain' has two answers labelled 'Hardly at all'\n");
    CHECK_STR(errors_with("        next: pause\n", "        nxt: pause\n", &e),
              "t.md:18:9: error: tree: answer 'A lot' of question 'pain' has no 'next'\n"
              "t.md:19:14: error: tree: answer 'A lot' of question 'pain' has an unknown key 'nxt'; use "
              "label or next\n"
              "t.md:30:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("label: A lot", "label: 3", &e),
              "t.md:18:16: error: tree: 'label' of answer 2 of question 'pain' must be a string, not a "
              "number\n");
    CHECK_STR(errors_with("      - label: A lot\n        next: pause\n", "      - pause\n", &e),
              "t.md:18:9: error: tree: answer 2 of question 'pain' must be a map with 'label' and 'next', "
              "not a string\n"
              "t.md:29:9: error: tree: outcome 'pause' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("answers:\n      - label: 'Yes'", "answers: {a: 1}\n    b:\n      - label: 'Yes'", &e),
              "t.md:8:14: error: tree: 'answers' of question 'red' must be a list, not a map\n"
              "t.md:10:7: error: tree: question 'red' has an unknown key 'b'; use id, text, summary, stage, help, list or "
              "answers\n"
              "t.md:14:9: error: tree: question 'pain' cannot be reached: no answer leads to it\n"
              "t.md:22:9: error: tree: outcome 'get-help' cannot be reached: no answer leads to it\n");
    strbuf_free(&e);
}

static void test_tree_errors(void)
{
    strbuf e = STRBUF_INIT;
    CHECK(load("[1, 2]", NULL, NULL, &e) == NULL);
    CHECK_STR(e.data, "t.md:1:1: error: tree: must be a map with 'start', 'questions', 'outcomes', 'verdicts' "
                      "and 'reminder', not a list\n");
    CHECK(load("start: a\n", NULL, NULL, &e) == NULL);
    CHECK_STR(e.data, "t.md:1:1: error: tree: missing 'verdicts'\n"
                      "t.md:1:1: error: tree: missing 'questions'\n"
                      "t.md:1:1: error: tree: missing 'outcomes'\n"
                      "t.md:1:1: error: tree: missing 'reminder'\n"
                      "t.md:1:8: error: tree: 'start' names 'a', which is not a question id\n");
    CHECK_STR(errors_with("outcomes:\n", "outcome:\n", &e),
              "t.md:1:1: error: tree: missing 'outcomes'\n"
              "t.md:10:15: error: tree: answer 'Yes' of question 'red' leads to 'get-help', which is not a "
              "question or outcome id\n"
              "t.md:17:15: error: tree: answer 'Hardly at all' of question 'pain' leads to 'carry-on', which "
              "is not a question or outcome id\n"
              "t.md:19:15: error: tree: answer 'A lot' of question 'pain' leads to 'pause', which is not a "
              "question or outcome id\n"
              "t.md:21:3: error: tree: unknown key 'outcome'; use start, questions, outcomes, verdicts, reminder or outcome_note\n");
    CHECK_STR(errors_with("reminder: 'See [red flags](red-flags.md).'", "reminder: ''", &e),
              "t.md:2:11: error: tree: 'reminder' is empty\n");
    strbuf_free(&e);
}

static void test_escaping(void)
{
    static const char hostile[] =
        "start: q\n"
        "reminder: x\n"
        "questions:\n"
        "  - id: q\n"
        "    text: \"</script><!-- & \\\"q\\\" 'a'\"\n"
        "    summary: \"<s>\"\n"
        "    stage: \"A & \\\"B\\\"\"\n"
        "    help: \"<b>help</b>\"\n"
        "    list: [\"<i>\"]\n"
        "    answers:\n"
        "      - {label: \"</script>\", next: a}\n"
        "      - {label: \"<!--\", next: b}\n"
        "outcomes:\n"
        "  - {id: a, verdict: adapt, title: \"</SCRIPT>\", advice: \"<script>alert(1)</script>\"}\n"
        "  - {id: b, verdict: pause, title: \"\\u2028\", advice: x}\n"
        "verdicts: {adapt: \"<b>&</b>\", pause: \"\\u2028\"}\n";
    strbuf errs = STRBUF_INIT, html = STRBUF_INIT, json = STRBUF_INIT;
    dtree *t = load(hostile, NULL, NULL, &errs);
    CHECK(t != NULL);
    CHECK_STR(strbuf_cstr(&errs), "");
    if (!t)
        return;
    dtree_render_html(t, &html);
    CHECK(strstr(html.data, ">&lt;/script&gt;&lt;!-- &amp; &quot;q&quot; &#39;a&#39;</h2>") != NULL);
    CHECK(strstr(html.data, "<p class=\"dt-help\">&lt;b&gt;help&lt;/b&gt;</p>") != NULL);
    CHECK(strstr(html.data, " aria-labelledby=\"q-q-h\" data-summary=\"&lt;s&gt;\" data-stage=\"A &amp; &quot;B&quot;\">\n")
          != NULL);
    CHECK(strstr(html.data, "<li>&lt;i&gt;</li>") != NULL);
    CHECK(strstr(html.data, ">&lt;/script&gt;</a>") != NULL);
    CHECK(strstr(html.data, ">&lt;!--</a>") != NULL);
    /* Raw HTML in advice is dropped by safe cmark, never passed through. */
    CHECK(strstr(html.data, "<script") == NULL);
    dtree_render_json(t, &json);
    CHECK(strchr(json.data, '<') == NULL);
    CHECK(strchr(json.data, '>') == NULL);
    CHECK(strstr(json.data, "\"text\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\\"q\\\" 'a'\"") != NULL);
    CHECK(strstr(json.data, "\"label\":\"\\u003c!--\"") != NULL);
    CHECK(strstr(json.data, "\"summary\":\"\\u003cs\\u003e\",\"answers\":") != NULL);
    CHECK(strstr(json.data, "\"title\":\"\\u003c/SCRIPT\\u003e\"") != NULL);
    CHECK(strstr(json.data, "\"title\":\"\\u2028\"") != NULL);
    dtree_free(t);
    strbuf_free(&errs);
    strbuf_free(&html);
    strbuf_free(&json);
}

/* A hostile value must not break the one-line diagnostic format. */
static void test_message_safety(void)
{
    strbuf e = STRBUF_INIT;
    CHECK_STR(errors_with("next: pain\n", "next: \"a\\nb\"\n", &e),
              "t.md:12:15: error: tree: answer 'No' of question 'red' leads to 'a?b', which is not a question "
              "or outcome id\n"
              "t.md:13:9: error: tree: question 'pain' cannot be reached: no answer leads to it\n");
    CHECK_STR(errors_with("verdict: continue", "verdict: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &e),
              "t.md:26:14: error: tree: outcome 'carry-on' has verdict "
              "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'; use seek-care, continue, "
              "continue-and-monitor, adapt or pause\n");
    /* The cut falls inside the first two-byte letter, so it moves before it. */
    CHECK_STR(errors_with("verdict: continue", "verdict: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\xc3\xa9\xc3\xa9\xc3\xa9", &e),
              "t.md:26:14: error: tree: outcome 'carry-on' has verdict "
              "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...'; use seek-care, continue, "
              "continue-and-monitor, adapt or pause\n");
    strbuf_free(&e);
}

static value *pos(value *v, int line) { return value_at(v, line, 1); }

static value *answer(const char *label, const char *next, int line)
{
    value *a = pos(value_map(), line);
    value_map_set(a, "label", pos(value_str(label), line));
    value_map_set(a, "next", pos(value_str(next), line));
    return a;
}

/* A chain of n questions, each answering "stop" (to the outcome) or "go" (to
 * the next question); the last one's "go" leads to `last_go`. */
static value *chain_tree(int n, const char *last_go)
{
    value *tree = pos(value_map(), 1), *questions = pos(value_list(), 2), *outcomes = pos(value_list(), 3);
    char id[32], next[32];
    for (int i = 0; i < n; i++) {
        value *q = pos(value_map(), 10 + i);
        snprintf(id, sizeof id, "q%d", i);
        snprintf(next, sizeof next, "q%d", i + 1);
        value_map_set(q, "id", pos(value_str(id), 10 + i));
        value_map_set(q, "text", pos(value_str("Go on?"), 10 + i));
        value *answers = pos(value_list(), 10 + i);
        value_list_push(answers, answer("stop", "end", 10 + i));
        value_list_push(answers, answer("go", i + 1 < n ? next : last_go, 10 + i));
        value_map_set(q, "answers", answers);
        value_list_push(questions, q);
    }
    value *o = pos(value_map(), 4);
    value_map_set(o, "id", pos(value_str("end"), 4));
    value_map_set(o, "verdict", pos(value_str("continue"), 4));
    value_map_set(o, "title", pos(value_str("End"), 4));
    value_map_set(o, "advice", pos(value_str("Done."), 4));
    value_list_push(outcomes, o);
    value_map_set(tree, "start", pos(value_str("q0"), 1));
    value_map_set(tree, "reminder", pos(value_str("Red flags."), 1));
    value *verdicts = pos(value_map(), 2);
    value_map_set(verdicts, "continue", pos(value_str("Carry on"), 2));
    value_map_set(tree, "verdicts", verdicts);
    value_map_set(tree, "questions", questions);
    value_map_set(tree, "outcomes", outcomes);
    return tree;
}

/* Long chains load without deep recursion; a loop through all of them is
 * found once, at the answer that closes it. */
static void test_long_chain(void)
{
    diag_list dl = DIAG_LIST_INIT;
    value *v = chain_tree(100000, "end");
    dtree *t = dtree_load(v, "t.md", NULL, NULL, &dl);
    CHECK(t != NULL);
    CHECK_INT(dl.len, 0);
    dtree_free(t);
    value_free(v);
    v = chain_tree(100000, "q0");
    CHECK(dtree_load(v, "t.md", NULL, NULL, &dl) == NULL);
    CHECK_INT(dl.len, 1);
    if (dl.len == 1) {
        CHECK_INT(dl.items[0].line, 100009);
        CHECK_STR(dl.items[0].msg, "tree: answer 'go' of question 'q99999' leads back to question 'q0', which makes a loop");
    }
    diag_list_clear(&dl);
    value_free(v);
}

/* Reads the bundled page and checks that its tree loads as the site ships it. */
static void test_bundled_tree(void)
{
    FILE *f = fopen("content/relative-rest.md", "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    strbuf src = STRBUF_INIT;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        strbuf_append(&src, buf, n);
    fclose(f);
    const char *end = strstr(src.data, "\n---\n");
    CHECK(strncmp(src.data, "---\n", 4) == 0 && end != NULL);
    diag_list dl = DIAG_LIST_INIT;
    value *fm = end ? yaml_load(src.data + 4, (size_t)(end + 1 - src.data - 4), "content/relative-rest.md", 1, &dl)
                    : NULL;
    dtree *t = fm ? dtree_load(value_map_get(fm, "tree"), "content/relative-rest.md", NULL, NULL, &dl) : NULL;
    CHECK(t != NULL);
    CHECK_INT(dl.len, 0);
    for (size_t i = 0; i < dl.len; i++)
        fprintf(stderr, "  %s:%d:%d: %s\n", dl.items[i].file, dl.items[i].line, dl.items[i].col, dl.items[i].msg);
    CHECK_STR(value_cstr(value_map_get(fm, "layout")), "decision-tree");
    strbuf html = STRBUF_INIT;
    if (t) {
        dtree_render_html(t, &html);
        CHECK(strstr(html.data, "class=\"dt-node dt-question dt-start\" id=\"q-emergency\"") != NULL);
        CHECK(strstr(html.data, "id=\"q-same-day\"") != NULL);
        static const char *const verdict_classes[] = {"seek-care", "continue", "continue-and-monitor", "adapt", "pause"};
        for (size_t i = 0; i < sizeof verdict_classes / sizeof *verdict_classes; i++) {
            char cls[64];
            snprintf(cls, sizeof cls, "dt-verdict-%s\"", verdict_classes[i]);
            CHECK(strstr(html.data, cls) != NULL);
        }
    }
    strbuf_free(&html);
    dtree_free(t);
    value_free(fm);
    diag_list_clear(&dl);
    strbuf_free(&src);
}

int main(void)
{
    test_small_tree_loads();
    test_md_callback();
    test_outcome_note();
    test_outcome_reminder();
    test_html_id_collisions();
    test_verdicts();
    test_reference_errors();
    test_field_errors();
    test_answer_errors();
    test_tree_errors();
    test_escaping();
    test_message_safety();
    test_long_chain();
    test_bundled_tree();
    TEST_END("decision_tree");
}
