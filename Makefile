# Portico: the two commands that matter are `make run` and `make test`.
CARGO ?= cargo
# Crates the pure layers must never reach (normal dependencies only).
FORBIDDEN := tokio sea-orm sea-query sqlx poem poem-openapi lettre handlebars reqwest hyper mio

.PHONY: run test ci fmt fmt-check lint doc bench screenshots mutants check-boundaries

# The embedded defaults: SQLite and .eml files under ./portico-data.
DATA_DIR := portico-data
ADMIN_KEY_FILE := $(DATA_DIR)/admin-api-key

run: ## Start Portico on its embedded defaults; the first start loads the demo data.
	$(CARGO) build --quiet -p portico-server -p portico-cli
	@if [ ! -s $(ADMIN_KEY_FILE) ]; then \
		echo "First start: creating the database and loading the demo data..."; \
		$(CARGO) run --quiet -p portico-cli --bin portico -- demo --key-file $(ADMIN_KEY_FILE) >/dev/null || exit 1; \
	fi
	@echo "Admin API key: $$(cat $(ADMIN_KEY_FILE))"
	@echo "Swagger UI:    http://127.0.0.1:8080/api/docs"
	$(CARGO) run --quiet -p portico-server --bin portico-server

test: ## Run every test (unit, property, adapter, end to end) and the doctests.
	@if command -v cargo-nextest >/dev/null 2>&1; then \
		$(CARGO) nextest run --workspace --all-features --no-fail-fast; \
	else \
		$(CARGO) test --workspace --all-features --no-fail-fast --lib --bins --tests --examples; \
	fi
	$(CARGO) test --workspace --all-features --doc

ci: fmt-check lint check-boundaries doc test ## What CI runs.

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

lint:
	$(CARGO) clippy --workspace --all-targets --all-features -- -D warnings

doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p portico-domain -p portico-app --no-deps --quiet

bench: ## Throughput and memory figures (release build).
	@for b in $$(ls */*/benches/*.rs */benches/*.rs 2>/dev/null | sed 's|/benches/.*||' | sort -u); do \
		$(CARGO) bench --manifest-path $$b/Cargo.toml --all-features || exit 1; \
	done

# Every test whose name or module path says `screenshots` (one per area).
SHOTS_DIR := $${CARGO_TARGET_DIR:-target}/screenshots

screenshots: ## PNGs of every page, desktop and 390 px phone width, under target/screenshots/.
	@rm -rf $(SHOTS_DIR)
	@if command -v cargo-nextest >/dev/null 2>&1; then \
		PORTICO_REQUIRE_BROWSER=1 $(CARGO) nextest run -p portico-tests --test e2e --no-fail-fast screenshots; \
	else \
		PORTICO_REQUIRE_BROWSER=1 $(CARGO) test -p portico-tests --test e2e -- screenshots; \
	fi
	@echo "Screenshots in $(SHOTS_DIR):"; ls $(SHOTS_DIR)

# MUTANTS_JOBS=2 for a faster run on an idle machine.
MUTANTS_JOBS ?= 1

mutants: ## Mutation testing of the domain's rules (cargo-mutants; installed if missing).
	@command -v cargo-mutants >/dev/null 2>&1 || $(CARGO) install --locked cargo-mutants
	$(CARGO) mutants --package portico-domain --jobs $(MUTANTS_JOBS)

check-boundaries: ## The domain and app crates stay free of I/O frameworks; no adapter reaches another.
	@for crate in portico-domain portico-app; do \
		deps=$$($(CARGO) tree -p $$crate -e normal --prefix none --format '{p}' | awk '{print $$1}' | sort -u); \
		for bad in $(FORBIDDEN); do \
			if echo "$$deps" | grep -qx "$$bad"; then \
				echo "boundary violated: $$crate depends on $$bad"; exit 1; \
			fi; \
		done; \
		echo "$$crate: no forbidden dependency"; \
	done
	@adapters=$$(for manifest in adapters/*/Cargo.toml; do \
		sed -n 's/^name *= *"\(.*\)"/\1/p' $$manifest | head -n 1; done); \
	for crate in $$adapters; do \
		deps=$$($(CARGO) tree -p $$crate -e normal,build --all-features --prefix none --format '{p}' \
			| awk '{print $$1}' | sort -u | grep -vx "$$crate"); \
		for other in $$adapters; do \
			if echo "$$deps" | grep -qx "$$other"; then \
				echo "boundary violated: the adapter $$crate depends on the adapter $$other"; exit 1; \
			fi; \
		done; \
		echo "$$crate: depends on no other adapter"; \
	done
