# A thin wrapper over CMake: each target installs what is missing, configures
# its build directory once and builds in it. Nothing here that CMake or the
# scripts/ could not do on their own.
#
#   make up        Release build in build/, then run the all-in-one host
#   make test      clang + ASan/UBSan + fuzzers in build-test/, every test
#   make fuzz      every fuzz target for SKIFF_FUZZ_SECONDS (default 300) each
#   make bench     Release build, then every benchmark in build/bench/
#   make install   PREFIX=/usr/local (default)
#   make clean     removes build/ and build-test/

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

BUILD ?= build
TEST_BUILD ?= build-test
PREFIX ?= /usr/local
CONFIG ?= examples/all-in-one.yaml
# `make up` keeps its state inside the build tree so it needs no root and
# `make clean` wipes it; skiff run alone defaults to /var/lib/skiff.
DATA_DIR ?= $(BUILD)/data
SKIFF_FUZZ_SECONDS ?= 300
TEST_TIMEOUT ?= 600
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

export ASAN_OPTIONS ?= detect_leaks=1:halt_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS ?= halt_on_error=1:print_stacktrace=1
export LSAN_OPTIONS ?= report_objects=1

.PHONY: all up build test test-build fuzz bench install clean deps

all: build

deps:
	scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DSKIFF_TESTS=OFF

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

up: build
	mkdir -p $(DATA_DIR)
	@echo "skiff: running $(CONFIG) with data in $(DATA_DIR); Ctrl-C stops it"
	$(BUILD)/bin/skiff run -c $(CONFIG) --data-dir $(DATA_DIR)

$(TEST_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_C_COMPILER=clang \
	  -DSKIFF_SANITIZE=ON -DSKIFF_FUZZ=ON -DSKIFF_TESTS=ON

test-build: deps $(TEST_BUILD)/CMakeCache.txt
	cmake --build $(TEST_BUILD) -j $(JOBS)

test: test-build
	cd $(TEST_BUILD) && ctest --output-on-failure -j 2 --timeout $(TEST_TIMEOUT)

fuzz: test-build
	scripts/fuzz.sh $(TEST_BUILD) $(SKIFF_FUZZ_SECONDS)

bench: build
	@shopt -s nullglob; ran=0; \
	for b in $(BUILD)/bench/*; do \
	  [[ -f $$b && -x $$b ]] || continue; \
	  echo "== $$b"; "$$b"; ran=1; \
	done; \
	[[ $$ran == 1 ]] || echo "bench: no benchmarks built in $(BUILD)/bench"

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
