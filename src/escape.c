#include "escape.h"

#include <stdbool.h>
#include <string.h>

void esc_html(strbuf *out, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        const char *rep;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: continue;
        }
        strbuf_append(out, s + start, i - start);
        strbuf_puts(out, rep);
        start = i + 1;
    }
    strbuf_append(out, s + start, n - start);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_valid_len(const unsigned char *s, size_t n)
{
    size_t len;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) { len = 2; cp = s[0] & 0x1F; }
    else if ((s[0] & 0xF0) == 0xE0) { len = 3; cp = s[0] & 0x0F; }
    else if ((s[0] & 0xF8) == 0xF0) { len = 4; cp = s[0] & 0x07; }
    else return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* XML 1.0 allows only well-formed UTF-8 and excludes most control
 * characters and U+FFFE/U+FFFF: a feed reader rejects the whole feed for one
 * such byte, and config.ini (unlike YAML) is not checked for UTF-8. */
void esc_xml(strbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t start = 0;
    for (size_t i = 0; i < n;) {
        size_t len = u[i] < 0x80 ? 1 : utf8_valid_len(u + i, n - i);
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

void esc_json(strbuf *out, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    strbuf_putc(out, '"');
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c >= 0x80) {
            size_t len = utf8_valid_len(u + i, n - i);
            if (len == 0) {
                strbuf_puts(out, "\\ufffd");
                i++;
            } else if (len == 3 && c == 0xE2 && u[i + 1] == 0x80 && (u[i + 2] == 0xA8 || u[i + 2] == 0xA9)) {
                strbuf_puts(out, u[i + 2] == 0xA8 ? "\\u2028" : "\\u2029");
                i += 3;
            } else {
                strbuf_append(out, s + i, len);
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"': strbuf_puts(out, "\\\""); break;
        case '\\': strbuf_puts(out, "\\\\"); break;
        case '\n': strbuf_puts(out, "\\n"); break;
        case '\r': strbuf_puts(out, "\\r"); break;
        case '\t': strbuf_puts(out, "\\t"); break;
        case '<': strbuf_puts(out, "\\u003c"); break;
        case '>': strbuf_puts(out, "\\u003e"); break;
        case '&': strbuf_puts(out, "\\u0026"); break;
        default:
            if (c < 0x20)
                strbuf_printf(out, "\\u%04x", c);
            else
                strbuf_putc(out, (char)c);
        }
        i++;
    }
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
