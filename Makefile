# Mailroom directory sync. `make demo` runs the whole thing on this machine;
# `make test` runs every test. Both build what they need.

GO          ?= go
BIN         := bin
# The Temporal CLI (which embeds the dev server) is pinned in tools/go.mod,
# built once, and cached outside the clone so later clones reuse it.
TEMPORAL_VERSION := v1.5.1
CACHE_DIR   ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/oktasync
TEMPORAL    ?= $(CACHE_DIR)/temporal-$(TEMPORAL_VERSION)
export TEMPORAL_CLI := $(TEMPORAL)

.PHONY: demo demo-stop test build temporal postgres bench vet tidy-check clean

## demo: build, start Temporal (with UI), the Okta stand-in, the worker and
## the API, enable an integration and print the first sync's summary.
demo:
	./scripts/demo.sh preflight
	$(MAKE) build temporal
	./scripts/demo.sh start

## demo-stop: stop what `make demo` started.
demo-stop:
	./scripts/demo.sh stop

## test: every test, against PostgreSQL and a Temporal dev server.
test: temporal postgres
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 25m ./...

## bench: the benchmarks, including the 10,000 users x 10 locations sync.
bench: temporal postgres
	$(GO) test -count=1 -run '^$$' -bench . -benchtime 1x -timeout 30m ./...

build:
	$(GO) build -o $(BIN)/ ./worker ./starter ./cmd/okta-standin

temporal: $(TEMPORAL)

$(TEMPORAL):
	@echo "building the Temporal CLI $(TEMPORAL_VERSION) once (several minutes on 2 cores)"
	mkdir -p $(dir $@)
	cd tools && $(GO) build -o $@.tmp github.com/temporalio/cli/cmd/temporal
	mv $@.tmp $@

postgres:
	./scripts/ensure-postgres.sh

vet:
	$(GO) vet ./...

clean:
	rm -rf $(BIN) var
