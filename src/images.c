#include "images.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef LUMBAR_HAVE_VIPS
#include <dlfcn.h>
#include <vips/vips.h>
#endif

#include "fs.h"
#include "hash.h"
#include "strbuf.h"
#include "xalloc.h"

/* Bumped when the copies' encoding changes, so old cache entries are not reused. */
#define CACHE_VERSION "1"
#define CACHE_DIR ".lumbar-cache/images"

/* ---- headers ------------------------------------------------------------- */

static unsigned be16(const unsigned char *p) { return (unsigned)p[0] << 8 | p[1]; }
static unsigned le16(const unsigned char *p) { return (unsigned)p[1] << 8 | p[0]; }
static uint32_t be32(const unsigned char *p) { return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]; }
static uint32_t le24(const unsigned char *p) { return (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]; }

static img_format png_size(const unsigned char *d, size_t n, int *w, int *h)
{
    if (n < 24 || memcmp(d + 12, "IHDR", 4) != 0)
        return IMG_UNKNOWN;
    uint32_t width = be32(d + 16), height = be32(d + 20);
    if (!width || !height || width > INT32_MAX || height > INT32_MAX)
        return IMG_UNKNOWN;
    *w = (int)width;
    *h = (int)height;
    return IMG_PNG;
}

static img_format gif_size(const unsigned char *d, size_t n, int *w, int *h)
{
    if (n < 10 || !le16(d + 6) || !le16(d + 8))
        return IMG_UNKNOWN;
    *w = (int)le16(d + 6);
    *h = (int)le16(d + 8);
    return IMG_GIF;
}

/* The Exif orientation (1-8) in an APP1 segment's n bytes at d, or 0. */
static unsigned exif_orientation(const unsigned char *d, size_t n)
{
    if (n < 14 || memcmp(d, "Exif\0\0", 6) != 0)
        return 0;
    const unsigned char *tiff = d + 6;
    size_t size = n - 6;
    bool le = tiff[0] == 'I' && tiff[1] == 'I';
    if (!le && !(tiff[0] == 'M' && tiff[1] == 'M'))
        return 0;
#define U16(p) (le ? le16(p) : be16(p))
    uint32_t ifd = le ? (uint32_t)le16(tiff + 4) | (uint32_t)le16(tiff + 6) << 16 : be32(tiff + 4);
    if (ifd > size || size - ifd < 2)
        return 0;
    unsigned count = U16(tiff + ifd);
    for (unsigned k = 0; k < count; k++) {
        size_t at = ifd + 2 + (size_t)k * 12;
        if (at + 12 > size)
            return 0;
        if (U16(tiff + at) == 0x0112) {
            unsigned v = U16(tiff + at + 8);
            return v >= 1 && v <= 8 ? v : 0;
        }
    }
    return 0;
#undef U16
}

/* Walks the JPEG's marker segments to the first start-of-frame. The size
 * is as shown: an Exif orientation of 5-8 (a phone held upright) turns
 * the picture a quarter, as browsers and libvips do. */
static img_format jpeg_size(const unsigned char *d, size_t n, int *w, int *h)
{
    size_t i = 2;
    unsigned orientation = 0;
    while (i + 4 <= n) {
        if (d[i] != 0xFF)
            return IMG_UNKNOWN;
        unsigned char marker = d[i + 1];
        if (marker == 0xFF) { /* fill byte */
            i++;
            continue;
        }
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) { /* no length */
            i += 2;
            continue;
        }
        unsigned len = be16(d + i + 2);
        bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (sof) {
            if (i + 9 > n || len < 7 || !be16(d + i + 5) || !be16(d + i + 7))
                return IMG_UNKNOWN;
            bool turned = orientation >= 5;
            *h = (int)be16(d + i + (turned ? 7 : 5));
            *w = (int)be16(d + i + (turned ? 5 : 7));
            return IMG_JPEG;
        }
        if (marker == 0xD9 || marker == 0xDA || len < 2)
            return IMG_UNKNOWN;
        if (marker == 0xE1 && !orientation && i + 2 + len <= n)
            orientation = exif_orientation(d + i + 4, len - 2);
        i += 2 + len;
    }
    return IMG_UNKNOWN;
}

static img_format webp_size(const unsigned char *d, size_t n, int *w, int *h)
{
    if (n < 30)
        return IMG_UNKNOWN;
    const unsigned char *c = d + 12;
    long width = 0, height = 0;
    if (!memcmp(c, "VP8 ", 4) && d[23] == 0x9D && d[24] == 0x01 && d[25] == 0x2A) {
        width = le16(d + 26) & 0x3FFF;
        height = le16(d + 28) & 0x3FFF;
    } else if (!memcmp(c, "VP8L", 4) && d[20] == 0x2F) {
        width = 1 + (d[21] | (d[22] & 0x3F) << 8);
        height = 1 + ((d[22] >> 6) | d[23] << 2 | (d[24] & 0x0F) << 10);
    } else if (!memcmp(c, "VP8X", 4)) {
        width = 1 + (long)le24(d + 24);
        height = 1 + (long)le24(d + 27);
    }
    if (!width || !height)
        return IMG_UNKNOWN;
    *w = (int)width;
    *h = (int)height;
    return IMG_WEBP;
}

/* The value of attribute name in the tag text [tag, end), or NULL; *len gets its length. */
static const char *svg_attr(const char *tag, const char *end, const char *name, size_t *len)
{
    size_t name_len = strlen(name);
    for (const char *p = tag; p + name_len + 2 < end; p++) {
        bool starts = p > tag && (p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t' || p[-1] == '\r');
        if (!starts || strncmp(p, name, name_len) != 0)
            continue;
        const char *q = p + name_len;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q >= end || *q != '=')
            continue;
        q++;
        while (q < end && (*q == ' ' || *q == '\t'))
            q++;
        if (q >= end || (*q != '"' && *q != '\''))
            continue;
        const char *close = memchr(q + 1, *q, (size_t)(end - q - 1));
        if (!close)
            return NULL;
        *len = (size_t)(close - q - 1);
        return q + 1;
    }
    return NULL;
}

/* A length in pixels ("240", "240px", "240.5"); 0 for any other unit. */
static int svg_pixels(const char *s, size_t len)
{
    char buf[32];
    if (!s || len == 0 || len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    char *end;
    double v = strtod(buf, &end);
    if (end == buf || v <= 0 || v > 100000 || (*end && strcmp(end, "px") != 0))
        return 0;
    return (int)(v + 0.5);
}

/* Width and height from the root <svg> element's attributes, else from its viewBox. */
static img_format svg_size(const unsigned char *d, size_t n, int *w, int *h)
{
    const char *text = (const char *)d, *end = text + n;
    const char *tag = NULL;
    for (const char *p = text; p + 4 < end && !tag; p++)
        if (p[0] == '<' && !strncmp(p + 1, "svg", 3) && (p[4] == ' ' || p[4] == '\n' || p[4] == '\t' || p[4] == '>'))
            tag = p + 4;
    if (!tag)
        return IMG_UNKNOWN;
    const char *close = memchr(tag, '>', (size_t)(end - tag));
    if (!close)
        return IMG_UNKNOWN;
    size_t wl = 0, hl = 0, vl = 0;
    const char *ws = svg_attr(tag - 1, close, "width", &wl), *hs = svg_attr(tag - 1, close, "height", &hl);
    *w = svg_pixels(ws, wl);
    *h = svg_pixels(hs, hl);
    const char *vb = svg_attr(tag - 1, close, "viewBox", &vl);
    if ((!*w || !*h) && !ws && !hs && vb) {
        char buf[128];
        double x, y, vw, vh;
        if (vl < sizeof buf) {
            memcpy(buf, vb, vl);
            buf[vl] = '\0';
            for (char *c = buf; *c; c++)
                if (*c == ',')
                    *c = ' ';
            if (sscanf(buf, "%lf %lf %lf %lf", &x, &y, &vw, &vh) == 4 && vw > 0 && vh > 0 && vw < 1e5 && vh < 1e5) {
                *w = (int)(vw + 0.5);
                *h = (int)(vh + 0.5);
            }
        }
    }
    if (!*w || !*h)
        *w = *h = 0;
    return IMG_SVG;
}

img_format img_header_size(const unsigned char *data, size_t n, int *width, int *height)
{
    *width = *height = 0;
    img_format f = IMG_UNKNOWN;
    if (n >= 8 && !memcmp(data, "\x89PNG\r\n\x1a\n", 8))
        f = png_size(data, n, width, height);
    else if (n >= 6 && (!memcmp(data, "GIF87a", 6) || !memcmp(data, "GIF89a", 6)))
        f = gif_size(data, n, width, height);
    else if (n >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF)
        f = jpeg_size(data, n, width, height);
    else if (n >= 12 && !memcmp(data, "RIFF", 4) && !memcmp(data + 8, "WEBP", 4))
        f = webp_size(data, n, width, height);
    else
        f = svg_size(data, n < 4096 ? n : 4096, width, height);
    if (f == IMG_UNKNOWN)
        *width = *height = 0;
    return f;
}

/* ---- the store ----------------------------------------------------------- */

typedef struct entry {
    char *path;
    bool done;
    img_status status;
    img_info info;
    char *error;
} entry;

struct img_store {
    char *site_dir;
    const config *cfg;
    bool resize;
    bool unresized;
    pthread_mutex_t lock;
    pthread_cond_t finished;
    entry **entries;
    size_t len, cap;
};

img_store *img_store_new(const char *site_dir, const config *cfg, bool resize)
{
    img_store *st = xcalloc(1, sizeof *st);
    st->site_dir = xstrdup(site_dir);
    st->cfg = cfg;
    st->resize = resize;
    pthread_mutex_init(&st->lock, NULL);
    pthread_cond_init(&st->finished, NULL);
    return st;
}

bool img_store_unresized(const img_store *st) { return st->unresized; }

static char *msg(const char *fmt, const char *arg)
{
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, fmt, arg);
    return strbuf_detach(&b);
}

#ifdef LUMBAR_HAVE_VIPS
static const char *format_ext(img_format format)
{
    static const char *const exts[] = {"", "png", "jpg", "gif", "webp", "svg"};
    return exts[format];
}

/* "img/photo.jpg" + 480 + "webp" -> "img/photo-480w.webp" */
static char *variant_path(const char *path, int width, const char *ext)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(path, '.');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - path) : strlen(path);
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "%.*s-%dw.%s", (int)stem, path, width, ext);
    return strbuf_detach(&b);
}

/* libvips (and the hundred libraries it needs) is loaded when the first
 * image needs resizing: linked into lumbar, the dynamic loader's symbol
 * lookups alone cost every build ~70 million instructions, twice what a
 * whole build of the bundled site does. Only the calls lumbar makes. */
#ifndef LUMBAR_VIPS_SONAME
#define LUMBAR_VIPS_SONAME "libvips.so.42"
#endif

static struct vips_api {
    int (*version)(int flag);
    int (*init)(const char *argv0);
    void (*concurrency_set)(int concurrency);
    void (*cache_set_max)(int max);
    int (*thumbnail_buffer)(void *buf, size_t len, VipsImage **out, int width, ...);
    int (*write_to_file)(VipsImage *image, const char *name, ...);
    VipsImage *(*image_copy_memory)(VipsImage *image);
    const char *(*error_buffer)(void);
    void (*error_clear)(void);
    void (*object_unref)(gpointer object);
    guint (*log_set_handler)(const gchar *domain, GLogLevelFlags levels, GLogFunc func, gpointer data);
} vips;

static pthread_once_t vips_once = PTHREAD_ONCE_INIT;
static bool vips_ready;

static void drop_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
    (void)domain, (void)level, (void)message, (void)data;
}

/* Finds every function in vips; false when the library or one is missing. */
static bool load_vips(void)
{
    void *lib = dlopen(LUMBAR_VIPS_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return false;
    static const char *const names[] = {"vips_version", "vips_init", "vips_concurrency_set", "vips_cache_set_max",
                                        "vips_thumbnail_buffer", "vips_image_write_to_file", "vips_image_copy_memory",
                                        "vips_error_buffer",
                                        "vips_error_clear", "g_object_unref", "g_log_set_handler"};
    /* POSIX's way to take a function from dlsym without a cast ISO C forbids. */
    void **slots[] = {(void **)&vips.version, (void **)&vips.init, (void **)&vips.concurrency_set,
                      (void **)&vips.cache_set_max, (void **)&vips.thumbnail_buffer, (void **)&vips.write_to_file,
                      (void **)&vips.image_copy_memory,
                      (void **)&vips.error_buffer, (void **)&vips.error_clear, (void **)&vips.object_unref,
                      (void **)&vips.log_set_handler};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        if ((*slots[i] = dlsym(lib, names[i])) == NULL)
            return false;
    return vips.version(3) - vips.version(5) == VIPS_LIBRARY_CURRENT - VIPS_LIBRARY_AGE; /* VIPS_INIT's ABI check */
}

/* One thread per resize (the render threads already fill the cores) and
 * no operation cache: each source is read once, so caching only costs
 * memory. libvips's warnings would go to stderr around lumbar's
 * diagnostics: a damaged file fails instead (fail_on) and its error is
 * reported at the image. */
static void start_vips(void)
{
    if (!load_vips())
        return;
    vips.log_set_handler("VIPS", G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO, drop_log, NULL);
    vips_ready = vips.init("lumbar") == 0;
    if (vips_ready) {
        vips.concurrency_set(1);
        vips.cache_set_max(0);
    }
}

/* The message for the failure libvips just reported; the caller frees it. */
static char *vips_failure(void)
{
    const char *why = vips.error_buffer();
    strbuf b = STRBUF_INIT;
    strbuf_printf(&b, "the file is damaged, or cannot be resized (%.*s)", (int)strcspn(why, "\n"), why);
    vips.error_clear();
    return strbuf_detach(&b);
}

/* Saves image to file in the format its extension names, through a
 * temporary name so that no reader ever sees half a file. Returns NULL or
 * an error message the caller frees. */
static char *save_copy(VipsImage *image, const char *file)
{
    char *err = NULL;
    strbuf tmp = STRBUF_INIT;
    strbuf_printf(&tmp, "%s.tmp-%ld-%lx%s", file, (long)getpid(), (unsigned long)(uintptr_t)pthread_self(),
                  strrchr(file, '.'));
    if (vips.write_to_file(image, tmp.data, "strip", TRUE, NULL) != 0) {
        err = vips_failure();
        unlink(tmp.data);
    } else if (rename(tmp.data, file) != 0) {
        err = msg("cannot store its resized copy in " CACHE_DIR ": %s", fs_strerror(errno));
        unlink(tmp.data);
    }
    strbuf_free(&tmp);
    return err;
}

/* The widths to offer for an original w pixels wide: each configured width
 * below it, and w itself when no configured width reaches it. */
static size_t candidate_widths(const config *cfg, int w, int *out)
{
    size_t n = 0;
    for (int i = 0; i < cfg->image_nwidths; i++)
        if (cfg->image_widths[i] < w)
            out[n++] = cfg->image_widths[i];
    if (cfg->image_nwidths == 0 || cfg->image_widths[cfg->image_nwidths - 1] >= w)
        out[n++] = w;
    return n;
}

/* Names the copy of path at width in format: its site path and cache file. */
static void name_variant(const img_store *st, uint64_t hash, const char *path, int width, img_format format,
                         img_variant *v)
{
    const char *ext = format_ext(format);
    v->path = variant_path(path, width, ext);
    strbuf file = STRBUF_INIT;
    strbuf_printf(&file, "%s/" CACHE_DIR "/%016llx-%d.%s", st->site_dir, (unsigned long long)hash, width, ext);
    v->cache_file = strbuf_detach(&file);
}

/* Makes the copies of src at one width that the cache lacks, from a single
 * decode (shrunk while loading where the format allows) held in memory for
 * both formats, then reads each copy's size back. Returns NULL or an error. */
static char *make_width(const strbuf *src, int width, img_variant *const *copies, size_t n)
{
    char *err = NULL;
    struct stat sb;
    VipsImage *thumb = NULL, *pixels = NULL;
    for (size_t k = 0; k < n && !err; k++) {
        if (lstat(copies[k]->cache_file, &sb) == 0)
            continue;
        if (!pixels && (vips.thumbnail_buffer(src->data, src->len, &thumb, width, "height", VIPS_MAX_COORD, "size",
                                              VIPS_SIZE_DOWN, "option_string", "fail_on=truncated", NULL) != 0 ||
                        (pixels = vips.image_copy_memory(thumb)) == NULL))
            err = vips_failure();
        else
            err = save_copy(pixels, copies[k]->cache_file);
    }
    if (pixels)
        vips.object_unref(pixels);
    if (thumb)
        vips.object_unref(thumb);
    for (size_t k = 0; k < n && !err; k++) {
        strbuf bytes = STRBUF_INIT;
        if (!fs_read_file(copies[k]->cache_file, false, &bytes) ||
            img_header_size((const unsigned char *)bytes.data, bytes.len, &copies[k]->width, &copies[k]->height) ==
                IMG_UNKNOWN)
            err = msg("its resized copy %s cannot be read back", copies[k]->cache_file);
        strbuf_free(&bytes);
    }
    return err;
}

/* Makes the folder for cached copies; a symbolic link in its place is refused. */
static char *make_cache_dir(const img_store *st)
{
    char *top = fs_join(st->site_dir, ".lumbar-cache");
    char *dir = fs_join(st->site_dir, CACHE_DIR);
    char *err = NULL;
    struct stat sb;
    for (const char *d = top; d && !err; d = d == top ? dir : NULL) {
        if (mkdir(d, 0755) != 0 && errno != EEXIST)
            err = msg("cannot make the image cache folder: %s", fs_strerror(errno));
        else if (lstat(d, &sb) != 0 || !S_ISDIR(sb.st_mode))
            err = msg("%s must be a folder, not a symbolic link or file", d);
    }
    free(top);
    free(dir);
    return err;
}
#endif

/* Notes that an image is served at full size for want of libvips. */
static char *keep_original(img_store *st)
{
    pthread_mutex_lock(&st->lock);
    st->unresized = true;
    pthread_mutex_unlock(&st->lock);
    return NULL;
}

#ifdef LUMBAR_HAVE_VIPS
/* True when every copy info names is in the cache already. */
static bool all_cached(const img_info *info)
{
    struct stat sb;
    for (size_t i = 0; i < info->nown; i++)
        if (info->own[i].cache_file && lstat(info->own[i].cache_file, &sb) != 0)
            return false;
    for (size_t i = 0; i < info->nwebp; i++)
        if (lstat(info->webp[i].cache_file, &sb) != 0)
            return false;
    return true;
}
#endif

static void free_variants(img_variant *list, size_t n);

/* Gives info its copies: named first, then made where the cache lacks
 * them. libvips is loaded only then, so a rebuild with a warm cache never
 * loads it. */
static char *resize(img_store *st, const strbuf *src, const char *path, img_info *info)
{
#ifndef LUMBAR_HAVE_VIPS
    (void)src;
    (void)path;
    (void)info;
    return keep_original(st);
#else
    char *err = make_cache_dir(st);
    if (err)
        return err;
    uint64_t hash = hash_bytes(hash_str(HASH_SEED, CACHE_VERSION), src->data, src->len);
    int widths[CONFIG_IMAGE_WIDTHS + 1];
    size_t n = candidate_widths(st->cfg, info->width, widths);
    info->own = xcalloc(n, sizeof *info->own);
    info->webp = info->format == IMG_WEBP ? NULL : xcalloc(n, sizeof *info->webp);
    for (size_t i = 0; i < n; i++) {
        img_variant *own = &info->own[info->nown++];
        if (widths[i] == info->width) { /* the original itself */
            own->path = xstrdup(path);
            own->width = info->width;
            own->height = info->height;
        } else {
            name_variant(st, hash, path, widths[i], info->format, own);
        }
        if (info->webp)
            name_variant(st, hash, path, widths[i], IMG_WEBP, &info->webp[info->nwebp++]);
        if (widths[i] <= st->cfg->image_max_width)
            info->fallback = i;
    }
    if (!all_cached(info)) {
        pthread_once(&vips_once, start_vips);
        if (!vips_ready) {
            free_variants(info->own, info->nown);
            free_variants(info->webp, info->nwebp);
            info->own = info->webp = NULL;
            info->nown = info->nwebp = 0;
            return keep_original(st);
        }
    }
    for (size_t i = 0; i < n && !err; i++) {
        img_variant *copies[2];
        size_t ncopies = 0;
        if (info->own[i].cache_file)
            copies[ncopies++] = &info->own[i];
        if (info->webp)
            copies[ncopies++] = &info->webp[i];
        err = make_width(src, widths[i], copies, ncopies);
    }
    return err;
#endif
}

/* True when file, with every symbolic link followed, is inside dir. */
static bool inside(const char *dir, const char *file)
{
    char *real_dir = realpath(dir, NULL), *real_file = realpath(file, NULL);
    bool ok = real_dir && real_file && strcmp(real_dir, real_file) && fs_path_within(real_file, real_dir);
    free(real_dir);
    free(real_file);
    return ok;
}

/* Measures (and resizes) assets/PATH into e. Runs without the lock. */
static void process(img_store *st, entry *e)
{
    char *assets = fs_join(st->site_dir, "assets");
    char *file = fs_join(assets, e->path);
    strbuf src = STRBUF_INIT;
    struct stat sb;
    img_info *info = &e->info;
    if (lstat(file, &sb) != 0 || S_ISDIR(sb.st_mode)) {
        e->status = IMG_MISSING;
        e->error = msg("no such file (looked for assets/%s)", e->path);
    } else if (!inside(assets, file)) {
        e->status = IMG_BROKEN;
        e->error = msg("assets/%s is reached through a symbolic link that leads out of assets/", e->path);
    } else if (S_ISLNK(sb.st_mode) || !fs_read_file(file, false, &src)) {
        e->status = IMG_BROKEN;
        e->error = msg("assets/%s cannot be read (a symbolic link, or no permission)", e->path);
    } else if ((info->format = img_header_size((const unsigned char *)src.data, src.len, &info->width,
                                               &info->height)) == IMG_UNKNOWN) {
        e->status = IMG_BROKEN;
        e->error = msg("assets/%s is not a PNG, JPEG, GIF, WebP or SVG image, or its header is damaged", e->path);
    } else {
        bool raster = info->format == IMG_PNG || info->format == IMG_JPEG || info->format == IMG_WEBP;
        if (raster && st->resize && info->width > st->cfg->image_max_width && st->cfg->image_nwidths)
            e->error = resize(st, &src, e->path, info);
        e->status = e->error ? IMG_BROKEN : IMG_OK;
    }
    strbuf_free(&src);
    free(file);
    free(assets);
}

img_status img_store_get(img_store *st, const char *path, const img_info **info, char **error)
{
    pthread_mutex_lock(&st->lock);
    entry *e = NULL;
    for (size_t i = 0; i < st->len && !e; i++)
        if (!strcmp(st->entries[i]->path, path))
            e = st->entries[i];
    if (!e) {
        e = xcalloc(1, sizeof *e);
        e->path = xstrdup(path);
        XGROW(st->entries, st->cap, st->len + 1, 16);
        st->entries[st->len++] = e;
        pthread_mutex_unlock(&st->lock);
        process(st, e);
        pthread_mutex_lock(&st->lock);
        e->done = true;
        pthread_cond_broadcast(&st->finished);
    }
    while (!e->done)
        pthread_cond_wait(&st->finished, &st->lock);
    pthread_mutex_unlock(&st->lock);
    if (e->status == IMG_OK)
        *info = &e->info;
    else
        *error = xstrdup(e->error);
    return e->status;
}

static bool write_variants(const img_variant *list, size_t n, output *out, diag_list *diags)
{
    bool ok = true;
    for (size_t i = 0; i < n; i++) {
        if (!list[i].cache_file)
            continue;
        strbuf bytes = STRBUF_INIT;
        if (!fs_read_file(list[i].cache_file, false, &bytes)) {
            diag_add(diags, DIAG_ERROR, list[i].cache_file, 0, 0, "cannot read the cached copy of %s: %s",
                     list[i].path, fs_strerror(errno));
            ok = false;
        } else {
            ok = output_write(out, list[i].path, bytes.data, bytes.len, diags) && ok;
        }
        strbuf_free(&bytes);
    }
    return ok;
}

bool img_store_write(img_store *st, output *out, diag_list *diags)
{
    bool ok = true;
    for (size_t i = 0; i < st->len; i++) {
        if (st->entries[i]->status != IMG_OK)
            continue;
        const img_info *info = &st->entries[i]->info;
        ok = write_variants(info->own, info->nown, out, diags) && ok;
        ok = write_variants(info->webp, info->nwebp, out, diags) && ok;
    }
    return ok;
}

static void push_outputs(value *list, const img_variant *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].cache_file)
            value_list_push(list, value_str(v[i].path));
}

value *img_store_outputs(const img_store *st)
{
    value *list = value_list();
    for (size_t i = 0; i < st->len; i++) {
        if (st->entries[i]->status != IMG_OK)
            continue;
        push_outputs(list, st->entries[i]->info.own, st->entries[i]->info.nown);
        push_outputs(list, st->entries[i]->info.webp, st->entries[i]->info.nwebp);
    }
    return list;
}

static void free_variants(img_variant *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].path);
        free(list[i].cache_file);
    }
    free(list);
}

void img_store_free(img_store *st)
{
    if (!st)
        return;
    for (size_t i = 0; i < st->len; i++) {
        entry *e = st->entries[i];
        free_variants(e->info.own, e->info.nown);
        free_variants(e->info.webp, e->info.nwebp);
        free(e->error);
        free(e->path);
        free(e);
    }
    free(st->entries);
    pthread_mutex_destroy(&st->lock);
    pthread_cond_destroy(&st->finished);
    free(st->site_dir);
    free(st);
}
