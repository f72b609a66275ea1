# hayate: the two commands are `make run` and `make test`.
BUILD   ?= build
ASAN    ?= build-asan
FUZZB   ?= build-fuzz
JOBS    ?= $(shell nproc)
HAYATE  := $(BUILD)/hayate
DEMO    := demo

.PHONY: all deps build run test test-asan fuzz fuzz-smoke bench clean format lint

all: build

deps:
	@bash scripts/deps.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Generates demo traffic, runs the platform on it with the embedded SQLite
# store, prints what it stored, then serves the dashboard and API on the
# demo store at LISTEN until Ctrl-C (SERVE=0 stops after the listing).
LISTEN ?= 127.0.0.1:8080
SERVE  ?= 1
run: build
	@mkdir -p $(DEMO) && rm -f $(DEMO)/eve.json $(DEMO)/hayate.db*
	$(HAYATE) synth traffic --seed 7 --flows 2000 --packets 60000 -o $(DEMO)/traffic.pcap
	$(HAYATE) synth darknet --scenario demo --start 2024-01-01T01:00:00Z -o $(DEMO)/darknet.pcap
	@rm -rf $(DEMO)/samples && mkdir -p $(DEMO)/samples
	$(HAYATE) synth lineage --leaves 12 --bytes 8192 --seed 5 --out $(DEMO)/samples/lineage \
	  --truth $(DEMO)/lineage.nwk
	@{ cat $(DEMO)/samples/lineage/s0000; printf 'HAYATE-DEMO-DROPPER'; } >$(DEMO)/samples/dropper.bin
	$(HAYATE) synth alerts --seed 3 --days 2 --per-day 3000 -o $(DEMO)/alerts.json
	$(HAYATE) analyze --reports config/demo-reports --db $(DEMO)/hayate.db \
	  --format table
	$(HAYATE) run -c config/demo.conf --listen $(LISTEN)
	$(HAYATE) alerts --db $(DEMO)/hayate.db --summary
	@for e in darknet malware intel; do $(HAYATE) alerts --db $(DEMO)/hayate.db --format table \
	  --engine $$e || exit 1; done
	$(HAYATE) screen -n 12 $(DEMO)/alerts.json
ifneq ($(SERVE),0)
	@echo "hayate: open http://$(LISTEN)/ for the dashboard (Ctrl-C stops serving)"
	$(HAYATE) run --db $(DEMO)/hayate.db --listen $(LISTEN) --darknet 198.18.0.0/15 \
	  -s models.dir=$(DEMO)/models
endif

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DHY_SANITIZE=ON
	cmake --build $(ASAN) -j $(JOBS)
	cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ctest --output-on-failure -j $(JOBS)

fuzz: deps
	CC=clang cmake -S . -B $(FUZZB) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHY_FUZZ=ON
	cmake --build $(FUZZB) -j $(JOBS)

# Each fuzz target for FUZZ_SECONDS on its seed corpus (CI smoke run).
FUZZ_SECONDS ?= 20
fuzz-smoke: fuzz
	@bash fuzz/smoke.sh $(FUZZB) $(FUZZ_SECONDS)

bench: build
	@bash scripts/deps.sh --bench
	@bash bench/flows.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	  --suppress=missingIncludeSystem -I include -I lib lib cli

clean:
	rm -rf $(BUILD) $(ASAN) $(FUZZB) $(DEMO)
