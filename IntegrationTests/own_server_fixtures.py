"""Fixtures that give a test module a server of its own, in place of the session's shared one: import them into
the module (`from own_server_fixtures import api, server, su_token`). For modules whose cost grows with what
earlier modules left on the shared server — GraphQL clients introspect a schema with a type per collection."""
import pytest

from conftest import Api, superuser_token


@pytest.fixture(scope="module")
def server(own_server):
    return own_server


@pytest.fixture(scope="module")
def su_token(server):
    return superuser_token(server.url)


@pytest.fixture(scope="module")
def api(server, su_token):
    return Api(server.url, su_token)
