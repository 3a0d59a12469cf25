# hostnet.networkd: the two commands of the README are `make demo` and `make test`.
# Everything else here is a narrower piece of those two.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV        := $(CURDIR)/.venv
BUILD       := $(CURDIR)/.build
PYTHON      ?= python3
# ansible-test insists on running inside ansible_collections/<ns>/<name>; it gets
# a mirror of the working tree there. Ansible and Molecule find the collection
# through a symlink, so they always see the working tree itself.
TEST_TREE   := $(BUILD)/ansible-test/ansible_collections/hostnet/networkd
LINK_ROOT   := $(BUILD)/collections
LINK        := $(LINK_ROOT)/ansible_collections/hostnet/networkd
# The pip bootstrap script ansible-test 2.19 looks for (pip 24.2).
GET_PIP     := $(HOME)/.ansible/test/cache/get_pip_24_2.py
# The ecosystem checks work on the tarball users get, in venvs of their own.
ECOSYSTEM   := $(BUILD)/ecosystem
ECO_VENV    := $(ECOSYSTEM)/venv
CLEAN_VENV  := $(ECOSYSTEM)/clean-venv
VERSION     := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL     := $(ECOSYSTEM)/hostnet-networkd-$(VERSION).tar.gz
# The oldest ansible-core meta/runtime.yml admits: the tarball must install and work there.
FLOOR_CORE  := ansible-core==2.16.19

export PATH                     := $(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(LINK_ROOT)
export ANSIBLE_NOCOLOR          ?= $(if $(CI),1,)
export HOSTNET_LAB_CGROUP       ?= $(shell lab/detect-cgroup.sh)

.PHONY: help demo test static-checks molecule-stream-a molecule-stream-b sanity units lint molecule lab clean-lab clean venv engine docs ecosystem eco-venv bench

help:
	@echo "make demo      run the main job on the built-in lab"
	@echo "make test      every check: sanity, units, lint, molecule, ecosystem"
	@echo "make sanity | units | lint | molecule | lab | clean-lab | clean"
	@echo "make docs      regenerate docs/reference from the module and role documentation"
	@echo "make ecosystem galaxy-importer, install in a clean venv, ansible-builder, doc checks"
	@echo "make bench     library, module and fleet benchmarks (docs/performance.md); not part of test"

## The environment ----------------------------------------------------------

venv: $(VENV)/.installed
$(VENV)/.installed: requirements-dev.txt constraints-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt -c constraints-dev.txt
	touch $@

$(LINK):
	mkdir -p $(dir $@)
	ln -sfn $(CURDIR) $@

# Mirror of the working tree for ansible-test (tracked or not, as it is now).
test-tree: venv
	rm -rf $(TEST_TREE) && mkdir -p $(TEST_TREE)
	tar -C $(CURDIR) --exclude=./.venv --exclude=./.build --exclude=./.git \
	    --exclude=./tests/output --exclude='__pycache__' --exclude=./.hypothesis \
	    --exclude=./.pytest_cache -c . | tar -C $(TEST_TREE) -x
	# ansible-test finds the files to test through git.
	cd $(TEST_TREE) && git init -q && git add -A
	# ansible-test --venv bootstraps pip with a get-pip.py it downloads from a host
	# that may be unreachable; an offline stand-in takes its place in the cache.
	test -e $(GET_PIP) || install -D -m 0644 .ci/get_pip_offline.py $(GET_PIP)

eco-venv: $(ECO_VENV)/.installed
$(ECO_VENV)/.installed: requirements-ecosystem.txt constraints-ecosystem.txt
	$(PYTHON) -m venv $(ECO_VENV)
	$(ECO_VENV)/bin/pip install --quiet --upgrade pip
	$(ECO_VENV)/bin/pip install --quiet -r requirements-ecosystem.txt -c constraints-ecosystem.txt
	touch $@

engine:
	bash lab/ensure-docker.sh

lab: venv engine
	bash lab/ensure-command.sh debootstrap debootstrap
	$(VENV)/bin/python lab/build_images.py

# Only this project's containers (the label is set in extensions/molecule/config.yml and
# benchmarks/fleet/lab_fleet.py) and its lab images; other projects' Molecule containers stay.
clean-lab:
	-docker ps -aq --filter label=project=hostnet.networkd | xargs -r docker rm -f
	-docker images -q hostnet-lab | xargs -r docker rmi -f

clean:
	rm -rf $(BUILD) tests/output

## The checks ---------------------------------------------------------------

sanity: test-tree
	bash lab/ensure-command.sh shellcheck shellcheck
	cd $(TEST_TREE) && ansible-test sanity --python 3.11 --venv --requirements --color no

units: test-tree
	cd $(TEST_TREE) && ansible-test units --python 3.11 --venv --requirements --color no

lint: venv $(LINK)
	yamllint .
	ansible-lint --profile production
	# The README's examples, linted as the playbooks they are (outside .build, which is excluded).
	rm -rf $(BUILD)/readme-examples && python .ci/readme_examples.py README.md $(BUILD)/readme-examples
	cd $(BUILD)/readme-examples && ansible-lint --profile production --offline readme-example-*.yml

# Every scenario names its containers after the platforms, so two runs on one
# machine would collide: a lock makes a second run wait for the first.
MOLECULE_LOCK := flock /tmp/hostnet-molecule.lock

# Two streams of scenarios side by side (their containers are named after the scenario):
# the listed ones, and all the others but the demo, which tells the story the default
# scenario asserts (`make demo` runs it).
MOLECULE_STREAM_B := default firewall rollback lab check_mode

molecule: lab $(LINK)
	$(MOLECULE_LOCK) $(MAKE) --jobs 2 --output-sync=target molecule-stream-a molecule-stream-b

molecule-stream-a:
	molecule test --all --exclude demo $(foreach s,$(MOLECULE_STREAM_B),--exclude $(s))

molecule-stream-b:
	molecule test $(foreach s,$(MOLECULE_STREAM_B),--scenario-name $(s))

# What a user of Galaxy, AWX or Automation Platform meets, checked on the built tarball.
ecosystem: eco-venv $(LINK)
	# The documentation: antsibull-docs' checks, the reference pages up to date, the changelog.
	PATH=$(ECO_VENV)/bin:$$PATH antsibull-docs lint-collection-docs --plugin-docs .
	rm -rf $(ECOSYSTEM)/reference
	PATH=$(ECO_VENV)/bin:$$PATH python .ci/render_reference.py $(ECOSYSTEM)/reference
	diff -ru docs/reference $(ECOSYSTEM)/reference || { echo "docs/reference is stale: run make docs"; exit 1; }
	antsibull-changelog lint
	# The tarball, and Galaxy's import checks on it (ansible-doc, ansible-lint, metadata).
	rm -f $(ECOSYSTEM)/*.tar.gz
	ansible-galaxy collection build --force --output-path $(ECOSYSTEM) .
	tar -tzf $(TARBALL) | sort > $(ECOSYSTEM)/tarball-contents.txt
	# A HOME of its own: ansible-lint would otherwise also see ~/.ansible/collections.
	rm -rf $(ECOSYSTEM)/home && mkdir -p $(ECOSYSTEM)/home
	cd $(ECOSYSTEM) && env -u ANSIBLE_COLLECTIONS_PATH PATH=$(ECO_VENV)/bin:$$PATH HOME=$(ECOSYSTEM)/home \
	    GALAXY_IMPORTER_CONFIG=$(CURDIR)/.ci/galaxy-importer.cfg \
	    python -m galaxy_importer.main $(TARBALL) | tee importer.log
	! grep -E '^(WARNING|ERROR)' $(ECOSYSTEM)/importer.log
	# A clean venv with the oldest ansible-core supported: install the tarball, read its docs.
	rm -rf $(CLEAN_VENV)
	$(PYTHON) -m venv $(CLEAN_VENV)
	$(CLEAN_VENV)/bin/pip install --quiet $(FLOOR_CORE)
	env PATH=$(CLEAN_VENV)/bin:/usr/bin:/bin ANSIBLE_COLLECTIONS_PATH=$(CLEAN_VENV)/collections \
	    sh -c 'ansible-galaxy collection install -p $(CLEAN_VENV)/collections $(TARBALL) \
	        && ansible-doc hostnet.networkd.networkd_forwarding > /dev/null \
	        && ansible-doc hostnet.networkd.forward_policy > /dev/null \
	        && ansible-doc hostnet.networkd.networkd_rollback > /dev/null \
	        && ansible-doc hostnet.networkd.docker_host_info > /dev/null \
	        && ansible-doc hostnet.networkd.docker_host_apply > /dev/null \
	        && ansible-doc -t role hostnet.networkd.docker_host_network > /dev/null \
	        && ansible-playbook -i localhost, --syntax-check hostnet.networkd.audit hostnet.networkd.docker_host'
	# The execution environment definition: ansible-builder writes its build context.
	rm -rf $(ECOSYSTEM)/ee-context
	$(ECO_VENV)/bin/ansible-builder create -f execution-environment.yml -c $(ECOSYSTEM)/ee-context \
	    --output-filename Containerfile

# Molecule spends most of its time waiting on containers, so the static checks run beside
# it (one after the other). Each prints its output when it is done.
test: lab $(LINK)
	$(MAKE) --jobs 2 --output-sync=target molecule static-checks

static-checks:
	$(MAKE) --jobs 1 sanity units lint ecosystem

## The documentation ---------------------------------------------------------

docs: eco-venv $(LINK)
	rm -rf docs/reference
	PATH=$(ECO_VENV)/bin:$$PATH python .ci/render_reference.py docs/reference

## The demo -----------------------------------------------------------------

demo: lab $(LINK)
	$(MOLECULE_LOCK) molecule test --scenario-name demo

## The benchmarks -----------------------------------------------------------

# Every part holds the lab lock: Molecule runs and the timings must not share the machine.
bench: lab $(LINK)
	$(MOLECULE_LOCK) env PYTHONPATH=$(LINK_ROOT) python benchmarks/library_scale.py
	# The module as a user runs it (ansible localhost -m) beside ansible.builtin.ping (issue 19).
	$(MOLECULE_LOCK) env PYTHONPATH=$(LINK_ROOT) python benchmarks/module_scale.py
	# The module in process on [Match] shapes the generator of issue 19 does not write.
	$(MOLECULE_LOCK) env PYTHONPATH=$(LINK_ROOT) python benchmarks/match_shapes.py
	# The fleet part takes the lock per fleet size (its containers exist only while it holds it).
	python benchmarks/fleet_bench.py --lock /tmp/hostnet-molecule.lock
