/* Fuzz target: the escaping functions, slugs and dates, checked against
 * their contracts rather than for crashes alone.
 *
 * esc_html leaves no byte that could end a text run or an attribute (nor
 * does esc_html_as_cmark, but for the apostrophe it leaves as cmark does);
 * esc_xml leaves nothing XML 1.0 forbids; esc_json gives one well-formed
 * JSON string, valid UTF-8, that cannot close a <script> element; esc_url_path
 * leaves only URL path characters; fm_slugify gives a slug or nothing; a date
 * date_parse accepts prints back as the same text. */
#include <string.h>

#include "date.h"
#include "escape.h"
#include "frontmatter.h"
#include "fuzz.h"

/* Length of the well-formed UTF-8 sequence at s, or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    if (s[0] < 0x80)
        return 1;
    size_t len = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3 : s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    unsigned cp = s[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++)
        cp = (cp << 6) | (s[i] & 0x3F);
    static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
    return cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? 0 : len;
}

static bool valid_utf8(const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t len = utf8_len(u + i, n - i);
        if (!len)
            return false;
        i += len;
    }
    return true;
}

static void check_html(const char *s, size_t n)
{
    strbuf out = STRBUF_INIT;
    esc_html(&out, s, n);
    FUZZ_ASSERT(out.len >= n);
    for (size_t i = 0; i < out.len; i++)
        FUZZ_ASSERT(!strchr("<>\"'", out.data[i]) || !out.data[i]);
    strbuf_reset(&out);
    esc_html_as_cmark(&out, s, n); /* as cmark escapes text: the apostrophe stays */
    FUZZ_ASSERT(out.len >= n);
    for (size_t i = 0; i < out.len; i++)
        FUZZ_ASSERT(!strchr("<>\"", out.data[i]) || !out.data[i]);
    strbuf_free(&out);
}

static void check_xml(const char *s, size_t n)
{
    strbuf out = STRBUF_INIT;
    esc_xml(&out, s, n);
    for (size_t i = 0; i < out.len; i++) {
        unsigned char c = (unsigned char)out.data[i];
        FUZZ_ASSERT(c != '<' && c != '>' && c != '"' && c != '\'');
        FUZZ_ASSERT(c >= 0x20 || c == '\t' || c == '\n' || c == '\r');
    }
    FUZZ_ASSERT(valid_utf8(strbuf_cstr(&out), out.len));
    FUZZ_ASSERT(!strstr(strbuf_cstr(&out), "\xEF\xBF\xBE") && !strstr(strbuf_cstr(&out), "\xEF\xBF\xBF"));
    strbuf_free(&out);
}

static void check_json(const char *s, size_t n)
{
    strbuf out = STRBUF_INIT;
    esc_json(&out, s, n);
    FUZZ_ASSERT(out.len >= 2 && out.data[0] == '"' && out.data[out.len - 1] == '"');
    FUZZ_ASSERT(valid_utf8(out.data, out.len));
    for (size_t i = 1; i + 1 < out.len; i++) {
        unsigned char c = (unsigned char)out.data[i];
        FUZZ_ASSERT(c >= 0x20 && c != '<' && c != '>' && c != '&');
        if (c == '\\') {
            char e = out.data[++i];
            FUZZ_ASSERT(i + 1 < out.len && strchr("\"\\/bfnrtu", e));
            if (e == 'u') {
                FUZZ_ASSERT(i + 5 < out.len);
                for (int k = 1; k <= 4; k++)
                    FUZZ_ASSERT(strchr("0123456789abcdefABCDEF", out.data[i + k]) && out.data[i + k]);
                i += 4;
            }
        } else {
            FUZZ_ASSERT(c != '"');
        }
    }
    FUZZ_ASSERT(!strstr(out.data, "\xE2\x80\xA8") && !strstr(out.data, "\xE2\x80\xA9"));
    strbuf_free(&out);
}

static void check_url_path(const char *s, size_t n)
{
    strbuf out = STRBUF_INIT;
    esc_url_path(&out, s, n);
    for (size_t i = 0; i < out.len; i++) {
        char c = out.data[i];
        if (c == '%') {
            FUZZ_ASSERT(i + 2 < out.len && strchr("0123456789ABCDEF", out.data[i + 1]) && out.data[i + 1] &&
                        strchr("0123456789ABCDEF", out.data[i + 2]) && out.data[i + 2]);
            i += 2;
        } else {
            FUZZ_ASSERT(c && strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/()!*:@,;+=", c));
        }
    }
    strbuf_free(&out);
}

static void check_slug_and_date(const char *s, size_t n)
{
    strbuf slug = STRBUF_INIT;
    fm_slugify(s, n, &slug);
    FUZZ_ASSERT(slug.len == 0 || fm_slug_ok(slug.data));
    FUZZ_ASSERT(slug.len == 0 || (slug.data[0] != '-' && slug.data[slug.len - 1] != '-' && !strstr(slug.data, "--")));
    strbuf_free(&slug);
    date d;
    if (date_parse(s, &d)) {
        strbuf iso = STRBUF_INIT;
        date_format_iso(d, &iso);
        FUZZ_ASSERT(!strcmp(iso.data, s));
        date_format_human(d, &iso);
        FUZZ_ASSERT(date_cmp(date_add_months(d, 0), d) == 0 && date_cmp(date_add_months(d, 1), d) > 0);
        strbuf_free(&iso);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_copy(data, size);
    check_html(s, size);
    check_xml(s, size);
    check_json(s, size);
    check_url_path(s, size);
    check_slug_and_date(s, size);
    free(s);
    return 0;
}
