/* Unit tests for images.c (header sizes, the store, its cache) and for how
 * markdown.c writes images (alt text rules, figures, sizes, escaping). */
#include "harness.h"

#include <sys/stat.h>
#include <unistd.h>

#include "build.h"
#include "fixture.h"
#include "fs.h"
#include "images.h"
#include "markdown.h"
#include "xalloc.h"

/* A real PNG, 400 x 120, from the golden site (tests run from the repository root). */
#define WIDE_PNG "tests/sites/images/assets/img/wide.png"

static char root[256];

static int header(const void *data, size_t n, int *w, int *h)
{
    return (int)img_header_size(data, n, w, h);
}

static void test_png_gif(void)
{
    int w, h;
    static const unsigned char png[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R',
                                        0,    0,   0x03, 0xC0, 0, 0, 0x02, 0x1C};
    CHECK_INT(header(png, sizeof png, &w, &h), IMG_PNG);
    CHECK_INT(w, 960);
    CHECK_INT(h, 540);
    CHECK_INT(header(png, sizeof png - 1, &w, &h), IMG_UNKNOWN); /* cut short */
    CHECK_INT(w, 0);
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 0x40, 0x01, 0xF0, 0x00};
    CHECK_INT(header(gif, sizeof gif, &w, &h), IMG_GIF);
    CHECK_INT(w, 320);
    CHECK_INT(h, 240);
}

static void test_jpeg(void)
{
    int w, h;
    /* SOI, an APP0 segment to skip, then a progressive SOF2. */
    static const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x06, 'J', 'F', 'I', 'F', 0xFF, 0xC2,
                                         0x00, 0x11, 0x08, 0x01, 0x2C, 0x07, 0x80, 0x03};
    CHECK_INT(header(jpeg, sizeof jpeg, &w, &h), IMG_JPEG);
    CHECK_INT(w, 1920);
    CHECK_INT(h, 300);
    /* A DHT segment (0xC4) is not a frame header. */
    static const unsigned char dht[] = {0xFF, 0xD8, 0xFF, 0xC4, 0x00, 0x04, 0x00, 0x00, 0xFF, 0xC0,
                                        0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03};
    CHECK_INT(header(dht, sizeof dht, &w, &h), IMG_JPEG);
    CHECK_INT(w, 32);
    CHECK_INT(h, 16);
    CHECK_INT(header(jpeg, 12, &w, &h), IMG_UNKNOWN);
    /* An Exif orientation of 6 (turned a quarter): shown 300 wide, 1920 high. */
    static const unsigned char exif_be[] = {
        0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'M', 'M', 0x00, 0x2A, 0, 0, 0, 8, 0x00, 0x01,
        0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1, 0x00, 0x06, 0, 0, 0, 0, 0, 0, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C,
        0x07, 0x80, 0x03};
    CHECK_INT(header(exif_be, sizeof exif_be, &w, &h), IMG_JPEG);
    CHECK_INT(w, 300);
    CHECK_INT(h, 1920);
    /* Little-endian Exif, orientation 3 (upside down): the size stays. */
    static const unsigned char exif_le[] = {
        0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x22, 'E', 'x', 'i', 'f', 0, 0, 'I', 'I', 0x2A, 0x00, 8, 0, 0, 0, 0x01, 0x00,
        0x12, 0x01, 0x03, 0x00, 1, 0, 0, 0, 0x03, 0x00, 0, 0, 0, 0, 0, 0, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0x01, 0x2C,
        0x07, 0x80, 0x03};
    CHECK_INT(header(exif_le, sizeof exif_le, &w, &h), IMG_JPEG);
    CHECK_INT(w, 1920);
    CHECK_INT(h, 300);
}

static void test_webp(void)
{
    int w, h;
    unsigned char lossy[30] = "RIFF\0\0\0\0WEBPVP8 ";
    memcpy(lossy + 23, "\x9D\x01\x2A\x80\x02\xE0\x01", 7); /* 640 x 480 */
    CHECK_INT(header(lossy, sizeof lossy, &w, &h), IMG_WEBP);
    CHECK_INT(w, 640);
    CHECK_INT(h, 480);
    unsigned char lossless[30] = "RIFF\0\0\0\0WEBPVP8L";
    /* 14-bit width-1 and height-1 packed after the 0x2F signature: 100 x 50 */
    uint32_t bits = (100 - 1) | (uint32_t)(50 - 1) << 14;
    lossless[20] = 0x2F;
    lossless[21] = (unsigned char)bits;
    lossless[22] = (unsigned char)(bits >> 8);
    lossless[23] = (unsigned char)(bits >> 16);
    lossless[24] = (unsigned char)(bits >> 24);
    CHECK_INT(header(lossless, sizeof lossless, &w, &h), IMG_WEBP);
    CHECK_INT(w, 100);
    CHECK_INT(h, 50);
    unsigned char extended[30] = "RIFF\0\0\0\0WEBPVP8X";
    memcpy(extended + 24, "\xFF\x0F\x00\x37\x02\x00", 6); /* 4096 x 568 */
    CHECK_INT(header(extended, sizeof extended, &w, &h), IMG_WEBP);
    CHECK_INT(w, 4096);
    CHECK_INT(h, 568);
}

static void test_svg(void)
{
    int w, h;
    const char *sized = "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120px\" "
                        "height='8' viewBox=\"0 0 60 4\"><rect/></svg>";
    CHECK_INT(header(sized, strlen(sized), &w, &h), IMG_SVG);
    CHECK_INT(w, 120);
    CHECK_INT(h, 8);
    const char *viewbox = "<svg viewBox=\"0,0,300.4,150\" xmlns=\"http://www.w3.org/2000/svg\"></svg>";
    CHECK_INT(header(viewbox, strlen(viewbox), &w, &h), IMG_SVG);
    CHECK_INT(w, 300);
    CHECK_INT(h, 150);
    /* A size in % says nothing about pixels: no attributes rather than wrong ones. */
    const char *percent = "<svg width=\"100%\" height=\"50%\" viewBox=\"0 0 10 10\"></svg>";
    CHECK_INT(header(percent, strlen(percent), &w, &h), IMG_SVG);
    CHECK_INT(w, 0);
    CHECK_INT(h, 0);
    CHECK_INT(header("plain text", 10, &w, &h), IMG_UNKNOWN);
}

/* ---- [images] in config.ini -------------------------------------------- */

static void test_config(void)
{
    const char *ini = "[site]\ntitle = t\nbase_url = https://example.org/\n[images]\nmax_width = 800\n"
                      "widths = 320,640 , 1280\n";
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    config *cfg = config_parse(ini, strlen(ini), "config.ini", &dl);
    CHECK(cfg != NULL);
    CHECK_INT(cfg->image_max_width, 800);
    CHECK_INT(cfg->image_nwidths, 3);
    CHECK_INT(cfg->image_widths[2], 1280);
    config_free(cfg);
    const char *none = "[site]\ntitle = t\nbase_url = https://example.org/\n";
    cfg = config_parse(none, strlen(none), "config.ini", &dl);
    CHECK_INT(cfg->image_max_width, 960);
    CHECK_INT(cfg->image_nwidths, 3);
    CHECK_INT(cfg->image_widths[0], 480);
    config_free(cfg);
    const char *bad = "[site]\ntitle = t\nbase_url = https://example.org/\n[images]\nwidths = 960, 480\n"
                      "max_width = wide\nquality = 80\n";
    CHECK(config_parse(bad, strlen(bad), "config.ini", &dl) == NULL);
    CHECK_STR(fx_diags(&dl, &sb),
              "config.ini:5: error: widths must be up to 8 whole numbers from 16 to 10000, ascending and separated "
              "by commas (e.g. 480, 960, 1440), not '960, 480'\n"
              "config.ini:6: error: max_width must be a whole number from 16 to 10000, not 'wide'\n"
              "config.ini:7: warning: unknown key 'quality' in [images]\n");
    diag_list_clear(&dl);
    strbuf_free(&sb);
}

/* ---- the store ----------------------------------------------------------- */

static config *images_config(int max_width)
{
    const char *ini = "[site]\ntitle = t\nbase_url = https://example.org/sub/\n";
    diag_list dl = DIAG_LIST_INIT;
    config *cfg = config_parse(ini, strlen(ini), "config.ini", &dl);
    cfg->image_max_width = max_width;
    cfg->image_widths[0] = 100;
    cfg->image_widths[1] = 200;
    cfg->image_widths[2] = 300;
    cfg->image_nwidths = 3;
    diag_list_clear(&dl);
    return cfg;
}

static bool copy_file(const char *from, const char *to)
{
    strbuf sb = STRBUF_INIT;
    bool ok = fs_read_file(from, true, &sb);
    FILE *f = ok ? fopen(to, "wb") : NULL;
    ok = f && fwrite(sb.data, 1, sb.len, f) == sb.len;
    if (f)
        fclose(f);
    strbuf_free(&sb);
    return ok;
}

static void make_site(void)
{
    CHECK(th_tmpdir("images", root, sizeof root));
    fx_mkdir(root, "assets");
    fx_mkdir(root, "assets/img");
    strbuf to = STRBUF_INIT;
    strbuf_printf(&to, "%s/assets/img/wide.png", root);
    CHECK(copy_file(WIDE_PNG, to.data));
    strbuf_free(&to);
    fx_put(root, "assets/img/bad.png", "\x89PNG\r\n\x1a\n but no header");
    fx_put(root, "assets/img/dot.svg", "<svg width=\"4\" height=\"2\"></svg>");
    fx_mkdir(root, "outside");
    strbuf link = STRBUF_INIT, target = STRBUF_INIT;
    strbuf_printf(&target, "%s/outside/wide.png", root);
    CHECK(copy_file(WIDE_PNG, target.data));
    strbuf_reset(&target);
    strbuf_printf(&target, "%s/outside", root);
    strbuf_printf(&link, "%s/assets/out", root);
    CHECK(symlink(target.data, link.data) == 0);
    strbuf_free(&link);
    strbuf_free(&target);
}

static void test_store_errors(void)
{
    config *cfg = images_config(960);
    img_store *st = img_store_new(root, cfg, false);
    const img_info *info = NULL;
    char *err = NULL;
    CHECK_INT(img_store_get(st, "img/none.png", &info, &err), IMG_MISSING);
    CHECK_STR(err, "no such file (looked for assets/img/none.png)");
    free(err);
    err = NULL;
    CHECK_INT(img_store_get(st, "img/bad.png", &info, &err), IMG_BROKEN);
    CHECK(err && strstr(err, "header is damaged"));
    free(err);
    err = NULL;
    CHECK_INT(img_store_get(st, "img", &info, &err), IMG_MISSING); /* a folder */
    free(err);
    err = NULL;
    CHECK_INT(img_store_get(st, "out/wide.png", &info, &err), IMG_BROKEN); /* through a link out of assets/ */
    CHECK(err && strstr(err, "symbolic link"));
    free(err);
    err = NULL;
    CHECK_INT(img_store_get(st, "img/wide.png", &info, &err), IMG_OK);
    CHECK_INT(info->width, 400);
    CHECK_INT(info->height, 120);
    CHECK_INT(info->nown, 0); /* below max_width: kept as it is */
    img_store_free(st);
    config_free(cfg);
}

#ifdef LUMBAR_HAVE_VIPS
/* Copies at 100, 200 and 300 px (never wider than the 400 px original),
 * each in PNG and WebP, made once and then read back from the cache. */
static void test_store_resizes_and_caches(void)
{
    config *cfg = images_config(200);
    img_store *st = img_store_new(root, cfg, true);
    const img_info *info = NULL;
    char *err = NULL;
    CHECK_INT(img_store_get(st, "img/wide.png", &info, &err), IMG_OK);
    CHECK_INT(info->nown, 3);
    CHECK_INT(info->nwebp, 3);
    CHECK_STR(info->own[0].path, "img/wide-100w.png");
    CHECK_STR(info->webp[2].path, "img/wide-300w.webp");
    CHECK_INT(info->own[1].width, 200);
    CHECK_INT(info->own[1].height, 60);
    CHECK_INT(info->fallback, 1); /* the widest copy not above max_width */
    CHECK(!img_store_unresized(st));
    char *cached = xstrdup(info->own[0].cache_file);
    CHECK(strstr(cached, "/.lumbar-cache/images/") != NULL);
    img_store_free(st);
    /* A rebuild takes the cache's file, whatever it holds: put a 4 x 2
       picture there and the next store must report 4 x 2. */
    CHECK(copy_file(WIDE_PNG, cached));
    FILE *f = fopen(cached, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 16, SEEK_SET);
        fwrite("\0\0\0\x04\0\0\0\x02", 1, 8, f);
        fclose(f);
    }
    st = img_store_new(root, cfg, true);
    CHECK_INT(img_store_get(st, "img/wide.png", &info, &err), IMG_OK);
    CHECK_INT(info->own[0].width, 4);
    CHECK_INT(info->own[0].height, 2);
    img_store_free(st);
    unlink(cached);
    free(cached);
    config_free(cfg);
}
#endif

#ifdef LUMBAR_HAVE_VIPS
/* A rebuild that reuses a page from the previous output (lumbar serve)
 * must keep the image copies that page shows. */
static void test_rebuild_keeps_copies(void)
{
    char site_dir[256];
    CHECK(th_tmpdir("images-rebuild", site_dir, sizeof site_dir));
    static const char *const dirs[] = {"assets", "assets/img", "layouts", "content", "content/guide", NULL};
    for (const char *const *d = dirs; *d; d++)
        fx_mkdir(site_dir, *d);
    static const char *const layouts[] = {"article", "home", "page", "404", "section", "tag", "tags", NULL};
    for (const char *const *l = layouts; *l; l++) {
        strbuf name = STRBUF_INIT;
        strbuf_printf(&name, "layouts/%s.html", *l);
        fx_put(site_dir, name.data, "{{{content}}}\n");
        strbuf_free(&name);
    }
    fx_put(site_dir, "config.ini", "[site]\ntitle = t\nbase_url = https://example.org/\n[images]\nmax_width = 200\n"
                                   "widths = 100, 200\n");
    const char *fm = "---\ntitle: T\ndescription: d\ndate: 2026-01-01\n---\n";
    strbuf text = STRBUF_INIT, to = STRBUF_INIT, out = STRBUF_INIT, copy = STRBUF_INIT;
    strbuf_printf(&text, "%s![A band of colours](/img/wide.png)\n", fm);
    fx_put(site_dir, "content/_index.md", fm);
    fx_put(site_dir, "content/guide/_index.md", fm);
    fx_put(site_dir, "content/guide/pic.md", text.data);
    strbuf_reset(&text);
    strbuf_printf(&text, "%sFirst words.\n", fm);
    fx_put(site_dir, "content/guide/other.md", text.data);
    strbuf_printf(&to, "%s/assets/img/wide.png", site_dir);
    CHECK(copy_file(WIDE_PNG, to.data));
    strbuf_printf(&out, "%s/public", site_dir);
    strbuf_printf(&copy, "%s/img/wide-100w.webp", out.data);
    build_cache *cache = build_cache_new();
    build_options opts = {.site_dir = site_dir, .out_dir = out.data, .write = true, .jobs = 1, .cache = cache,
                          .future = true}; /* its pages are dated after now = 0 */
    build_stats stats;
    diag_list dl = DIAG_LIST_INIT;
    CHECK(build_run(&opts, &stats, &dl));
    struct stat sb;
    CHECK(stat(copy.data, &sb) == 0);
    strbuf_reset(&text);
    strbuf_printf(&text, "%sOther words.\n", fm);
    fx_put(site_dir, "content/guide/other.md", text.data);
    CHECK(build_run(&opts, &stats, &dl));
    CHECK(stats.reused > 0);
    CHECK(stat(copy.data, &sb) == 0);
    CHECK(build_run(&opts, &stats, &dl)); /* and once more: the cache remembers them */
    CHECK(stat(copy.data, &sb) == 0);
    CHECK_INT(diag_count(&dl, DIAG_ERROR), 0);
    build_cache_free(cache);
    diag_list_clear(&dl);
    strbuf_free(&text);
    strbuf_free(&to);
    strbuf_free(&out);
    strbuf_free(&copy);
    output_remove_tree(site_dir);
}
#endif

/* ---- Markdown ------------------------------------------------------------ */

static md_doc *render_with(img_store *st, const char *md, diag_list *dl)
{
    md_env env = {.smart_punctuation = true, .base_path = "/sub/", .images = st};
    return md_render(md, strlen(md), 10, "content/guide/x.md", "guide/x.md", &env, dl);
}

static void test_alt_rules(void)
{
    config *cfg = images_config(960);
    img_store *st = img_store_new(root, cfg, false);
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    md_doc *doc = render_with(st,
                              "Empty: ![](/img/dot.svg)\n\n"
                              "Blank: ![  ](/img/dot.svg)\n\n"
                              "Decorative: ![decorative](/img/dot.svg)\n\n"
                              "Own name: ![dot.svg](/img/dot.svg) ![IMG_0042.JPG](/img/dot.svg)\n\n"
                              "Good: ![A dot](/img/dot.svg)\n",
                              &dl);
    CHECK_STR(fx_diags(&dl, &sb),
              "content/guide/x.md:10:8: error: image '/img/dot.svg' has no alt text: describe what it shows in the "
              "brackets, or write ![decorative](...) if it adds nothing a reader needs\n"
              "content/guide/x.md:12:8: error: image '/img/dot.svg' has no alt text: describe what it shows in the "
              "brackets, or write ![decorative](...) if it adds nothing a reader needs\n"
              "content/guide/x.md:16:11: warning: alt text 'dot.svg' is only a file name: describe what the image "
              "shows\n"
              "content/guide/x.md:16:36: warning: alt text 'IMG_0042.JPG' is only a file name: describe what the "
              "image shows\n");
    CHECK(strstr(doc->html, "Decorative: <img src=\"/sub/img/dot.svg\" width=\"4\" height=\"2\" alt=\"\" "
                            "loading=\"lazy\" decoding=\"async\">") != NULL);
    CHECK(strstr(doc->html, "alt=\"A dot\"") != NULL);
    md_doc_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    img_store_free(st);
    config_free(cfg);
}

static void test_figures_and_escaping(void)
{
    config *cfg = images_config(960);
    img_store *st = img_store_new(root, cfg, false);
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render_with(st,
                              "![A \\\"dot\\\" 1 &lt; 2 & 3](../img/dot.svg \"Fig. 1: <small> & \\\"quoted\\\"\")\n\n"
                              "Inline ![A dot](/img/dot.svg \"A title\") in text.\n",
                              &dl);
    CHECK_INT(dl.len, 0);
    CHECK_STR(doc->html,
              "<figure>\n<img src=\"/sub/img/dot.svg\" width=\"4\" height=\"2\" alt=\"A &quot;dot&quot; 1 &lt; 2 &amp; 3\" "
              "loading=\"lazy\" decoding=\"async\">\n"
              "<figcaption>Fig. 1: &lt;small&gt; &amp; &quot;quoted&quot;</figcaption>\n</figure>\n"
              "<p>Inline <img src=\"/sub/img/dot.svg\" width=\"4\" height=\"2\" alt=\"A dot\" title=\"A title\" "
              "loading=\"lazy\" decoding=\"async\"> in text.</p>\n");
    md_doc_free(doc);
    /* Another site's image: cmark's escaping and its refusal of javascript:. */
    doc = render_with(st, "![A chart](https://example.com/a.png?x=1&y=2) ![Bad](javascript:alert(1))\n", &dl);
    CHECK_STR(doc->html, "<p><img src=\"https://example.com/a.png?x=1&amp;y=2\" alt=\"A chart\" loading=\"lazy\" "
                         "decoding=\"async\"> <img src=\"\" alt=\"Bad\" loading=\"lazy\" decoding=\"async\"></p>\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
    img_store_free(st);
    config_free(cfg);
}

static void test_paths(void)
{
    config *cfg = images_config(960);
    img_store *st = img_store_new(root, cfg, false);
    diag_list dl = DIAG_LIST_INIT;
    strbuf sb = STRBUF_INIT;
    md_doc *doc = render_with(st,
                              "![A dot](img/dot.svg)\n\n"
                              "![A dot](../../img/dot.svg)\n\n"
                              "![A dot](/img/gone.svg)\n\n"
                              "![A dot](/img/bad.png)\n",
                              &dl);
    CHECK_STR(fx_diags(&dl, &sb),
              "content/guide/x.md:10:1: error: image 'img/dot.svg': no such file (looked for "
              "assets/guide/img/dot.svg); did you mean /img/dot.svg?\n"
              "content/guide/x.md:12:1: error: image '../../img/dot.svg' leads outside assets/: write its path from "
              "the site root, e.g. /img/photo.png\n"
              "content/guide/x.md:14:1: error: image '/img/gone.svg': no such file (looked for assets/img/gone.svg)\n"
              "content/guide/x.md:16:1: error: image '/img/bad.png': assets/img/bad.png is not a PNG, JPEG, GIF, "
              "WebP or SVG image, or its header is damaged\n");
    md_doc_free(doc);
    diag_list_clear(&dl);
    strbuf_free(&sb);
    img_store_free(st);
    config_free(cfg);
}

#ifdef LUMBAR_HAVE_VIPS
static void test_picture(void)
{
    config *cfg = images_config(200);
    img_store *st = img_store_new(root, cfg, true);
    diag_list dl = DIAG_LIST_INIT;
    md_doc *doc = render_with(st, "![A band of colours](/img/wide.png)\n", &dl);
    CHECK_INT(dl.len, 0);
    CHECK(strstr(doc->html, "<p><picture><source type=\"image/webp\" srcset=\"/sub/img/wide-100w.webp 100w, "
                            "/sub/img/wide-200w.webp 200w, /sub/img/wide-300w.webp 300w\" sizes=\"(max-width: 200px) "
                            "100vw, 200px\"><img src=\"/sub/img/wide-200w.png\" srcset=\"/sub/img/wide-100w.png "
                            "100w, /sub/img/wide-200w.png 200w, /sub/img/wide-300w.png 300w\" sizes=\"(max-width: "
                            "200px) 100vw, 200px\" width=\"200\" height=\"60\" alt=\"A band of colours\"") != NULL);
    md_doc_free(doc);
    diag_list_clear(&dl);
    img_store_free(st);
    config_free(cfg);
}
#endif

int main(void)
{
    test_png_gif();
    test_jpeg();
    test_webp();
    test_svg();
    test_config();
    make_site();
    test_store_errors();
#ifdef LUMBAR_HAVE_VIPS
    test_store_resizes_and_caches();
    test_rebuild_keeps_copies();
#endif
    test_alt_rules();
    test_figures_and_escaping();
    test_paths();
#ifdef LUMBAR_HAVE_VIPS
    test_picture();
#endif
    output_remove_tree(root);
    TEST_END("images");
}
