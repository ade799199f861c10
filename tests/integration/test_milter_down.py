"""With authmilter down, Postfix applies milter_default_action from contrib/postfix/main.cf.

The snippet says `accept`: mail still flows, without our Authentication-Results header, and
Postfix logs that it could not reach the milter. The daemon is started, proven to work, stopped
(SIGTERM must end it with status 0), and the same message is sent again.
"""

import unittest

import harness

ENV = harness.Environment("down")


def setUpModule():
    nobody_listens = harness.MilterSocket.inet(harness.free_port())
    ENV.start(
        zones={"example.org": ['example.org. TXT "v=spf1 ip4:127.0.0.1 -all"']},
        listeners={
            "tempfail": {
                "smtpd_milters": nobody_listens.postfix,
                "milter_default_action": "tempfail",
            }
        },
    )


class MilterDownTest(unittest.TestCase):
    def send(self, subject):
        result = ENV.postfix.send("sender@example.org", harness.RECIPIENT,
                                  harness.make_message(subject))
        return result

    def test_default_action_when_milter_stops(self):
        milter = ENV.milter("inet")
        self.addCleanup(milter.stop)
        harness.RUNNING.append(milter)
        self.addCleanup(harness.RUNNING.remove, milter)
        harness.LOGS["authmilter"] = milter.log_path
        self.addCleanup(harness.LOGS.pop, "authmilter", None)
        milter.start()
        before = self.send("milter up")
        self.assertTrue(before.accepted, str(before))
        self.assertEqual(len(harness.auth_results(ENV.postfix.wait_delivered(before.queue_id))), 1)

        self.assertEqual(milter.stop(), 0)
        self.assertFalse(ENV.inet_socket.accepts(), "milter socket still accepts after stop")

        after = self.send("milter down")
        settings = ENV.postfix.postconf("milter_default_action")
        self.assertEqual(settings["milter_default_action"], "accept")
        self.assertTrue(after.accepted, f"default action accept expected: {after}")
        delivered = ENV.postfix.wait_delivered(after.queue_id)
        self.assertEqual(harness.auth_results(delivered), [], delivered.decode())
        self.assertIn(f"connect to Milter service {ENV.inet_socket.postfix}", ENV.postfix.maillog())

    def test_tempfail_when_configured(self):
        # The alternative the snippet documents: a listener with milter_default_action=tempfail.
        result = ENV.postfix.send("sender@example.org", harness.RECIPIENT,
                                  harness.make_message("tempfail"), listener="tempfail")
        self.assertFalse(result.accepted, str(result))
        self.assertEqual(result.final.code // 100, 4, str(result))


if __name__ == "__main__":
    unittest.main()
