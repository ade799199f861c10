"""run_tests - run tests/integration/test_*.py; print `integration: N passed, M failed`.

Contract: run_tests.py [PATTERN...] runs every test module (or those whose file name contains
one of the patterns) with unittest. Under each failing or erroring test it prints the tail of
every server log registered in harness.LOGS at that moment (authmilter stderr, Postfix maillog,
unbound). M also counts failed class/module set-ups and tear-downs (a test whose set-up failed
never ran and is counted as failed too). A skipped test counts as failed: a harness that
silently skips is no test. Exit status 0 only if every test passed and at least one ran.
"""

import os
import signal
import sys
import time
import unittest

import harness
from processes import tail


class LoggingResult(unittest.TextTestResult):
    def _print_logs(self, test):
        for name, path in sorted(harness.LOGS.items()):
            self.stream.writeln(f"----- {name} ({path}) for {test.id()} -----")
            self.stream.writeln(tail(path))
        self.stream.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._print_logs(test)

    def addError(self, test, err):
        super().addError(test, err)
        self._print_logs(test)

    def addSuccess(self, test):
        super().addSuccess(test)
        self.passed = getattr(self, "passed", 0) + 1


def load(patterns):
    here = os.path.dirname(os.path.abspath(__file__))
    suite = unittest.defaultTestLoader.discover(here, pattern="test_*.py", top_level_dir=here)
    if not patterns:
        return suite
    selected = unittest.TestSuite()
    for module_suite in suite:
        if any(p in str(module_suite) for p in patterns):
            selected.addTest(module_suite)
    return selected


def interrupted(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv):
    # CTest's timeout and a developer's ^C must not leave unbound, authmilter or Postfix behind.
    signal.signal(signal.SIGTERM, interrupted)
    suite = load(argv[1:])
    total = suite.countTestCases()
    runner = unittest.TextTestRunner(
        stream=sys.stdout, verbosity=2, resultclass=LoggingResult, buffer=False
    )
    started = time.monotonic()
    try:
        result = runner.run(suite)
    finally:
        harness.stop_everything()
    # Every discovered test that did not pass counts as failed, including the tests that never
    # ran because their setUpModule/setUpClass failed (reported above as errors).
    passed = getattr(result, "passed", 0)
    failed = max(total - passed, len(result.failures) + len(result.errors))
    for test, reason in result.skipped:
        print(f"skipped (counted as failed): {test.id()}: {reason}")
    print(f"integration: {passed} passed, {failed} failed ({time.monotonic() - started:.1f} s)")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
