# The two commands of the README:
#   make demo   - a simulated call through the module's own flow, on an embedded AWS emulator
#   make test   - lint (ruff, terraform fmt), type checks and every test (`make pytest PYTEST_ARGS="-m unit"`:
#                 the tests that need nothing but Python, in seconds)
# Both create .venv from the pinned requirements on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# checkov gets its own environment: installed with the rest, it downgrades boto3.
CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: demo test lint typecheck pytest gen zip contract docs bench reliability-report lock clean example-layer wheel package test-aws test-replay flight-check compare

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

# make demo [SCENARIO=name]   (the scenarios: README's table, flowkit/scenario.py's CATALOGUE)
#           [TFVARS=examples/ops.tfvars] [CHART=1]
#           [TASK=package.module:function TASK_PATH=dir TASK_LAYER=zip ATTRIBUTES='name=value q="a b" ...'
#            TASK_ENV="NAME=value ..."]
#           [STEPS=examples/step-functions/sandbox.py ATTRIBUTES=...]   (backend step_functions)
SCENARIO ?= typical
demo: $(STAMP)
	$(BIN)/python -m scripts.demo --scenario $(SCENARIO) $(if $(TFVARS),--tfvars $(TFVARS)) $(if $(CHART),--chart) \
	  $(if $(TASK),--task $(TASK)) $(if $(TASK_PATH),--task-path $(TASK_PATH)) \
	  $(foreach z,$(TASK_LAYER),--task-layer $(z)) \
	  $(if $(ATTRIBUTES),--attributes '$(ATTRIBUTES)') $(foreach e,$(TASK_ENV),--task-env $(e)) \
	  $(if $(STEPS),--steps $(STEPS))

# make compare TFVARS="examples/ops.tfvars" [SCENARIO=typical]   (one tuning against the defaults)
# make compare TFVARS="a.tfvars b.tfvars" [SCENARIO=slow]        (two tunings)
compare: $(STAMP)
	$(BIN)/python -m scripts.compare $(TFVARS) --scenario $(SCENARIO)

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	terraform fmt -check -recursive

typecheck: $(STAMP)
	$(BIN)/mypy

# The suite, split by what each test needs (its marker: pyproject.toml). Three pytest sessions:
# the emulator's applies in the background (they wait on Terraform and the network), and in the
# foreground the unit and moto tests with no Terraform on the PATH and moto refused to unit tests
# (so a marker cannot lie), then the other Terraform tests. Each is a whole session with its own
# end-of-session checks. PYTEST_ARGS (a path, -k ..., -m unit) runs one session with them instead.
PYTEST  = CHECKOV=$(CHECKOV_VENV)/bin/checkov $(BIN)/pytest -q
GUARDED = CONNECT_ASYNC_UNIT_GUARD=1 PATH="$(abspath $(BIN)):/usr/bin:/bin" $(PYTEST) -p no:terraform --ignore=tests/live
pytest: $(STAMP) $(CHECKOV_STAMP)
ifdef PYTEST_ARGS
	$(PYTEST) $(PYTEST_ARGS)
else
	@mkdir -p build
	@echo "$(PYTEST) -m emulator   (in the background: build/pytest-emulated.log)"
	@$(PYTEST) -m emulator > build/pytest-emulated.log 2>&1 & emulated=$$!; \
	echo '$(GUARDED) -m "unit or moto"'; \
	$(GUARDED) -m "unit or moto"; light=$$?; \
	echo '$(PYTEST) -m "terraform and not emulator"'; \
	$(PYTEST) -m "terraform and not emulator"; rest=$$?; \
	wait $$emulated; status=$$?; \
	echo "--- $(PYTEST) -m emulator:"; cat build/pytest-emulated.log; \
	exit $$(( light != 0 || rest != 0 || status != 0 ))
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
#   make flight-check TFVARS=my.tfvars INSTANCE_ID=<uuid> FUNCTIONS="start=arn:... check=arn:..." [REGION=...]
# (the Region: REGION=, then AWS_REGION, then AWS_DEFAULT_REGION, as the live suite reads it)
flight-check: $(STAMP)
	$(BIN)/python -m scripts.flight_check $(if $(TFVARS),--tfvars $(TFVARS)) $(if $(INSTANCE_ID),--instance-id $(INSTANCE_ID)) \
	  $(if $(REGION),--region $(REGION)) $(foreach f,$(FUNCTIONS),--function $(f))

# Every generated file, in one fixed order (scripts/generate.py says which and from what): the
# contract and the settings' Terraform, the Lambda artifact, the example's layer, the flows' layout,
# the flows and their diagrams, the READMEs' inputs/outputs tables. One test fails while any is
# stale, naming this command. (zip, contract, docs and example-layer are old names for it.)
gen: $(STAMP)
	$(BIN)/python -m scripts.generate

zip contract docs example-layer: gen

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

# Benchmarks (never timed assertions in tests): writes docs/performance.md and .json.
bench: $(STAMP)
	$(BIN)/python -m bench.report

# The reliability suite's report: docs/reliability.md shows every case it ran (a measurement,
# not generated by make gen; the suite fails while the file disagrees with what ran).
reliability-report: $(STAMP)
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
