# Fuzzing: libFuzzer targets tests/fuzz/fuzz_NAME.c, included by the Makefile.
#
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="template markdown"] [FUZZ_JOBS=1]
#   make fuzz-long [FUZZ_LONG_SECONDS=300] [FUZZ_JOBS=1]    every target, 5 min each
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

# Nightly-style: every target for FUZZ_LONG_SECONDS (at least 5 minutes
# each; 30 minutes in all with one job, 15 with FUZZ_JOBS=2). Not part of
# `make check` nor of CI.
FUZZ_LONG_SECONDS ?= 300
fuzz-long: fuzz-build
	@test "$(FUZZ_LONG_SECONDS)" -ge 300 || { echo "fuzz-long: FUZZ_LONG_SECONDS must be at least 300"; exit 2; }
	FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) tests/fuzz/run-fuzz.sh $(FUZZ_NAMES)

# Replay binaries: the same targets with a plain main(), built like the unit tests.
$(BUILD)/fuzz-replay/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay_main.c $(FUZZ_DEPS) $(BUILD)/liblumbar.a
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -DFUZZ_REPLAY -Itests/fuzz -o $@ $< tests/fuzz/replay_main.c $(BUILD)/liblumbar.a $(LIBS) $(LDFLAGS)

fuzz-replay-build: $(REPLAY_BIN)

check: $(REPLAY_BIN)

.PHONY: fuzz fuzz-long fuzz-lib fuzz-build fuzz-replay-build
