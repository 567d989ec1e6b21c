# Fuzzing: libFuzzer targets tests/fuzz/fuzz_NAME.c, included by the Makefile.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="template markdown"] [FUZZ_JOBS=1]
#
# Builds the library with clang, ASan and UBSan into build/fuzz-lib/, links
# each target with libFuzzer into build/fuzz/, and runs it for FUZZ_SECONDS
# on a work copy of its seeds (build/fuzz/work/NAME: build/fuzz/seeds/NAME,
# written by tests/fuzz/make-corpus.py from the repository's own inputs,
# plus tests/fuzz/regressions/NAME, growing as the fuzzer finds new paths).
# A crash, leak, timeout or broken property fails the run and leaves the
# input in build/fuzz/artifacts/NAME/; tests/fuzz/run-fuzz.sh says which.
#
# `make check` also links every target with tests/fuzz/replay_main.c against
# $(BUILD)/liblumbar.a (so under check-asan they carry ASan too) into
# $(BUILD)/fuzz-replay/, and tests/suite-fuzz-replay.sh replays every seed
# and regression input through them.

FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_CC ?= clang
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/fuzz_%.c=%)
FUZZ_TARGETS ?= $(FUZZ_NAMES)
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_LIB = build/fuzz-lib/liblumbar.a
FUZZ_BIN = $(FUZZ_NAMES:%=build/fuzz/fuzz_%)
FUZZ_DEPS = tests/fuzz/fuzz.h $(HEADERS)
REPLAY_BIN = $(FUZZ_NAMES:%=$(BUILD)/fuzz-replay/fuzz_%)

# The library, instrumented for coverage; its own make keeps it up to date.
fuzz-lib:
	$(MAKE) BUILD=build/fuzz-lib CC=$(FUZZ_CC) \
	  CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" $(FUZZ_LIB)

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_DEPS) fuzz-lib
	@mkdir -p $(@D)
	$(FUZZ_CC) $(WARN) $(DEFS) $(PKG_CFLAGS) -Isrc -Itests/fuzz -O1 -g $(FUZZ_SAN) -fsanitize=fuzzer \
	  -o $@ $< $(FUZZ_LIB) $(LIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: fuzz-build
	FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-fuzz.sh $(FUZZ_TARGETS)

# Replay binaries: the same targets with a plain main(), built like the unit tests.
$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_DEPS) $(BUILD)/liblumbar.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c $(BUILD)/liblumbar.a $(LIBS) $(LDFLAGS)

fuzz-replay-build: $(REPLAY_BIN)

check: $(REPLAY_BIN)

.PHONY: fuzz fuzz-lib fuzz-build fuzz-replay-build
