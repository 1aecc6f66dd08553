"""One skip policy for the Python tests (the C++ side: testing/skip.hpp).

A test that cannot run its subject here (not root, a tool missing, nothing
built) is skipped on a developer's machine and FAILS under CI=true, where
everything it needs must be present. A run whose tests were all skipped
exits 77, which ctest reports as "Skipped" (SKIP_RETURN_CODE 77) rather than
"Passed"; under CI nothing is skipped, so nothing exits 77.

    from skippolicy import skip_or_fail, skip_unless, main
    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            skip_or_fail("needs root")
    @skip_unless(shutil.which("iperf3"), "needs iperf3")
    def test_x(self): ...
    if __name__ == "__main__":
        main()
"""
import functools
import os
import sys
import unittest

SKIPPED = 77


def under_ci():
    return os.environ.get("CI", "") not in ("", "0", "false")


class CannotRun(AssertionError):
    """Raised instead of unittest.SkipTest under CI."""


def skip_or_fail(reason):
    """Skips the current test (or class, from setUpClass), or fails it under CI."""
    if under_ci():
        raise CannotRun(f"cannot run its subject, and CI=true forbids skipping: {reason}")
    raise unittest.SkipTest(reason)


def skip_unless(condition, reason):
    """Decorator: the test runs if condition holds, else skip_or_fail(reason)."""
    def wrap(test):
        @functools.wraps(test)
        def run(*args, **kwargs):
            if not condition:
                skip_or_fail(reason)
            return test(*args, **kwargs)
        return run
    return wrap


def main():
    """unittest.main(), but exit 77 when every test was skipped."""
    prog = unittest.main(exit=False)
    r = prog.result
    # A class skipped in setUpClass counts as one skip and runs no test.
    if r.skipped and r.wasSuccessful() and r.testsRun <= len(r.skipped):
        sys.exit(SKIPPED)
    sys.exit(0 if r.wasSuccessful() else 1)
