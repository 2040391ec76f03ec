# Tessera: the single entry point. `make test` is what CI runs.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: test lint fmt-check clippy rust-test python-test node-test demo bench fuzz fmt

test: lint rust-test python-test node-test

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

fmt:
	$(CARGO) fmt --all

demo:
	$(CARGO) run -p tessera-core --example demo

bench:
	bash scripts/bench.sh
	bash scripts/bench-python.sh

fuzz:
	bash scripts/fuzz.sh
