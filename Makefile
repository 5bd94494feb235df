# The commands the README names. CMake does the building; this file only
# strings the steps together and installs what is missing first.
#   make run    build, then run the daemon on its embedded default (the local
#               node_exporter and itself; models in ./opsbox.db); Ctrl-C stops it
#   make test   unit + end-to-end tests, normal and ASan/UBSan builds, a TSan build
#               of the threaded tests, bounded fuzzing
#   make tsan   every unit + end-to-end test in a ThreadSanitizer build
#   make bench  speed, state size, NAB score, Loghub accuracy, log lines/s, alerts/s
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
# Fuzz targets run two at a time (each is one process on one core): the 20 s
# each then cost half the wall time in make test.
FUZZ_JOBS ?= 2
FUZZ_TARGETS = series_csv logs miner_state expfmt config webhook loki smart remote_write prices junit ci_log cfgread num mbox mime key

.PHONY: all build run test test-asan test-tsan tsan fuzz bench clean

all: build

build:
	@scripts/install-deps.sh build
	cmake -S . -B build -DOPSBOX_TESTS=OFF >/dev/null
	cmake --build build -j$(JOBS)

run: build
	@scripts/install-deps.sh run
	@scripts/start-node-exporter.sh
	build/opsbox serve

test:
	@scripts/install-deps.sh test
	cmake -S . -B build-test -DOPSBOX_TESTS=ON >/dev/null
	cmake --build build-test -j$(JOBS)
	cd build-test && ctest --output-on-failure
	$(MAKE) test-asan test-tsan fuzz

test-asan:
	cmake -S . -B build-asan -DOPSBOX_TESTS=ON -DOPSBOX_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ctest --output-on-failure

# ThreadSanitizer: a race fails the test (exit code 66); the slower build's
# longer waits and time limits are set in tests/CMakeLists.txt.
# make test runs the tests whose code starts threads: every test that runs
# `opsbox serve` (its scrape, query, remote-write, tracker, alerts, disk,
# prices and CI threads and libmicrohttpd's thread per connection), the
# store's unit test (a second writer thread) and the same on PostgreSQL
# (store_pg.c's connection lock). The other tests run the single-threaded
# commands (detect, logs, config, ci, mail, the capability libraries' unit
# tests): a race needs two threads, so TSan would find nothing there that
# ASan/UBSan does not already check. cli_disk and cli_prices also start the
# daemon, but for one part each, whose threads serve_e2e and
# ci_serve_e2e/alerts_e2e start too. make tsan runs every test.
# TSAN_TARGETS: every executable a TSAN_TESTS test names by $<TARGET_FILE:...>
# in tests/CMakeLists.txt (a test whose helper is not built fails).
TSAN_TESTS = serve_e2e|reload_e2e|alerts_e2e|web_e2e|query_e2e|webconfig_e2e|metrics_config_e2e|journal_e2e|ci_serve_e2e|serve_start_fail|pg_e2e|pg_shard_e2e|pg_flush_e2e|metrics_expo_e2e|test_store|test_store_pg
TSAN_TARGETS = opsbox loki_pb_push ingest_load rw_push test_store
TSAN_OPTIONS_ALL = exitcode=66 second_deadlock_stack=1
# gcc 12's TSan runtime aborts ("unexpected memory mapping") on kernels whose
# vm.mmap_rnd_bits is above 28 (32 on some newer distributions); setarch -R
# (util-linux, always on Debian) turns address randomisation off for the
# tests alone.
NO_ASLR = setarch $(shell uname -m) -R
test-tsan:
	cmake -S . -B build-tsan -DOPSBOX_TESTS=ON -DOPSBOX_TSAN=ON >/dev/null
	cmake --build build-tsan -j$(JOBS) --target $(TSAN_TARGETS)
	cd build-tsan && TSAN_OPTIONS="$(TSAN_OPTIONS_ALL)" $(NO_ASLR) ctest --output-on-failure -R '^($(TSAN_TESTS))$$'

tsan:
	@scripts/install-deps.sh test
	cmake -S . -B build-tsan -DOPSBOX_TESTS=ON -DOPSBOX_TSAN=ON >/dev/null
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS="$(TSAN_OPTIONS_ALL)" $(NO_ASLR) ctest --output-on-failure

fuzz:
	CC=clang cmake -S . -B build-fuzz -DOPSBOX_TESTS=OFF -DOPSBOX_SANITIZE=ON -DOPSBOX_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j$(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	printf '%s\n' $(FUZZ_TARGETS) | xargs -P$(FUZZ_JOBS) -I{} sh -c 'mkdir -p build-fuzz/corpus/{} && \
	    if build-fuzz/tests/fuzz/fuzz_{} -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=2048 \
	        build-fuzz/corpus/{} tests/fuzz/corpus/{} >build-fuzz/fuzz_{}.log 2>&1; \
	    then echo "fuzz_{}: $$(tail -1 build-fuzz/fuzz_{}.log)"; \
	    else cat build-fuzz/fuzz_{}.log; echo "FAIL fuzz_{} (build-fuzz/fuzz_{}.log)"; exit 1; fi'

bench: build
	@scripts/install-deps.sh bench
	build/bench/bench_detector
	build/bench/bench_synthetic
	bench/nab.sh build/opsbox
	bench/kpi.py build/opsbox
	bench/detect_speed.sh build/opsbox
	bench/loghub.sh build/opsbox
	bench/logs_speed.sh build/opsbox
	bench/serve_load.sh build/opsbox
	bench/alerts_load.sh build/opsbox build/bench/webhook_load
	bench/web_load.sh build/opsbox
	bench/disk.sh build/opsbox
	bench/ingest.sh build/opsbox
	bench/pad.sh build/opsbox
	bench/prices.sh build/opsbox
	bench/prices_forecast_cv.py build/opsbox
	bench/ci.sh build/opsbox
	bench/config.sh build/opsbox
	bench/mail.sh build/opsbox

clean:
	rm -rf build build-test build-asan build-tsan build-fuzz
