# custos — two commands do everything on a fresh Debian machine:
#   make scan   installs what is missing, builds in release mode, scans fixtures/ (or TARGET=DIR)
#   make test   installs what is missing, then runs the whole test suite
SWIFT ?= swift
TARGET ?= fixtures
APT_PACKAGES := libgit2-dev libvectorscan-dev libpcre2-dev libsqlite3-dev pkg-config python3-jsonschema python3 git chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
RELEASE_BIN := .build/release/custos

.PHONY: deps build scan test bench bench-git bench-sweep clean

deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "custos: installing$$missing"; \
	  $(SUDO) apt-get update && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y $$missing; \
	fi

build: deps
	$(SWIFT) build -c release --product custos

# Exit status 1 only means "findings": that is what a scan of the fixtures should show.
scan: build
	@$(RELEASE_BIN) scan $(TARGET); status=$$?; [ $$status -le 1 ] || exit $$status

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: build
	bash bench/run.sh
	bash bench/git_bench.sh

bench-git: build
	bash bench/git_bench.sh

bench-sweep: build
	bash bench/sweep_bench.sh

clean:
	rm -rf .build
