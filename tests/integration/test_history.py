"""authmilter-check --history predicts what a candidate policy does to the same traffic.

Traffic (aligned passes, unaligned mail from p=reject, p=quarantine and p=none domains, list
mail, and mail from a p=reject domain that the candidate overrides) goes through real Postfix
into an authmilter with the default local policy, which records it in its SQLite store. Then
`authmilter-check --history --json` replays the store under a candidate config that changes
dmarc.reject to honor and adds a max_disposition override; the candidate daemon is started on
the same socket and the same traffic is sent again. Checked: the table's "from" counts equal what
the first daemon did, its "to" counts equal what the candidate daemon does, message by message
kind; the candidate's changed settings are named as replayed; the running config's own summary
says how many were rejected; and a store that cannot be opened is a clear error, exit 66.
"""

import collections
import json
import os
import subprocess
import time
import unittest

import harness

ENV = harness.Environment("history")
HOLD_WAIT = 3.0

ZONES = {
    "pass.test": [
        '_dmarc.pass.test. TXT "v=DMARC1; p=reject"',
        'pass.test. TXT "v=spf1 ip4:127.0.0.1 -all"',
    ],
    "example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"'],
    "reject.test": ['_dmarc.reject.test. TXT "v=DMARC1; p=reject"'],
    "quarantine.test": ['_dmarc.quarantine.test. TXT "v=DMARC1; p=quarantine"'],
    "none.test": ['_dmarc.none.test. TXT "v=DMARC1; p=none"'],
    "partner.test": ['_dmarc.partner.test. TXT "v=DMARC1; p=reject"'],
}

# (kind, From, MAIL FROM, extra headers, how many)
TRAFFIC = [
    ("pass", "joe@pass.test", "bounce@pass.test", (), 2),
    ("reject", "joe@reject.test", "sender@example.org", (), 3),
    ("list", "joe@reject.test", "sender@example.org", (("List-Id", "<talk.lists.test>"),), 2),
    ("quarantine", "joe@quarantine.test", "sender@example.org", (), 2),
    ("none", "joe@none.test", "sender@example.org", (), 1),
    ("partner_list", "joe@partner.test", "sender@example.org", (("List-Id", "<l.test>"),), 1),
    ("partner", "joe@partner.test", "sender@example.org", (), 2),
]

CANDIDATE = (
    "dmarc:\n"
    "  reject: honor\n"
    "  overrides:\n"
    "    partner.test: {max_disposition: quarantine}\n"
)


def setUpModule():
    ENV.start(zones=ZONES)


def check_binary():
    return os.path.join(harness.build_dir(), "filter", "authmilter-check")


class HistoryTest(unittest.TestCase):
    def disposition(self, result):
        """reject (refused at DATA), quarantine (in the hold queue) or accept (delivered)."""
        if not result.accepted:
            self.assertEqual(result.code("data"), 550, str(result))
            return "reject"
        deadline = time.monotonic() + HOLD_WAIT
        while time.monotonic() < deadline:
            if result.queue_id in [m["queue_id"] for m in ENV.postfix.held_messages()]:
                ENV.postfix.delete_queued(result.queue_id)
                return "quarantine"
            if ENV.postfix.delivered_with(result.queue_id.encode()) is not None:
                break
            time.sleep(0.1)
        ENV.postfix.wait_delivered(result.queue_id)
        return "accept"

    def send_traffic(self, milter, label):
        harness.RUNNING.append(milter)
        milter.start()
        try:
            outcome = collections.Counter()
            by_kind = {}
            for kind, sender, mail_from, headers, count in TRAFFIC:
                for i in range(count):
                    message = harness.make_message(f"{label} {kind} {i}", headers, sender=sender)
                    result = ENV.postfix.send(mail_from, harness.RECIPIENT, message)
                    action = self.disposition(result)
                    outcome[action] += 1
                    by_kind.setdefault(kind, set()).add(action)
            return outcome, by_kind
        finally:
            harness.RUNNING.remove(milter)
            milter.stop()

    def history(self, *args):
        return subprocess.run(
            [check_binary(), "--history", "--since", "1h", *args],
            capture_output=True, text=True, timeout=60,
        )

    def test_replayed_table_equals_what_the_candidate_daemon_does(self):
        running = ENV.milter("inet")
        recorded, recorded_kinds = self.send_traffic(running, "running")
        self.assertEqual(recorded_kinds["reject"], {"reject"})
        self.assertEqual(recorded_kinds["list"], {"quarantine"})

        candidate_path = os.path.join(running.workdir, "candidate.yaml")
        with open(candidate_path, "w") as handle:
            handle.write(running.config_text + CANDIDATE)
        done = self.history("--running", running.config_path, "--config", candidate_path,
                            "--json")
        self.assertEqual(done.returncode, 0, done.stderr)
        report = json.loads(done.stdout)
        total = sum(count for _, _, _, _, count in TRAFFIC)
        self.assertEqual(report["records"], total)
        self.assertEqual(report["replayed"], total)
        table_from = collections.Counter()
        table_to = collections.Counter()
        for cell in report["table"]:
            table_from[cell["from"]] += cell["count"]
            table_to[cell["to"]] += cell["count"]
        self.assertEqual(table_from, recorded)
        settings = {s["path"]: s["replay"] for s in report["settings"]}
        self.assertEqual(settings.get("dmarc.reject"), "replayed")
        self.assertEqual(settings.get("dmarc.overrides"), "replayed")

        # The candidate for real: same traffic, the daemon restarted with the candidate config.
        candidate = ENV.milter("inet", CANDIDATE)
        live, live_kinds = self.send_traffic(candidate, "candidate")
        self.assertEqual(live_kinds["list"], {"reject"})  # honor: the list no longer saves it
        self.assertEqual(live_kinds["partner"], {"quarantine"})  # the override caps it
        self.assertEqual(table_to, live, done.stdout)

        changed = {d["policy_domain"]: d for d in report["top_changes"]}
        self.assertEqual(changed["reject.test"]["transitions"], {"quarantine -> reject": 2})
        self.assertEqual(changed["partner.test"]["transitions"],
                         {"reject -> quarantine": 2})
        self.assertIn("local_policy", changed["partner.test"]["reasons"])
        example = changed["partner.test"]["examples"][0]
        self.assertEqual(example["client_ip"], "127.0.0.1")
        self.assertTrue(example["queue_id"], example)

        # The running config's own summary: what it did, in text.
        summary = self.history("--running", running.config_path, "--config",
                               running.config_path)
        self.assertEqual(summary.returncode, 0, summary.stderr)
        self.assertIn(f"{total} messages evaluated: {recorded['accept']} accepted, "
                      f"{recorded['quarantine']} quarantined, {recorded['reject']} rejected",
                      summary.stdout)
        self.assertIn("Top failing domains", summary.stdout)

    def test_a_store_that_cannot_be_opened_is_a_clear_error(self):
        milter = ENV.milter("inet")
        path = os.path.join(milter.workdir, "authmilter.yaml")
        with open(path, "w") as handle:
            handle.write(milter.config_text.replace("records.db", "missing/records.db"))
        done = self.history("--running", path, "--config", path)
        self.assertEqual(done.returncode, 66, done.stdout)  # EX_NOINPUT
        self.assertIn("cannot open", done.stderr)
        self.assertFalse(os.path.exists(os.path.join(milter.workdir, "missing")))


if __name__ == "__main__":
    unittest.main()
