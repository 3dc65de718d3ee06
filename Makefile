# custos — two commands do everything on a fresh Debian machine:
#   make scan   installs what is missing, builds in release mode, scans fixtures/ (or TARGET=DIR)
#   make test   installs what is missing, then runs the whole test suite (and dist/test-dist.sh)
#   make dist   dist/out/custos-VERSION-linux-x86_64.tar.gz: runs without Swift (static stdlib, bundled libraries)
#   make deb    dist/out/custos_VERSION_amd64.deb from the same build
SWIFT ?= swift
TARGET ?= fixtures
# What building and scanning need, and what only the tests add (SARIF schema validation,
# the report's headless-browser check).
BUILD_PACKAGES := libgit2-dev libvectorscan-dev libpcre2-dev libsqlite3-dev libarchive-dev zlib1g-dev pkg-config git
# What the self-contained archive and the .deb add (run paths, symbol versions).
DIST_PACKAGES := $(BUILD_PACKAGES) patchelf binutils
TEST_PACKAGES := $(DIST_PACKAGES) python3 python3-jsonschema chromium pre-commit postgresql
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN := .build/release/custos

.PHONY: deps dist-deps test-deps build scan test dist deb test-dist fuzz bench bench-core bench-git bench-sweep bench-hostile clean

# install-missing PACKAGES: apt-get installs only what dpkg does not already have.
define install-missing
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "custos: installing$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi
endef

deps:
	$(call install-missing,$(BUILD_PACKAGES))

dist-deps:
	$(call install-missing,$(DIST_PACKAGES))

test-deps:
	$(call install-missing,$(TEST_PACKAGES))

build: deps
	$(SWIFT) build -c release --product custos

# Exit status 1 only means "findings": that is what a scan of the fixtures should show.
scan: build
	@$(RELEASE_BIN) scan $(TARGET); status=$$?; [ $$status -le 1 ] || exit $$status

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	DIST_CONFIG=debug SWIFT=$(SWIFT) bash dist/test-dist.sh

# Release builds (static Swift standard library, in .build-dist-release); DIST_CONFIG=debug for a quick one.
dist: dist-deps
	SWIFT=$(SWIFT) bash dist/make-archive.sh

deb: dist-deps
	SWIFT=$(SWIFT) bash dist/make-deb.sh

# The archive and the .deb checked with the toolchain hidden (release unless DIST_CONFIG=debug).
test-dist: test-deps
	SWIFT=$(SWIFT) bash dist/test-dist.sh

# Each libFuzzer target (Fuzz/) for FUZZ_SECONDS (default 600); prints inputs, crashes,
# timeouts, out-of-memory kills and peak RSS per target. `make test` runs the same targets
# briefly without a sanitizer.
FUZZ_SECONDS ?= 600
fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Fuzz/run.sh

bench: build
	bash bench/run.sh
	bash bench/git_bench.sh
	bash bench/sweep_bench.sh

bench-core: build
	bash bench/run.sh

bench-git: build
	bash bench/git_bench.sh

bench-sweep: build
	bash bench/sweep_bench.sh

bench-hostile: build
	bash bench/hostile_bench.sh

clean:
	rm -rf .build .build-dist-debug .build-dist-release dist/out
