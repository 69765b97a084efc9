# Raati: the two commands.
#   make run   installs missing Debian packages, builds, serves the demo on :8080
#   make test  installs what tests need, builds with sanitizers, runs every test
# `make bench` measures speed on the release build; `make test` runs only its
# smoke pass (every workload at tiny sizes, no figures asserted).

BUILD_PACKAGES := cmake gcc make pkg-config libwebsockets-dev libsqlite3-dev \
                  libcmark-dev libsodium-dev libjansson-dev libcurl4-openssl-dev tzdata
TEST_PACKAGES  := chromium sqlite3 fonts-dejavu-core wrk
JOBS := $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test build build-asan deps test-deps nginx-deps unit protocol e2e bench bench-smoke clean

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

# nginx is only the benchmarks' reference (bench/run.mjs runs its own with a
# generated config). Debian's package starts a system nginx on port 80 when
# it is installed; when `make` installed it, that service is stopped and
# disabled again. An nginx installed before is left alone.
nginx-deps:
	@if ! dpkg-query -W -f='$${Status}\n' nginx 2>/dev/null | grep -q "install ok installed"; then \
	  echo "Installing Debian package: nginx (the benchmarks' reference web server)"; \
	  sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends nginx || exit 1; \
	  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet nginx 2>/dev/null; then \
	    echo "Stopping and disabling the nginx service the package started"; \
	    $$sudo systemctl disable --now nginx >/dev/null 2>&1 || true; \
	  fi; \
	fi

deps:
	$(call apt_ensure,$(BUILD_PACKAGES))

build: deps
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build build -j$(JOBS)

run: build
	./build/raati serve --demo

test-deps: deps nginx-deps
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
	$(MAKE) --no-print-directory bench-smoke

# Every benchmark workload at tiny sizes on the sanitizer build: fails if one
# breaks, asserts nothing about speed.
bench-smoke: build-asan test-deps
	RAATI_BIN=$(CURDIR)/build-asan/raati node bench/run.mjs --smoke

# bench/run.mjs runs last: its five workloads (about 5 minutes on 2 cores)
# end with one table of every figure against its target.
bench: build test-deps
	RAATI_BIN=$(CURDIR)/build/raati node bench/topic_page.mjs
	RAATI_BIN=$(CURDIR)/build/raati node bench/survey_results.mjs
	RAATI_BIN=$(CURDIR)/build/raati node bench/run.mjs --json build/bench-results.json

clean:
	rm -rf build build-asan
