# xlp: `make demo` and `make test` are all a new user runs; each installs what it needs first.
SHELL := /bin/bash
TSX := node --import tsx

.PHONY: all deps guest demo test bench typecheck clean

all: guest

deps:
	@bash tools/setup-deps.sh

guest: deps
	@$(MAKE) --no-print-directory -C guest

demo: guest
	@$(TSX) cli/demo.ts

test: guest
	npx tsc --noEmit
	npx vitest run

bench: guest
	@$(TSX) bench/run.ts

clean:
	rm -rf build
