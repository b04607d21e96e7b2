"""The pytest plugin: active from its pytest11 entry point, off with -p no:requests_exchange_auth.

These runs happen in pytester's temporary directory, with no conftest.py and none of
this project's pytest settings: what they see is what a user sees after pip install.
"""

from __future__ import annotations

import subprocess
import sys

# hypothesis's plugin is unrelated to these runs and takes seconds to set up in each
QUICK = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest")
USES_THE_FIXTURES = """
    import requests

    def test_fixtures(local_exchange, frozen_clock, counting_nonce, pytestconfig):
        assert pytestconfig.pluginmanager.has_plugin("requests_exchange_auth")
        assert local_exchange.url.startswith("http://127.0.0.1:")
        assert requests.get(local_exchange.url + "/api/v3/time", timeout=5).ok
        assert frozen_clock() == 1_499_827_319_559_000_000
        assert [counting_nonce(), counting_nonce()] == [1, 2]
"""


def test_plugin_is_active_after_install_in_a_fresh_process(pytester):
    """A new pytest process, with no conftest importing anything, has the fixtures."""
    pytester.makepyfile(test_user=USES_THE_FIXTURES)
    assert not list(pytester.path.glob("conftest.py"))
    result = pytester.runpytest_subprocess(*QUICK)
    result.assert_outcomes(passed=1)


def test_plugin_is_active_in_process(pytester):
    """The entry point registers the plugin under the name requests_exchange_auth."""
    pytester.makepyfile(test_user=USES_THE_FIXTURES)
    pytester.runpytest(*QUICK).assert_outcomes(passed=1)


def test_plugin_can_be_disabled(pytester):
    """-p no:requests_exchange_auth removes the fixtures (and nothing else)."""
    pytester.makepyfile(test_user=USES_THE_FIXTURES)
    result = pytester.runpytest(*QUICK, "-p", "no:requests_exchange_auth")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'local_exchange' not found*"])


def test_fixtures_are_fresh_per_test(pytester):
    """Each test gets its own exchange, clock and nonce, and the exchange stops afterwards."""
    pytester.makepyfile(
        test_user="""
        import pytest
        seen = []

        @pytest.mark.parametrize("run", [1, 2])
        def test_fresh(run, local_exchange, frozen_clock, counting_nonce):
            assert local_exchange.received == []
            assert counting_nonce() == 1
            assert frozen_clock() == 1_499_827_319_559_000_000
            frozen_clock.advance(ms=1)
            seen.append(local_exchange)

        def test_stopped():
            for exchange in seen:
                with pytest.raises(RuntimeError, match="not running"):
                    exchange.url
        """
    )
    pytester.runpytest(*QUICK).assert_outcomes(passed=3)


def test_importing_the_plugin_loads_nothing_heavy():
    """pytest imports the plugin in every run: no PyJWT, cryptography or HTTP server."""
    code = (
        "import sys, requests_exchange_auth.testing.pytest_plugin\n"
        "heavy = ('jwt', 'cryptography', 'http.server', 'requests_mock',\n"
        "         'requests_exchange_auth.testing._exchange')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run(  # noqa: S603  # our own interpreter running our own code
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"
