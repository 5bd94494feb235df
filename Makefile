# The commands the README names. CMake does the building; this file only
# strings the steps together and installs what is missing first.
#   make run    build, then run the daemon on its embedded default (the local
#               node_exporter and itself; models in ./opsbox.db); Ctrl-C stops it
#   make test   unit + end-to-end tests, normal and ASan/UBSan builds, bounded fuzzing
#   make tsan   unit + end-to-end tests in a ThreadSanitizer build (not in make test)
#   make bench  speed, state size, NAB score, Loghub accuracy, log lines/s, alerts/s
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 20
FUZZ_TARGETS = series_csv logs miner_state expfmt config webhook loki smart remote_write prices junit ci_log cfgread num mbox mime key

.PHONY: all build run test test-asan tsan fuzz bench clean

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
	$(MAKE) test-asan fuzz

test-asan:
	cmake -S . -B build-asan -DOPSBOX_TESTS=ON -DOPSBOX_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)
	cd build-asan && ctest --output-on-failure

# ThreadSanitizer: a race fails the test (exit code 66); the slower build's
# longer waits and time limits are set in tests/CMakeLists.txt.
tsan:
	@scripts/install-deps.sh test
	cmake -S . -B build-tsan -DOPSBOX_TESTS=ON -DOPSBOX_TSAN=ON >/dev/null
	cmake --build build-tsan -j$(JOBS)
	cd build-tsan && TSAN_OPTIONS="exitcode=66 second_deadlock_stack=1" ctest --output-on-failure

fuzz:
	CC=clang cmake -S . -B build-fuzz -DOPSBOX_TESTS=OFF -DOPSBOX_SANITIZE=ON -DOPSBOX_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j$(JOBS) --target $(addprefix fuzz_,$(FUZZ_TARGETS))
	for t in $(FUZZ_TARGETS); do \
	    mkdir -p build-fuzz/corpus/$$t && \
	    build-fuzz/tests/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -max_len=65536 \
	        -rss_limit_mb=2048 build-fuzz/corpus/$$t tests/fuzz/corpus/$$t || exit 1; \
	done

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
