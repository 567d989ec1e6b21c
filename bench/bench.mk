# make bench: timings, never part of make check.
#   ../shared/bench/compare-hugo at 1,000 and 10,000 articles (100,000 with
#   BENCH_LARGE=1), a no-change rebuild check, and the dev server's
#   edit-to-reload latency, and loading maps of a million keys. Hugo and cmark come from make deps.
bench: lumbar
	python3 $(BENCH_DIR)/compare-hugo -n 1000 --lumbar $(CURDIR)/$(BUILD)/lumbar
	python3 $(BENCH_DIR)/compare-hugo -n 10000 --lumbar $(CURDIR)/$(BUILD)/lumbar
	@if [ -n "$(BENCH_LARGE)" ]; then \
	  python3 $(BENCH_DIR)/compare-hugo -n 100000 -r 1 --lumbar $(CURDIR)/$(BUILD)/lumbar; fi
	LUMBAR=$(CURDIR)/$(BUILD)/lumbar BENCH_DIR=$(BENCH_DIR) bench/no-change-rebuild
	LUMBAR=$(CURDIR)/$(BUILD)/lumbar BENCH_DIR=$(BENCH_DIR) python3 bench/serve-latency
	LUMBAR=$(CURDIR)/$(BUILD)/lumbar python3 bench/map-keys

.PHONY: bench
