.PHONY: run sandbox test lint build services services-stop

# Runs the app on http://127.0.0.1:3000 (installs what is missing, starts Postgres and Redis).
run:
	scripts/run.sh

# The same app against local stand-ins (fake Polymarket, local signer): README "First requests".
sandbox:
	scripts/sandbox.sh

# Runs every test suite.
test:
	scripts/test.sh

# Formatting and lints: cargo fmt --check, clippy -D warnings, forge fmt --check (CI runs it first).
lint:
	scripts/lint.sh

build:
	scripts/build.sh

services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop
