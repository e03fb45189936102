.PHONY: run test build services services-stop

# Runs the app on http://127.0.0.1:3000 (installs what is missing, starts Postgres and Redis).
run:
	scripts/run.sh

# Runs every test suite.
test:
	scripts/test.sh

build:
	scripts/build.sh

services:
	scripts/services.sh start

services-stop:
	scripts/services.sh stop
