/* serve: `lumbar serve`, a development server with live reload.
 *
 * Builds the site into a private output folder, serves it over HTTP with
 * libmicrohttpd, watches config.ini, content/, layouts/ and assets/ with
 * inotify, rebuilds on change (debounced), and tells open pages to reload
 * through Server-Sent Events. The reload snippet is added to HTML responses
 * of this server only, never to files on disk. A failed rebuild keeps the
 * last good site and shows the diagnostics as an overlay in the page.
 * Requests whose Host header names another server get 421 (DNS
 * rebinding); each client address may hold a few connections, and idle
 * ones are closed.
 *
 * serve_run blocks until SIGINT or SIGTERM. It reports through the
 * caller's callbacks rather than printing, so main.c stays the only module
 * that prints. */
#ifndef LUMBAR_SERVE_H
#define LUMBAR_SERVE_H

#include <stdbool.h>

#include "build.h"
#include "diag.h"

typedef struct serve_options {
    build_options build;  /* site_dir, base_url, drafts, jobs...; out_dir is chosen by serve */
    const char *bind;     /* default "127.0.0.1" */
    int port;             /* default 1313; 0 picks a free port */
    /* Called after every build with its diagnostics and outcome. */
    void (*on_build)(void *ctx, bool ok, const build_stats *stats, const diag_list *diags);
    /* Called once the server listens, with the URL it serves. */
    void (*on_listen)(void *ctx, const char *url);
    /* Called for a problem that is not a build diagnostic (e.g. the port is taken). */
    void (*on_error)(void *ctx, const char *message);
    void *ctx;
} serve_options;

/* Serves until interrupted. Returns 0 after a clean stop, 1 when the server
 * could not start. */
int serve_run(const serve_options *opts);

#endif
