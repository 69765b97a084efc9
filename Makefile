# Raati: the two commands.
#   make run   installs missing Debian packages, builds, serves the demo on :8080
#   make test  installs what tests need, builds with sanitizers, runs every test
# `make bench` measures speed on the release build; it is not part of `make test`.

BUILD_PACKAGES := cmake gcc make pkg-config libwebsockets-dev libsqlite3-dev \
                  libcmark-dev libsodium-dev libjansson-dev libcurl4-openssl-dev tzdata
TEST_PACKAGES  := chromium sqlite3 fonts-dejavu-core
JOBS := $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test build build-asan deps test-deps unit protocol e2e bench clean

# Installs the Debian packages in $(1) that are missing (as root, or with sudo).
define apt_ensure
	@missing=$$(for p in $(1); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; \
	  done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call apt_ensure,$(BUILD_PACKAGES))

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j$(JOBS)

run: build
	./build/raati serve --demo

test-deps: deps
	$(call apt_ensure,$(TEST_PACKAGES) $(if $(shell command -v node),,nodejs npm))
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
	  { echo "make test needs Node.js 20 or newer (found $$(node --version)): install a newer nodejs package"; exit 1; }
	@if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --no-audit --no-fund; \
	fi

build-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DRAATI_SANITIZE=ON >/dev/null
	cmake --build build-asan -j$(JOBS)

export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:exitcode=86
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

unit: build-asan
	cd build-asan && ctest --output-on-failure

protocol: build-asan
	RAATI_BIN=$(CURDIR)/build-asan/raati node --test tests/protocol/

e2e: build-asan test-deps
	RAATI_BIN=$(CURDIR)/build-asan/raati node --test tests/e2e/

test: test-deps build-asan
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory protocol
	$(MAKE) --no-print-directory e2e

bench: build test-deps
	RAATI_BIN=$(CURDIR)/build/raati node bench/topic_page.mjs
	RAATI_BIN=$(CURDIR)/build/raati node bench/survey_results.mjs

clean:
	rm -rf build build-asan
