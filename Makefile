# Tessera: the single entry point. `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: test lint fmt-check clippy rust-test python-test node-test go-test go-differential browser-test e2e-test e2e-postgres demo demo-cli bench fuzz fmt

test: lint rust-test python-test node-test browser-test e2e-test e2e-postgres go-test go-differential

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all -- --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The PostgreSQL store's tests need a server: pg.sh starts a throwaway one for the run.
rust-test:
	bash scripts/pg.sh run $(CARGO) test --workspace

python-test:
	bash scripts/python-test.sh

node-test:
	bash scripts/node-test.sh

go-test:
	bash scripts/go-test.sh

# After go-test, whose FFI library it links: the Go binding's net/http answers compared with
# supertokens-golang's (tests/differential-go/).
go-differential:
	bash scripts/differential-go.sh

# After python-test and node-test, whose builds they reuse.
browser-test:
	bash scripts/browser-test.sh

e2e-test:
	bash scripts/e2e-test.sh

# A Python and a Node server on one PostgreSQL database; reuses python-test's and node-test's builds.
e2e-postgres:
	bash scripts/e2e-postgres.sh

fmt:
	$(CARGO) fmt --all

# The web demo: the example backends and the page; Ctrl-C stops everything.
demo:
	bash scripts/examples-build.sh
	exec node examples/launch.mjs

demo-cli:
	$(CARGO) run -p tessera-core --example demo

bench:
	bash scripts/bench.sh
	bash scripts/bench-python.sh
	bash scripts/bench-go.sh
	bash scripts/bench-node.sh

fuzz:
	bash scripts/fuzz.sh
