# EWS Connector. The two commands: `make run` (development setup) and `make test` (every test).
# Both check for the Debian packages they need and install them with apt-get when run as root.

GO        ?= go
VERSION   := $(shell sed -n 's:.*<version>\(.*\)</version>.*:\1:p' appinfo/info.xml | head -n 1)
LDFLAGS   := -X github.com/ewsconnector/ews_connector/internal/app.Version=$(VERSION)
# Debian packages: PostgreSQL server binaries (initdb, postgres) for the private test/dev cluster,
# xmllint for the XML validation tests, Radicale as an independent CalDAV/CardDAV server for the
# DAV client tests, Chromium for the browser tests. Node.js and npm are added only when the
# commands are missing (a NodeSource nodejs bundles its own npm, which Debian's npm would clash with).
DEB_PKGS  ?= postgresql libxml2-utils radicale chromium
# RACE=1 runs the tests with the race detector (needs cgo and gcc).
RACE      ?=
FUZZTIME  ?= 10s
TESTFLAGS ?= -count=1 -shuffle=on -timeout=5m

.PHONY: all build deps test run bench lint generate generate-tz fuzz docker clean help frontend

all: lint test build

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

build: ## build bin/ews-connector
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/ews-connector ./cmd/ews-connector

deps: ## install missing Debian packages (apt-get, only as root)
	@missing=""; \
	if command -v dpkg-query >/dev/null 2>&1; then \
	  for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	  done; \
	fi; \
	if ! { command -v node && command -v npm; } >/dev/null 2>&1; then missing="$$missing nodejs npm"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "make: installing$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	  else \
	    echo "make: missing Debian packages:$$missing (run as root, or: sudo apt-get install$$missing)"; \
	  fi; \
	fi

test: deps ## run every test; PostgreSQL tests start their own private cluster (or use TEST_DATABASE_URL)
	$(GO) test $(if $(RACE),-race) $(TESTFLAGS) ./...
	$(GO) test $(if $(RACE),-race) $(TESTFLAGS) -tags ewssim ./internal/ews/

run: deps ## private PostgreSQL under .run/, fake Nextcloud, simulated Exchange, the app (DEV_FLAGS="-nextcloud 127.0.0.1:8081")
	$(GO) run -ldflags "$(LDFLAGS)" ./cmd/ews-connector dev $(DEV_FLAGS)

frontend: ## rebuild the page's bundle frontend/dist (committed; needs Node 20.19+ and npm)
	cd frontend && npm ci --no-audit --no-fund && npx vite build

bench: ## run the benchmarks
	$(GO) test -run='^$$' -bench=. -benchmem ./...

lint: ## gofmt, go vet (and staticcheck when installed)
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if command -v staticcheck >/dev/null 2>&1; then staticcheck ./...; else echo "make: staticcheck not installed, skipped"; fi

generate: generate-tz ## regenerate generated code (EWS wire types from wsdl/; more generators hook in here)
	$(GO) run ./wsdl/gen
	$(GO) generate ./...

generate-tz: ## regenerate internal/event/windowszones.go from CLDR windowsZones (npm pack cldr-core)
	$(GO) run ./internal/event/tzgen -out internal/event/windowszones.go

fuzz: ## run every fuzz target for FUZZTIME each (default 10s); reports all failures at the end
	@failed=""; \
	for f in $$(grep -rl --include='*_test.go' '^func Fuzz' . | sort); do \
	  dir=$$(dirname $$f); \
	  for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "== $$dir $$name"; \
	    $(GO) test -run='^$$' -fuzz="^$$name$$" -fuzztime=$(FUZZTIME) $$dir || failed="$$failed $$dir:$$name"; \
	  done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz failures:$$failed"; exit 1; fi

docker: ## build the ExApp image (needs docker)
	docker build --build-arg VERSION=$(VERSION) -t ghcr.io/ewsconnector/ews_connector:$(VERSION) .

clean: ## remove build output (keeps .run/; stop `make run` first to remove it by hand)
	rm -rf bin
