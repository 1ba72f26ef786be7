"""Shared fixtures for the Python test suite."""

from __future__ import annotations

import pytest

from saga_core import load_scenario


@pytest.fixture
def checkout():
    return load_scenario("checkout")
