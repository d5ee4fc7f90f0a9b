# Pipewright — the two commands for a fresh machine are `make demo` and `make test`.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
JOBS ?= 2
BUILD_TYPE ?= RelWithDebInfo
FUZZ_SECONDS ?= 45
PREFIX ?= /usr/local
CMAKE_FLAGS ?=

.PHONY: all deps configure build demo test test-asan bench fuzz format install clean

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD_DIR)/src/pipewright/cli/pipewright

# CI (CI=true) also gives each fuzz target a short run before the tests.
test: build
ifeq ($(CI),true)
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_SECONDS)
endif
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DPW_SANITIZE=address,undefined \
	  -DPW_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  ctest --output-on-failure -j $(JOBS)

bench: build
	@bench/run.sh $(BUILD_DIR)

fuzz: deps
	@scripts/fuzz.sh $(FUZZ_SECONDS)

format: deps
	@git ls-files --cached --others --exclude-standard -- '*.h' '*.cc' | xargs -r clang-format -i

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) build-fuzz
