# connector_coffee: the commands of README.rst
#
#   make test        both tiers of the tests (tier B needs Odoo 18 installed)
#   make demo        a fresh database, the simulator and a full sync
#                    (WORKERS=2 MACHINES=3: multi-process Odoo, three machines)
#   make simulator   the coffee machine simulator on 127.0.0.1:$(PORT)
#   make bench       the import benchmark (needs Odoo 18 installed)
#   make bench-e2e   the whole pipeline: multi-process Odoo, 3 x 10,000 brews
#   make lint        pre-commit on every file

PYTHON3 ?= python3
VENV_PY := .venv/bin/python
PORT ?= 8089
SIM_ARGS ?=

.PHONY: test test-a test-b demo simulator bench bench-e2e lint venv

test:
	$(PYTHON3) scripts/run_tests.py

test-a:
	$(PYTHON3) scripts/run_tests.py --tier a

test-b:
	$(PYTHON3) scripts/run_tests.py --tier b

demo:
	$(PYTHON3) scripts/demo.py $(if $(SERVE),--serve) \
		$(if $(WORKERS),--workers=$(WORKERS)) $(if $(MACHINES),--machines=$(MACHINES)) \
		$(if $(FAULTS),--faults=$(FAULTS))

venv:
	$(PYTHON3) scripts/odoo_env.py

simulator: venv
	$(VENV_PY) -m coffee_simulator --host 127.0.0.1 --port $(PORT) $(SIM_ARGS)

bench:
	$(PYTHON3) scripts/bench.py $(BENCH_ARGS)

bench-e2e:
	$(PYTHON3) scripts/bench_e2e.py $(BENCH_ARGS)

lint: venv
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check pre-commit
	$(VENV_PY) -m pre_commit run --all-files

# make pot          regenerate connector_coffee/i18n/connector_coffee.pot (and
#                   bring the i18n/*.po files in line with it)
# make screenshots  the README's screenshots, taken by Chromium from the demo
# make readme       connector_coffee/README.rst and index.html from readme/
.PHONY: pot screenshots readme

pot:
	$(PYTHON3) scripts/export_pot.py

screenshots:
	$(PYTHON3) scripts/screenshots.py

readme: venv
	$(VENV_PY) scripts/addon_readme.py
