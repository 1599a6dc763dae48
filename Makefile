# xlp: `make demo` and `make test` are all a new user runs; each installs what it needs first.
SHELL := /bin/bash
TSX := node --import tsx

.PHONY: all deps guest build demo test bench mutation typecheck clean

all: guest build

deps:
	@bash tools/setup-deps.sh

guest: deps
	@$(MAKE) --no-print-directory -C guest

# The compiled JavaScript that bin/xlp, the package and explore's workers run (dist/, rebuilt when stale).
build: deps
	@$(TSX) tools/build-dist.ts

demo: guest build
	@node dist/cli/demo.js

test: guest build
	npx tsc --noEmit
	npx vitest run

bench: guest build
	@$(TSX) bench/run.ts

# Mutation testing (slow; not part of `make test`). MUTATE=file,file narrows the mutated files.
mutation: guest
	XLP_UNICORN_LIB=$(CURDIR)/.deps/unicorn/usr/lib/x86_64-linux-gnu/libunicorn.so.2 MUTATE=$(MUTATE) \
	  node tools/mutation.mjs

clean:
	rm -rf build dist
