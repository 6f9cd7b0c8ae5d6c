# The two commands of the README:
#   make demo   - a simulated call through the module's own flow, on an embedded AWS emulator
#   make test   - lint (ruff, terraform fmt), type checks and every test
# Both create .venv from the pinned requirements on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# checkov gets its own environment: installed with the rest, it downgrades boto3.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: demo test lint typecheck pytest zip contract docs bench lock clean example-layer wheel package test-aws test-replay flight-check compare

# The runtime package is installed too (editable, from lambdas/), as a task author installs it:
# it gives .venv/bin/connect-async (build-layer, check-handler).
$(STAMP): requirements/dev.txt requirements/build.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements/dev.txt -r requirements/build.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

$(CHECKOV_STAMP): requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements/checkov.txt
	touch $(CHECKOV_STAMP)

# make demo [SCENARIO=fast|typical|slow|too-slow|fail|crash|hangup|flaky-check|duplicates|chat|requeue|ask|ask-chat]
#           [TFVARS=examples/ops.tfvars] [CHART=1]
#           [TASK=package.module:function TASK_PATH=dir ATTRIBUTES="name=value ..." TASK_ENV="NAME=value ..."]
#           [STEPS=examples/step-functions/sandbox.py ATTRIBUTES=...]   (backend step_functions)
SCENARIO ?= typical
demo: $(STAMP)
	$(BIN)/python scripts/demo.py --scenario $(SCENARIO) $(if $(TFVARS),--tfvars $(TFVARS)) $(if $(CHART),--chart) \
	  $(if $(TASK),--task $(TASK)) $(if $(TASK_PATH),--task-path $(TASK_PATH)) \
	  $(foreach a,$(ATTRIBUTES),--attribute $(a)) $(foreach e,$(TASK_ENV),--task-env $(e)) \
	  $(if $(STEPS),--steps $(STEPS))

# make compare TFVARS="examples/ops.tfvars" [SCENARIO=typical]   (one tuning against the defaults)
# make compare TFVARS="a.tfvars b.tfvars" [SCENARIO=slow]        (two tunings)
compare: $(STAMP)
	$(BIN)/python scripts/compare.py $(TFVARS) --scenario $(SCENARIO)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	terraform fmt -check -recursive

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite runs as two pytest processes at once (the emulator's applies wait on Terraform and
# the network, the rest on the CPU): each is a whole session with its own end-of-session checks.
# PYTEST_ARGS (a path, -k ...) runs one process with them instead.
PYTEST   = CHECKOV=$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest -q
EMULATED = tests/terraform/test_apply_emulator.py tests/live
pytest: $(STAMP) $(CHECKOV_STAMP)
ifdef PYTEST_ARGS
	$(PYTEST) $(PYTEST_ARGS)
else
	@mkdir -p build
	@echo "$(PYTEST) $(EMULATED)   (in the background: build/pytest-emulated.log)"
	@$(PYTEST) $(EMULATED) > build/pytest-emulated.log 2>&1 & emulated=$$!; \
	echo "$(PYTEST) $(foreach path,$(EMULATED),--ignore=$(path))"; \
	$(PYTEST) $(foreach path,$(EMULATED),--ignore=$(path)); rest=$$?; \
	wait $$emulated; status=$$?; \
	echo "--- $(EMULATED):"; cat build/pytest-emulated.log; \
	exit $$(( rest != 0 || status != 0 ))
endif

# The live suite on your own account (opt-in; see README "Testing against your account"):
#   AWS_PROFILE=... AWS_REGION=... CONNECT_INSTANCE_ID=<uuid> CONNECT_ASYNC_LIVE_CONFIRM=create-and-destroy make test-aws [RECORD=1]
# RECORD=1 keeps the run's outputs (account numbers scrubbed) as the replay's recording.
test-aws: $(STAMP)
	CONNECT_ASYNC_LIVE=1 $(if $(RECORD),CONNECT_ASYNC_RECORD=1) $(BIN)/pytest -q -p no:cacheprovider tests/live/test_live.py

# The recorded run, offline in seconds.
test-replay: $(STAMP)
	$(BIN)/pytest -q -p no:cacheprovider --tf-replay tests/live/test_live.py

# Your tuning's flows checked by Connect itself before go-live (see scripts/flight_check.py):
#   make flight-check TFVARS=my.tfvars INSTANCE_ID=<uuid> FUNCTIONS="start=arn:... check=arn:..."
flight-check: $(STAMP)
	$(BIN)/python scripts/flight_check.py $(if $(TFVARS),--tfvars $(TFVARS)) $(if $(INSTANCE_ID),--instance-id $(INSTANCE_ID)) \
	  $(foreach f,$(FUNCTIONS),--function $(f))

# Rebuild the committed artifacts after changing lambdas/ (tests fail while they are stale).
zip: $(STAMP)
	$(BIN)/python scripts/build_lambda_zip.py

contract: $(STAMP)
	$(BIN)/python scripts/write_contract.py

# The custom-task example's layer, as a task author builds theirs (tests fail while it is stale).
example-layer: $(STAMP)
	$(BIN)/connect-async build-layer --source examples/custom-task/src --out examples/custom-task/dist/transfer-layer.zip

# The runtime package as a wheel (dist/), for a task author's own project.
wheel: $(STAMP)
	$(BIN)/python -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir dist .

# The release package: what a consumer downloads (git archive of HEAD, leaving out what
# .gitattributes marks export-ignore: tests, benchmarks, tooling). Prints its size.
VERSION = $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' lambdas/connect_async/__init__.py)
PACKAGE = dist/terraform-aws-connect-async-lambda-$(VERSION).tar.gz
package:
	mkdir -p dist
	git archive --format=tar.gz --prefix=terraform-aws-connect-async-lambda-$(VERSION)/ -o $(PACKAGE) HEAD
	@echo "$(PACKAGE): $$(wc -c < $(PACKAGE)) bytes, $$(tar -tzf $(PACKAGE) | grep -vc '/$$') files"

# Regenerate the README's inputs/outputs tables after changing variables.tf or outputs.tf.
# Benchmarks (never timed assertions in tests): writes docs/performance.md and .json.
bench: $(STAMP)
	$(BIN)/python bench/report.py

docs: $(STAMP)
	$(BIN)/python scripts/flow_layout.py
	$(BIN)/python scripts/terraform_docs.py
	$(BIN)/python scripts/flow_docs.py
	RELIABILITY_REPORT=write $(BIN)/pytest -q tests/reliability

# Re-resolve requirements/*.in into the fully pinned requirements/*.txt.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -r requirements/dev.in
	{ echo "# Generated by \`make lock\` from requirements/dev.in: every package pinned. Do not edit by hand."; \
	  .venv-lock/bin/python -m pip freeze; } > requirements/dev.txt
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet -r requirements/checkov.in
	{ echo "# checkov in its own virtual environment (it would downgrade boto3 and replace python-hcl2 in .venv)."; \
	  echo "# Generated by \`make lock\`: every package pinned. Do not edit by hand."; \
	  .venv-lock/bin/python -m pip freeze; } > requirements/checkov.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) $(CHECKOV_VENV) .pytest_cache .mypy_cache .ruff_cache
