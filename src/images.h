/* images: the pictures articles show, measured and resized.
 *
 * img_header_size reads width and height from the first bytes of a PNG,
 * JPEG, GIF, WebP or SVG file; it decodes no pixels. An img_store answers,
 * for a path under the site's assets/ folder, the image's format and size
 * and, for a PNG, JPEG or WebP wider than [images] max_width, copies at the
 * configured widths (never wider than the original) in its own format and
 * in WebP. libvips makes the copies once; they are kept in the site
 * folder's .lumbar-cache/images/ under a hash of the source's bytes, so a
 * rebuild reads them back instead of resizing again. libvips is loaded
 * (dlopen) only when an image first needs resizing; a lumbar built without
 * it (pkg-config finds no vips), or that cannot load it, keeps the
 * originals and the store says so (img_store_unresized). GIFs are never resized: libvips would keep
 * only the first frame of an animation.
 *
 * A store is safe to share between render threads: each image is measured
 * and resized once, by the first thread that asks; others asking for the
 * same image wait for it. Everything a store returns belongs to it. */
#ifndef LUMBAR_IMAGES_H
#define LUMBAR_IMAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "diag.h"
#include "output.h"
#include "value.h"

typedef enum img_format { IMG_UNKNOWN, IMG_PNG, IMG_JPEG, IMG_GIF, IMG_WEBP, IMG_SVG } img_format;

/* Reads the format and pixel size from the n bytes at data (the whole file
 * or at least its header). Sets *width and *height (0 when an SVG gives no
 * size in pixels); returns IMG_UNKNOWN, leaving them 0, when the bytes are
 * none of the five formats or the header is cut short. */
img_format img_header_size(const unsigned char *data, size_t n, int *width, int *height);

typedef struct img_variant {
    char *path;       /* site path of the copy, e.g. "img/photo-480w.webp" */
    char *cache_file; /* where the bytes are; NULL when path is the original itself */
    int width, height;
} img_variant;

typedef struct img_info {
    img_format format;
    int width, height;  /* of the original; 0 when the file does not say */
    img_variant *own;   /* copies in the original's format, narrowest first */
    size_t nown;
    img_variant *webp;  /* the same widths in WebP; none when the original is WebP */
    size_t nwebp;
    size_t fallback;    /* index in own of the copy for <img src> */
} img_info;

typedef enum img_status { IMG_OK, IMG_MISSING, IMG_BROKEN } img_status;

typedef struct img_store img_store;

/* Returns a store for the site folder site_dir with cfg's [images]
 * settings (cfg must outlive it). With resize false (lumbar check) images
 * are only measured and nothing is written anywhere. */
img_store *img_store_new(const char *site_dir, const config *cfg, bool resize);

/* Looks up assets/PATH (path is normalised, e.g. "img/x.png"). On IMG_OK
 * sets *info; otherwise sets *error to a message the caller frees. */
img_status img_store_get(img_store *st, const char *path, const img_info **info, char **error);

/* True when an image should have been resized but this lumbar has no
 * libvips, so its original is served at every width. */
bool img_store_unresized(const img_store *st);

/* Writes every resized copy into out. Returns false after adding an error. */
bool img_store_write(img_store *st, output *out, diag_list *diags);

/* Returns a new list of strings (the caller frees it): the site path of
 * every copy img_store_write writes. */
value *img_store_outputs(const img_store *st);

/* Frees the store. Accepts NULL. */
void img_store_free(img_store *st);

#endif
