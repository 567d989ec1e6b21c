# lumbar: a static-site generator for evidence-based back-pain content.
#
#   make            build ./lumbar
#   make site       build the bundled site into public/
#   make check      run every test; ends with "N passed, N failed"
#   make deps       install what building and testing need (Debian 12)
#   make install    PREFIX=/usr/local DESTDIR=
#   make check-asan / check-valgrind / fuzz / bench
.SUFFIXES:

# libvips resizes large images (src/images.c); without it (pkg-config finds
# no vips) lumbar still builds and keeps images at their original size.
# Only its headers are used at build time: lumbar loads the library with
# dlopen when an image first needs resizing, since linking it (and the
# hundred libraries it needs) costs every build, images or not, ~70
# million instructions in the dynamic loader.
HAVE_VIPS = $(shell pkg-config --exists vips 2>/dev/null && echo yes)
PKGS     = libcmark-gfm yaml-0.1 inih libmicrohttpd
CC      ?= cc
CFLAGS  ?= -O2 -g
BUILD   ?= build
PREFIX  ?= /usr/local
SPEC_DIR ?= ../shared/conformance/mustache-spec
BENCH_DIR ?= ../shared/bench

WARN     = -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes -Wmissing-prototypes
VERSION  = 0.1.0
DEFS     = -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -DLUMBAR_VERSION=\"$(VERSION)\" $(if $(HAVE_VIPS),-DLUMBAR_HAVE_VIPS)
# Expanded when a recipe runs, not when make reads this file, so that
# `make deps site` on a fresh machine sees the packages deps installed.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(if $(HAVE_VIPS),vips) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
ALL_CFLAGS = $(WARN) $(DEFS) $(PKG_CFLAGS) -Isrc $(CFLAGS)
LIBS       = $(PKG_LIBS) -lpthread -lm
# The lumbar binary links jemalloc when pkg-config finds it: a build makes
# hundreds of thousands of small allocations on several threads, and
# jemalloc takes about 7% off its CPU time (docs/benchmarks.md). Without
# it the C library's malloc serves. Sanitizer and valgrind builds set
# MALLOC_PKG= so that the allocator those tools replace is the one in use.
MALLOC_PKG ?= jemalloc
MALLOC_LIBS = $(if $(MALLOC_PKG),$(shell pkg-config --libs $(MALLOC_PKG) 2>/dev/null))

LIB_SRC  = $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/obj/%.o)
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
HEADERS  = $(wildcard src/*.h) tests/harness.h tests/fixture.h
# Each object records the headers it includes (-MMD -MP) so that a header
# change rebuilds exactly what uses it.
DEPFILES = $(LIB_OBJ:.o=.d) $(BUILD)/obj/main.d $(UNIT_BIN:%=%.d)

all: lumbar

lumbar: $(BUILD)/lumbar
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/lumbar lumbar; fi

$(BUILD)/lumbar: $(BUILD)/obj/main.o $(BUILD)/liblumbar.a
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/obj/main.o $(BUILD)/liblumbar.a $(LIBS) $(MALLOC_LIBS) $(LDFLAGS)

$(BUILD)/liblumbar.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $(LIB_OBJ)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/liblumbar.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -MMD -MP -MF $@.d -o $@ $< $(BUILD)/liblumbar.a $(LIBS) $(LDFLAGS)

-include $(DEPFILES)

site: lumbar
	$(BUILD)/lumbar build

# Every suite prints "NAME: N passed, N failed"; tests/run-suites adds them up.
# Script suites are the executable tests/suite-*.sh files; each gets the
# binary under test in $$LUMBAR.
# Test shims are loaded with LD_PRELOAD, so they are built without sanitizers.
$(BUILD)/tests/no-exchange.so: tests/shims/no-exchange.c
	@mkdir -p $(@D)
	$(CC) $(WARN) -O1 -shared -fPIC -o $@ $<

SUITE_ENV = LUMBAR=$(CURDIR)/$(BUILD)/lumbar BUILD=$(BUILD) SPEC_DIR=$(SPEC_DIR) RUNNER="$(RUNNER)"

check: lumbar $(UNIT_BIN) $(BUILD)/tests/no-exchange.so
	@$(SUITE_ENV) tests/run-suites $(UNIT_BIN:%='$$RUNNER %') $(wildcard tests/suite-*.sh)

# The edit-test loop: unit tests, golden sites and error cases, the command
# line. Not a substitute for `make check`, which CI and the README run.
check-quick: lumbar $(UNIT_BIN) $(BUILD)/tests/no-exchange.so
	@$(SUITE_ENV) tests/run-suites $(UNIT_BIN:%='$$RUNNER %') tests/suite-sites.sh tests/suite-cli.sh

# Every source file with warnings as errors, under gcc and clang (CI).
check-werror:
	$(MAKE) BUILD=build/werror-gcc CC=gcc CFLAGS="-O2 -g -Werror" $(UNIT_BIN:$(BUILD)/%=build/werror-gcc/%) build/werror-gcc/lumbar
	$(MAKE) BUILD=build/werror-clang CC=clang CFLAGS="-O2 -g -Werror" $(UNIT_BIN:$(BUILD)/%=build/werror-clang/%) build/werror-clang/lumbar

# The sanitizer build runs scan.c's portable eight-byte code (check and
# check-valgrind run the SSE2 code on x86-64), so both are tested.
check-asan:
	$(MAKE) BUILD=build/asan CC=clang MALLOC_PKG= \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -DLUMBAR_PORTABLE_SCAN" \
	  LDFLAGS="-fsanitize=address,undefined" check

# VIPS_NOVECTOR: libvips's run-time generated SIMD code (orc) is beyond
# what valgrind can follow, and it reports reads there that are not errors.
check-valgrind:
	$(MAKE) BUILD=build/valgrind CFLAGS="-O1 -g" MALLOC_PKG= \
	  RUNNER="env VIPS_NOVECTOR=1 valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-fds=no" check

# Node.js is only installed from Debian when no npm is present: a NodeSource
# nodejs already carries npm and conflicts with Debian's npm package.
deps:
	@SUDO=; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$SUDO apt-get update -qq && \
	$$SUDO apt-get install -y -qq --no-install-recommends build-essential clang pkg-config \
	  libcmark-gfm-dev libcmark-gfm-extensions-dev libyaml-dev libinih-dev libmicrohttpd-dev libvips-dev libjemalloc-dev libclang-rt-14-dev \
	  libxml2-utils curl valgrind chromium cmark hugo python3 python3-yaml groff-base >/dev/null && \
	{ command -v npm >/dev/null || $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	@node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)' || { \
	  echo "make deps: the browser tests need Node.js 20 or newer (playwright-core, html-validate);"; \
	  echo "this is $$(node --version). Debian 12's own nodejs is 18: install a newer one first."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error

install: lumbar
	mkdir -p $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	cp $(BUILD)/lumbar $(DESTDIR)$(PREFIX)/bin/lumbar
	chmod 755 $(DESTDIR)$(PREFIX)/bin/lumbar
	if [ -f docs/lumbar.1 ]; then cp docs/lumbar.1 $(DESTDIR)$(PREFIX)/share/man/man1/lumbar.1; fi

clean:
	rm -rf build lumbar tests/out public .public.lumbar-staging .public.lumbar-staging.old .lumbar-cache tests/sites/*/.lumbar-cache

.PHONY: all lumbar site check check-quick check-werror check-asan check-valgrind deps install clean regen-golden

# Rewrites tests/sites/*/expected and tests/errors/*/expected from the
# current binary: review the diff before committing it.
regen-golden: lumbar
	LUMBAR=$(CURDIR)/$(BUILD)/lumbar REGEN=1 tests/suite-sites.sh

# Fuzzing (tests/fuzz/fuzz.mk) and benchmarks (bench/bench.mk) keep their
# rules beside their sources.
-include tests/fuzz/fuzz.mk
-include bench/bench.mk
