# -*- coding: utf-8 -*-
# Copyright: hostnet.networkd contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fixtures shared by the file-safety tests: a sandbox around an image root, and a deadline."""

from __future__ import annotations

import signal

import pytest

from ansible_collections.hostnet.networkd.tests.unit.plugins.sandbox import Sandbox


class Overdue(Exception):
    """The test ran past its deadline: what it exercised would have hung."""


@pytest.fixture
def deadline():
    """Call ``deadline(seconds)`` to fail the test with Overdue instead of hanging past that time.

    SIGALRM interrupts a blocking open() of a FIFO or a long read, so a regression fails the
    test instead of stalling the suite.
    """
    def expire(_signum, _frame):
        raise Overdue("still running when the deadline expired: this would hang")

    previous = signal.signal(signal.SIGALRM, expire)

    def arm(seconds):
        signal.setitimer(signal.ITIMER_REAL, seconds)
    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def sandbox(tmp_path):
    """A root below ``tmp_path``/root, with sentinel files beside it that nothing may touch."""
    return Sandbox(tmp_path)
