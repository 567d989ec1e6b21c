#include "scan.h"

#include <stdint.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__) && !defined(LUMBAR_PORTABLE_SCAN)
#define SCAN_SSE2 1
#include <emmintrin.h>
#endif

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Eight bytes from s as a number, first byte lowest, on any machine. The
 * byte-order test folds to a constant, so a little-endian build is one
 * load. */
static uint64_t load8(const char *s)
{
    uint64_t x;
    memcpy(&x, s, 8);
    const uint16_t one = 1;
    if (*(const unsigned char *)&one == 0) {
        uint64_t swapped = 0;
        for (int i = 0; i < 8; i++, x >>= 8)
            swapped = swapped << 8 | (x & 0xFF);
        x = swapped;
    }
    return x;
}

/* The high bit of each byte of x that equals c: exact, with no carries
 * between bytes. */
static uint64_t eq_bits(uint64_t x, unsigned char c)
{
    uint64_t v = x ^ (c * ONES);
    return ~(((v & ~HIGHS) + ~HIGHS) | v | ~HIGHS);
}

/* The high bit of each byte of x below 0x20, exactly. */
static uint64_t control_bits(uint64_t x)
{
    return ~(((x & ~HIGHS) + (0x80 - 0x20) * ONES) | x) & HIGHS;
}

/* What a scan stops at. */
typedef enum { STOP_HTML, STOP_HTML_APOS, STOP_JSON, STOP_NON_ASCII } stop_set;

static inline bool stops_at(unsigned char c, stop_set set)
{
    switch (set) {
    case STOP_HTML_APOS:
        if (c == '\'')
            return true;
        /* fall through */
    case STOP_HTML:
        return c == '&' || c == '<' || c == '>' || c == '"';
    case STOP_JSON:
        return c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&';
    case STOP_NON_ASCII:
        return c >= 0x80;
    }
    return false;
}

/* The high bit of each byte of x that stops_at. */
static inline uint64_t stop_bits(uint64_t x, stop_set set)
{
    switch (set) {
    case STOP_HTML_APOS:
        return eq_bits(x, '&') | eq_bits(x, '<') | eq_bits(x, '>') | eq_bits(x, '"') | eq_bits(x, '\'');
    case STOP_HTML:
        return eq_bits(x, '&') | eq_bits(x, '<') | eq_bits(x, '>') | eq_bits(x, '"');
    case STOP_JSON:
        return (x & HIGHS) | control_bits(x) | eq_bits(x, '"') | eq_bits(x, '\\') | eq_bits(x, '<') |
               eq_bits(x, '>') | eq_bits(x, '&');
    case STOP_NON_ASCII:
        return x & HIGHS;
    }
    return 0;
}

#ifdef SCAN_SSE2
/* 0xFF in each byte of v that stops_at. */
static inline __m128i stop_lanes(__m128i v, stop_set set)
{
#define EQ(c) _mm_cmpeq_epi8(v, _mm_set1_epi8(c))
    switch (set) {
    case STOP_HTML_APOS:
        return _mm_or_si128(_mm_or_si128(_mm_or_si128(EQ('&'), EQ('<')), _mm_or_si128(EQ('>'), EQ('"'))), EQ('\''));
    case STOP_HTML:
        return _mm_or_si128(_mm_or_si128(EQ('&'), EQ('<')), _mm_or_si128(EQ('>'), EQ('"')));
    case STOP_JSON: /* signed bytes: "less than 0x20" takes in 0x80 and up too */
        return _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), EQ('"')),
                            _mm_or_si128(_mm_or_si128(EQ('\\'), EQ('<')), _mm_or_si128(EQ('>'), EQ('&'))));
    case STOP_NON_ASCII:
        return v;
    }
#undef EQ
    return _mm_setzero_si128();
}
#endif

/* The offset of the first byte of s (n bytes) in set, or n: sixteen bytes
 * a step, then eight, then one. Each caller passes a constant set, which
 * the compiler folds into a loop of its own. */
static inline size_t scan_for(const char *s, size_t n, stop_set set)
{
    size_t i = 0;
#ifdef SCAN_SSE2
    for (; i + 16 <= n; i += 16) {
        int bits = _mm_movemask_epi8(stop_lanes(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), set));
        if (bits)
            return i + (size_t)__builtin_ctz((unsigned)bits);
    }
    if (i < n && n >= 16) { /* the last sixteen bytes; those before i hold no stop */
        int bits = _mm_movemask_epi8(stop_lanes(_mm_loadu_si128((const __m128i *)(const void *)(s + n - 16)), set));
        return bits ? n - 16 + (size_t)__builtin_ctz((unsigned)bits) : n;
    }
#endif
    for (; i + 8 <= n; i += 8)
        if (stop_bits(load8(s + i), set))
            break;
    for (; i < n; i++)
        if (stops_at((unsigned char)s[i], set))
            return i;
    return n;
}

size_t scan_html(const char *s, size_t n, bool apos)
{
    return apos ? scan_for(s, n, STOP_HTML_APOS) : scan_for(s, n, STOP_HTML);
}

size_t scan_json(const char *s, size_t n) { return scan_for(s, n, STOP_JSON); }

size_t scan_ascii(const char *s, size_t n) { return scan_for(s, n, STOP_NON_ASCII); }

size_t scan_count_words(const char *s, size_t n, bool *in_word)
{
    size_t words = 0, i = 0;
    unsigned space_before = *in_word ? 0 : 1; /* the byte before s[i] is a space (or none) */
#ifdef SCAN_SSE2
    /* Per byte lane: a start is a non-space after a space. Starts are
     * counted as -1s subtracted in byte lanes, summed every 255 steps
     * before a lane can overflow. */
    const __m128i space = _mm_set1_epi8(' '), zero = _mm_setzero_si128();
    __m128i carry = _mm_cvtsi32_si128(space_before ? 0xFF : 0), counts = zero;
    for (int steps = 0; i + 16 <= n; i += 16) {
        __m128i spaces = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(s + i)), space);
        __m128i after_space = _mm_or_si128(_mm_slli_si128(spaces, 1), carry);
        counts = _mm_sub_epi8(counts, _mm_andnot_si128(spaces, after_space));
        carry = _mm_srli_si128(spaces, 15);
        if (++steps == 255 || i + 32 > n) {
            __m128i sums = _mm_sad_epu8(counts, zero);
            words += (size_t)_mm_cvtsi128_si32(sums) + (size_t)_mm_cvtsi128_si32(_mm_srli_si128(sums, 8));
            counts = zero;
            steps = 0;
        }
    }
    space_before = _mm_cvtsi128_si32(carry) != 0;
#endif
    /* A word starts at a byte that is not a space after one that is: as
     * high bits, ~spaces & (spaces shifted up a byte). */
    uint64_t before = (uint64_t)space_before << 7;
    for (; i + 8 <= n; i += 8) {
        uint64_t spaces = eq_bits(load8(s + i), ' ');
        uint64_t starts = ~spaces & HIGHS & (spaces << 8 | before);
        words += (size_t)(((starts >> 7) * ONES) >> 56);
        before = spaces >> 56;
    }
    for (; i < n; i++) {
        words += s[i] != ' ' && before;
        before = s[i] == ' ';
    }
    if (n)
        *in_word = s[n - 1] != ' ';
    return words;
}
