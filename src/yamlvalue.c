#include "yamlvalue.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "utf8.h"

typedef struct loader {
    yaml_parser_t parser;
    const char *src; /* the text being parsed, for positions of reader errors */
    size_t len;
    const char *file;
    int line_offset;
    diag_list *diags;
    int depth;
} loader;

static value *load_node(loader *ld, yaml_event_t *ev);

static int line_of(const loader *ld, yaml_mark_t mark) { return (int)mark.line + 1 + ld->line_offset; }

static int col_of(yaml_mark_t mark) { return (int)mark.column + 1; }

static void error_at(loader *ld, yaml_mark_t mark, const char *msg)
{
    diag_add(ld->diags, DIAG_ERROR, ld->file, line_of(ld, mark), col_of(mark), "%s", msg);
}

/* libyaml reports a reader error (bad UTF-8, a control character) with a
 * byte offset and no mark: finds the line and column (in characters) of
 * that byte in the source. */
static void offset_position(const loader *ld, size_t offset, int *line, int *col)
{
    utf8_position(ld->src, offset < ld->len ? offset : ld->len, 1 + ld->line_offset, line, col);
}

/* Reads the next event; on a syntax error reports it and returns 0. */
static int next_event(loader *ld, yaml_event_t *ev)
{
    if (yaml_parser_parse(&ld->parser, ev))
        return 1;
    yaml_parser_t *p = &ld->parser;
    const char *problem = p->problem ? p->problem : "syntax error";
    if (p->error == YAML_READER_ERROR) {
        int line, col;
        offset_position(ld, p->problem_offset, &line, &col);
        diag_add(ld->diags, DIAG_ERROR, ld->file, line, col, "YAML syntax error: %s (character 0x%02X)", problem,
                 (unsigned)p->problem_value);
    } else if (p->context)
        diag_add(ld->diags, DIAG_ERROR, ld->file, line_of(ld, p->problem_mark), col_of(p->problem_mark),
                 "YAML syntax error: %s %s (line %d)", problem, p->context,
                 line_of(ld, p->context_mark));
    else
        diag_add(ld->diags, DIAG_ERROR, ld->file, line_of(ld, p->problem_mark), col_of(p->problem_mark),
                 "YAML syntax error: %s", problem);
    return 0;
}

static int is_plain_null(const char *s, size_t n)
{
    return n == 0 || (n == 1 && s[0] == '~') || (n == 4 && (!strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL")));
}

static value *plain_scalar(const char *s, size_t n)
{
    if (is_plain_null(s, n))
        return value_null();
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE"))
        return value_bool(true);
    if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return value_bool(false);
    /* Numbers: digits, sign, point and exponent only, so "inf", "nan" and hex stay strings. */
    if (strspn(s, "0123456789+-.eE") == n && strpbrk(s, "0123456789")) {
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (end == s + n && errno == 0 && isfinite(d))
            return value_num(d);
    }
    return value_strn(s, n);
}

static value *load_scalar(loader *ld, yaml_event_t *ev)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    value *v = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? plain_scalar(s, n) : value_strn(s, n);
    return value_at(v, line_of(ld, ev->start_mark), col_of(ev->start_mark));
}

static value *load_sequence(loader *ld, yaml_event_t *start)
{
    value *list = value_at(value_list(), line_of(ld, start->start_mark), col_of(start->start_mark));
    for (;;) {
        yaml_event_t ev;
        if (!next_event(ld, &ev))
            goto fail;
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            return list;
        }
        value *item = load_node(ld, &ev);
        yaml_event_delete(&ev);
        if (!item)
            goto fail;
        value_list_push(list, item);
    }
fail:
    value_free(list);
    return NULL;
}

static value *load_mapping(loader *ld, yaml_event_t *start)
{
    value *map = value_at(value_map(), line_of(ld, start->start_mark), col_of(start->start_mark));
    for (;;) {
        yaml_event_t key_ev;
        if (!next_event(ld, &key_ev))
            goto fail;
        if (key_ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&key_ev);
            return map;
        }
        if (key_ev.type != YAML_SCALAR_EVENT) {
            error_at(ld, key_ev.start_mark, key_ev.type == YAML_ALIAS_EVENT
                                                ? "YAML aliases (*name) are not allowed"
                                                : "a mapping key must be plain text, not a list or map");
            yaml_event_delete(&key_ev);
            goto fail;
        }
        if (key_ev.data.scalar.anchor) {
            error_at(ld, key_ev.start_mark, "YAML anchors (&name) are not allowed");
            yaml_event_delete(&key_ev);
            goto fail;
        }
        const char *key = (const char *)key_ev.data.scalar.value;
        if (strlen(key) != key_ev.data.scalar.length) {
            error_at(ld, key_ev.start_mark, "a mapping key contains a NUL byte");
            yaml_event_delete(&key_ev);
            goto fail;
        }
        if (value_map_get(map, key)) {
            diag_add(ld->diags, DIAG_ERROR, ld->file, line_of(ld, key_ev.start_mark), col_of(key_ev.start_mark),
                     "duplicate key '%s'", key);
            yaml_event_delete(&key_ev);
            goto fail;
        }
        yaml_event_t val_ev;
        if (!next_event(ld, &val_ev)) {
            yaml_event_delete(&key_ev);
            goto fail;
        }
        value *val = load_node(ld, &val_ev);
        yaml_event_delete(&val_ev);
        if (!val) {
            yaml_event_delete(&key_ev);
            goto fail;
        }
        value_map_set(map, key, val);
        yaml_event_delete(&key_ev);
    }
fail:
    value_free(map);
    return NULL;
}

static const unsigned char *anchor_of(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT: return ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT: return ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT: return ev->data.mapping_start.anchor;
    default: return NULL;
    }
}

static value *load_node(loader *ld, yaml_event_t *ev)
{
    if (ev->type == YAML_ALIAS_EVENT) {
        error_at(ld, ev->start_mark, "YAML aliases (*name) are not allowed");
        return NULL;
    }
    if (anchor_of(ev)) {
        error_at(ld, ev->start_mark, "YAML anchors (&name) are not allowed");
        return NULL;
    }
    if (ev->type == YAML_SCALAR_EVENT)
        return load_scalar(ld, ev);
    if (ld->depth >= YAML_MAX_DEPTH) {
        diag_add(ld->diags, DIAG_ERROR, ld->file, line_of(ld, ev->start_mark), col_of(ev->start_mark),
                 "YAML nested more than %d levels deep", YAML_MAX_DEPTH);
        return NULL;
    }
    ld->depth++;
    value *v = NULL;
    if (ev->type == YAML_SEQUENCE_START_EVENT)
        v = load_sequence(ld, ev);
    else if (ev->type == YAML_MAPPING_START_EVENT)
        v = load_mapping(ld, ev);
    else
        error_at(ld, ev->start_mark, "unexpected YAML event");
    ld->depth--;
    return v;
}

/* Skips stream and document starts; returns the first node's value. */
static value *load_document(loader *ld)
{
    for (;;) {
        yaml_event_t ev;
        if (!next_event(ld, &ev))
            return NULL;
        yaml_event_type_t type = ev.type;
        if (type == YAML_STREAM_START_EVENT || type == YAML_DOCUMENT_START_EVENT) {
            yaml_event_delete(&ev);
            continue;
        }
        if (type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            return value_null();
        }
        value *v = load_node(ld, &ev);
        yaml_event_delete(&ev);
        return v;
    }
}

/* Reports the first NUL byte or invalid UTF-8 sequence at its line and
 * column, which libyaml would report without a position (or not at all,
 * for NUL); returns false when there was one. */
static bool text_ok(loader *ld)
{
    const char *nul = memchr(ld->src, '\0', ld->len);
    size_t bad = utf8_first_invalid(ld->src, nul ? (size_t)(nul - ld->src) : ld->len);
    if (!nul && bad == ld->len)
        return true;
    int line, col;
    offset_position(ld, bad, &line, &col);
    if (nul && bad == (size_t)(nul - ld->src))
        diag_add(ld->diags, DIAG_ERROR, ld->file, line, col, "NUL byte in YAML");
    else
        diag_add(ld->diags, DIAG_ERROR, ld->file, line, col, "invalid UTF-8 (byte 0x%02X): save the file as UTF-8",
                 (unsigned char)ld->src[bad]);
    return false;
}

value *yaml_load(const char *src, size_t n, const char *file, int line_offset, diag_list *diags)
{
    loader ld = {.src = src, .len = n, .file = file, .line_offset = line_offset, .diags = diags};
    if (n > YAML_MAX_BYTES) {
        int line, col;
        utf8_position(src, YAML_MAX_BYTES, 1 + line_offset, &line, &col);
        diag_add(diags, DIAG_ERROR, file, line, col, "YAML longer than %zu MiB (%.1f MiB in all) is not read; "
                 "the limit falls here", YAML_MAX_BYTES >> 20, (double)n / (1 << 20));
        return NULL;
    }
    if (!text_ok(&ld))
        return NULL;
    if (!yaml_parser_initialize(&ld.parser)) {
        diag_add(diags, DIAG_ERROR, file, 0, 0, "cannot initialise the YAML parser");
        return NULL;
    }
    yaml_parser_set_input_string(&ld.parser, (const unsigned char *)src, n);
    value *v = load_document(&ld);
    yaml_parser_delete(&ld.parser);
    return v;
}
