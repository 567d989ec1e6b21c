#include "escape.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "scan.h"
#include "utf8.h"

/* What each byte becomes, by context; scan_html finds the bytes. */
static const char *const html_rep[256] = {
    ['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;", ['\''] = "&#39;"};
static const char *const cmark_text_rep[256] = {['&'] = "&amp;", ['<'] = "&lt;", ['>'] = "&gt;", ['"'] = "&quot;"};

/* apos says whether rep replaces ' too. */
static void esc_by_table(strbuf *out, const char *s, size_t n, const char *const rep[256], bool apos)
{
    size_t start = 0, i = 0;
    while ((i += scan_html(s + i, n - i, apos)) < n) {
        strbuf_append(out, s + start, i - start);
        strbuf_puts(out, rep[(unsigned char)s[i]]);
        start = ++i;
    }
    strbuf_append(out, s + start, n - start);
}

void esc_html(strbuf *out, const char *s, size_t n) { esc_by_table(out, s, n, html_rep, true); }

void esc_html_as_cmark(strbuf *out, const char *s, size_t n) { esc_by_table(out, s, n, cmark_text_rep, false); }

/* XML 1.0 allows only well-formed UTF-8 and excludes most control
 * characters and U+FFFE/U+FFFF: a feed reader rejects the whole feed for one
 * such byte, and config.ini (unlike YAML) is not checked for UTF-8. */
void esc_xml(strbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] < 0x80 ? 1 : utf8_seq_len(u + i, n - i);
        bool control = u[i] < 0x20 && u[i] != '\t' && u[i] != '\n' && u[i] != '\r';
        bool nonchar = len == 3 && u[i] == 0xEF && u[i + 1] == 0xBF && (u[i + 2] == 0xBE || u[i + 2] == 0xBF);
        if (len && !control && !nonchar) {
            i += len;
            continue;
        }
        esc_html(out, s + start, i - start);
        if (len == 0)
            strbuf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
        i += len ? len : 1;
        start = i;
    }
    esc_html(out, s + start, n - start);
}

/* The JSON escape of an ASCII byte, or NULL when it stands for itself. */
static const char *json_escape_of(unsigned char c, char buf[8])
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '<': return "\\u003c";
    case '>': return "\\u003e";
    case '&': return "\\u0026";
    default:
        if (c >= 0x20)
            return NULL;
        snprintf(buf, 8, "\\u%04x", c);
        return buf;
    }
}

void esc_json(strbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    strbuf_reserve(out, n + 2);
    strbuf_putc(out, '"');
    size_t start = 0; /* the run of bytes that need no escape */
    for (size_t i = 0; i < n;) {
        i += scan_json(s + i, n - i);
        if (i == n)
            break;
        unsigned char c = u[i];
        char buf[8];
        const char *rep = NULL;
        size_t len = 1;
        if (c >= 0x80) {
            len = utf8_seq_len(u + i, n - i);
            if (len == 0) {
                rep = "\\ufffd";
                len = 1;
            } else if (len == 3 && c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
                rep = u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029";
            }
        } else {
            rep = json_escape_of(c, buf);
        }
        if (rep) {
            strbuf_append(out, s + start, i - start);
            strbuf_puts(out, rep);
            start = i + len;
        }
        i += len;
    }
    strbuf_append(out, s + start, n - start);
    strbuf_putc(out, '"');
}

void esc_url_path(strbuf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            (c && strchr("-._~/()!*:@,;+=", c))) {
            strbuf_putc(out, (char)c);
        } else {
            strbuf_putc(out, '%');
            strbuf_putc(out, hex[c >> 4]);
            strbuf_putc(out, hex[c & 15]);
        }
    }
}
