"""Fixtures of the retreats tests: the units most tests use (the city, 莲都 and 庆元)."""

import pytest


@pytest.fixture
def city(orgs):
    return orgs["331100"]


@pytest.fixture
def ld(orgs):
    return orgs["331102"]


@pytest.fixture
def qy(orgs):
    return orgs["331126"]
