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

export PATH                     := $(VENV)/bin:$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(LINK_ROOT)
export ANSIBLE_NOCOLOR          ?= $(if $(CI),1,)
export HOSTNET_LAB_CGROUP       ?= $(shell lab/detect-cgroup.sh)

.PHONY: help demo test sanity units lint molecule lab clean-lab clean venv engine

help:
	@echo "make demo      run the main job on the built-in lab"
	@echo "make test      every check: sanity, units, lint, molecule"
	@echo "make sanity | units | lint | molecule | lab | clean-lab | clean"

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

engine:
	bash lab/ensure-docker.sh

lab: venv engine
	bash lab/ensure-command.sh debootstrap debootstrap
	$(VENV)/bin/python lab/build_images.py

clean-lab:
	-docker ps -aq --filter label=owner=molecule | xargs -r docker rm -f
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

# Every scenario names its containers after the platforms, so two runs on one
# machine would collide: a lock makes a second run wait for the first.
MOLECULE_LOCK := flock /tmp/hostnet-molecule.lock

molecule: lab $(LINK)
	$(MOLECULE_LOCK) molecule test --all

test: sanity units lint molecule

## The demo -----------------------------------------------------------------

demo: lab $(LINK)
	$(MOLECULE_LOCK) molecule test --scenario-name lab
