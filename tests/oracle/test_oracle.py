"""Checks of the reference oracle against the worked examples of REFERENCE-CONTRACT.md and a
hand-computed scorecard (cases in tests/fixtures/cases), and of the expected results kept in
tests/fixtures/expected. Run: python3 -m unittest tests/oracle/test_oracle.py"""

import json
import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import oracle  # noqa: E402

CASES = os.path.join(os.path.dirname(HERE), "fixtures", "cases")


def card(name, as_of=None, period=None):
    t = oracle.parse_time(as_of) if as_of else None
    return oracle.scorecard(os.path.join(CASES, name + ".jsonl"), period, t)


def ind(c, indicator, assessee="prime"):
    a = next(a for a in c["assessments"] if a["assessee"] == assessee)
    return next(i for i in a["indicators"] if i["id"] == indicator)


def counts(c, indicator, assessee="prime"):
    i = ind(c, indicator, assessee)
    return (i["met"], i["breached"], i["pending"])


def T(s):
    return oracle.parse_time(s)


class WorkedExamples(unittest.TestCase):
    """REFERENCE-CONTRACT.md, 'Worked examples' table. Counts are (met, breached, pending)."""

    def test_makeup_saturday_counts(self):
        # 10 min Fri + 7 h Sat Oct 10 (make-up day) + 15 min Mon
        self.assertEqual(oracle.business_seconds("office", T("2026-10-09T17:20:00+08:00"),
                                                 T("2026-10-12T09:15:00+08:00")), 600 + 7 * 3600 + 900)
        self.assertEqual(counts(card("makeup_saturday"), "response_timeliness"), (0, 1, 0))

    def test_weekend_does_not_count(self):
        self.assertEqual(oracle.business_seconds("office", T("2026-10-30T17:20:00+08:00"),
                                                 T("2026-11-02T09:15:00+08:00")), 25 * 60)
        c = card("weekend_met")
        self.assertEqual(c["period"], "2026-10")
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0))
        self.assertEqual(counts(card("weekend_breached"), "response_timeliness"), (0, 1, 0))

    def test_holiday_does_not_count(self):
        self.assertEqual(oracle.business_seconds("office", T("2026-10-01T10:00:00+08:00"),
                                                 T("2026-10-08T09:15:00+08:00")), 15 * 60)
        self.assertEqual(counts(card("holiday_met"), "response_timeliness"), (1, 0, 0))
        self.assertEqual(counts(card("holiday_breached"), "response_timeliness"), (0, 1, 0))

    def test_lunch_break(self):
        self.assertEqual(oracle.business_seconds("office", T("2026-10-10T11:50:00+08:00"),
                                                 T("2026-10-10T13:35:00+08:00")), 15 * 60)
        self.assertEqual(counts(card("lunch_break"), "response_timeliness"), (1, 0, 0))

    def test_night_on_office_calendar(self):
        self.assertEqual(oracle.business_seconds("office", T("2026-10-12T22:00:00+08:00"),
                                                 T("2026-10-12T22:10:00+08:00")), 0)
        self.assertEqual(counts(card("night_office"), "response_timeliness"), (1, 0, 0))

    def test_pauses_repeated_ones_ignored(self):
        c = card("pauses")
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0))   # 5 + 10 = 15 min
        self.assertEqual(counts(c, "repair_timeliness"), (0, 0, 1))     # running, 15 min < 4 h
        # 1 second less of pause would breach: acknowledged 10:40:01 -> 15 min 1 s
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.jsonl")
            with open(os.path.join(CASES, "pauses.jsonl")) as f:
                text = f.read().replace("T10:40:00", "T10:40:01")
            with open(p, "w") as f:
                f.write(text)
            c2 = oracle.scorecard(p)
        self.assertEqual(counts(c2, "response_timeliness"), (0, 1, 0))

    def test_reopen(self):
        c = card("reopen_met")
        self.assertEqual(counts(c, "repair_timeliness"), (1, 0, 0))     # 2 h + 2 h = 4 h
        self.assertEqual(counts(c, "response_timeliness"), (1, 0, 0))
        self.assertEqual(ind(c, "problem_resolution_rate")["value"], "1.0000")
        self.assertEqual(counts(card("reopen_breached"), "repair_timeliness"), (0, 1, 0))

    def test_reopen_not_resolved_again(self):
        c = card("reopen_not_resolved", as_of="2026-11-05T00:00:00+08:00")
        self.assertEqual(c["period"], "2026-10")
        self.assertEqual(counts(c, "repair_timeliness"), (0, 1, 0))
        self.assertEqual(ind(c, "problem_resolution_rate")["value"], "0.0000")
        c = card("reopen_not_resolved", as_of="2026-10-13T09:00:00+08:00")   # 3 h elapsed
        self.assertEqual(counts(c, "repair_timeliness"), (0, 0, 1))
        self.assertEqual(ind(c, "problem_resolution_rate")["value"], "0.0000")

    def test_plan_exactly_on_time(self):
        self.assertEqual(counts(card("plan_late"), "maintenance_on_time"), (0, 1, 0))
        self.assertEqual(counts(card("plan_on_due"), "maintenance_on_time"), (1, 0, 0))
        # not completed: as_of == due is pending, as_of > due is breached
        c = card("plan_late", as_of="2026-10-20T17:30:00+08:00")
        self.assertEqual(counts(c, "maintenance_on_time"), (0, 0, 1))

    def test_alert_on_office_product(self):
        c = card("alert_office_product")
        self.assertEqual(counts(c, "anomaly_report_timeliness"), (1, 0, 0))  # 15 min exactly
        self.assertEqual(counts(c, "anomaly_report_timeliness", "appco"), (0, 0, 0))  # desk: prime only
        self.assertEqual(counts(card("alert_office_product_late"), "anomaly_report_timeliness"), (0, 1, 0))


class Reading(unittest.TestCase):
    def test_validation_counts(self):
        # tests/fixtures/cases/validation.jsonl: 39 lines, 2 of them blank (not counted), 37 counted.
        # accepted: v-01, v-20 (unknown kind), v-21 (fraction), v-22 (Z), v-23, v-24 (party=5),
        # v-29 (CRLF) = 7; duplicates: exact copy and same id/other content = 2; the rest = 28.
        c = card("validation")
        self.assertEqual(c["events"], {"accepted": 7, "duplicates": 2, "rejected": 28})
        # as_of = latest accepted at (the rejected v-30 of 2027 does not count)
        self.assertEqual(c["as_of"], "2026-12-31T23:00:00+08:00")
        self.assertEqual(c["period"], "2026-10")

    def test_time_parsing(self):
        self.assertEqual(T("2026-10-01T02:00:00Z"), T("2026-10-01T10:00:00+08:00"))
        self.assertEqual(T("2026-10-01T10:00:00.999999+08:00"), T("2026-10-01T10:00:00+08:00"))
        self.assertEqual(T("2026-10-01T10:00:00-00:30") - T("2026-10-01T10:00:00Z"), 1800)
        for bad in ("2026-10-01T10:00:00", "2026-10-01T10:00:00+0800", "2026-10-01 10:00:00+08:00",
                    "2026-10-01T24:00:00+08:00", "2026-10-01T10:00:60+08:00", "2026-13-01T10:00:00Z",
                    "2026-04-31T10:00:00Z", "2026-10-01T10:00:00.+08:00", "2026-10-01T10:00:00+24:00",
                    "2026-10-01T10:00:00Z\n", "２026-10-01T10:00:00Z", 20261001):
            self.assertIsNone(T(bad), bad)
        self.assertEqual(T("2024-02-29T00:00:00Z") is None, False)

    def test_default_period_tie_earliest(self):
        lines = [
            {"id": "a", "at": "2026-11-02T10:00:00+08:00", "kind": "security.incident", "subject": "I",
             "product": "security.mgmt"},
            {"id": "b", "at": "2026-09-02T10:00:00+08:00", "kind": "security.incident", "subject": "I",
             "product": "security.mgmt"},
            # asset.registered does not count as an anchor
            {"id": "c", "at": "2026-12-02T10:00:00+08:00", "kind": "asset.registered", "subject": "S",
             "product": "infra.servers"},
            {"id": "d", "at": "2026-12-03T10:00:00+08:00", "kind": "asset.registered", "subject": "S2",
             "product": "infra.servers"},
            # a month boundary in Asia/Shanghai: 2026-08-31T16:30Z is Sep 1 00:30 local
            {"id": "e", "at": "2026-08-31T16:30:00Z", "kind": "net.probe", "subject": "N",
             "product": "network.internet", "attrs": {"latency_ms": 10}},
        ]
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "x.jsonl")
            with open(p, "w") as f:
                f.write("\n".join(json.dumps(x) for x in lines))
            c = oracle.scorecard(p)
        self.assertEqual(c["period"], "2026-09")
        self.assertEqual(ind(c, "security_incidents")["value"], "1.0000")
        self.assertEqual(ind(c, "network_mean_response")["value"], "10.0000")
        self.assertEqual(c["as_of"], "2026-12-03T10:00:00+08:00")

    def test_rounding(self):
        F = oracle.Fraction
        self.assertEqual(oracle.fmt(oracle.round_half_up(F("70.835"), 2), 2), "70.84")
        self.assertEqual(oracle.fmt(oracle.round_half_up(F("-0.00005"), 4), 4), "-0.0001")
        self.assertEqual(oracle.fmt(oracle.round_half_up(F(2, 3), 4), 4), "0.6667")
        self.assertEqual(oracle.fmt(oracle.round_half_up(F("47.9995"), 2), 2), "48.00")


class SmallScorecard(unittest.TestCase):
    """tests/fixtures/cases/scorecard_small.jsonl, --as-of 2026-11-01T00:00:00+08:00 (period
    defaults to 2026-10).

    Lines: 35 distinct accepted events, one exact copy of s-01 (duplicate), one ticket.opened with
    priority P5 (rejected), one blank line (not counted). s-12 (T4 ack at 00:00:01) is after as_of.

    Tickets (product, priority, source) -> response / repair / resolved at as_of:
      T1 network.internet P1 monitoring: ack +10 min (<=15) met; resolved +3 h (<=4 h) met; resolved
      T2 network.egov_wan P2 user: ack +20 min (<=30) met; resolved +12 h (>8 h) breached; closed
      T3 app.business_support.oa (office) P3 "Inspection" (case differs: not proactive):
         ack Mon 09:00->10:00 = 1 h met; resolved Wed 09:00 = Mon 7 h + Tue 7 h = 14 h (<=24 h) met
      T4 security.mgmt P4 no source, opened Oct 31 20:00: at as_of 4 h = deadline exactly -> pending;
         repair 4 h < 72 h pending; not resolved
      T5 app.security_ops.waf (office) P1 monitoring: opened Fri Oct 9 17:20, paused 17:25, resumed
         Mon 09:00 (the make-up Saturday falls inside the pause), ack 09:05 -> 5+5 = 10 min met;
         resolved 10:00 -> 5 min + 60 min met; resolved
    Alerts: A1 infra.servers 10 min met; A2 app.endpoint.desktop 20 min breached.
    Plan P1 app.system_assurance.db due Oct 20 17:30+08:00, completed 09:30Z (= due) -> met.
    Report R1 security.mgmt due Oct 10 12:00, submitted 11:00 -> met.
    Searches (content.portal_info): (ok, ms) = (T,1500) (T,2000.0) (T,2500) (F,100).
    Probes (network.internet): 40, 95 ms -> mean 67.5.
    Assets: S1 infra.servers (Sep 15), S2 network.egov_wan (Oct 10); scan S1 Oct 11.
    Incident: 1 on security.mgmt.

    bureau -> prime (everything):
      #1 1/2 = 0.5000 -> 0.00          #2 1/1 -> 100.00             #3 2/5 = 0.4000 -> 33.33
      #4 4/5 = 0.8000 -> 0.00          #5 4/4 (1 pending) -> 100    #6 3/4 (1 pending) -> 25.00
      #7 3/4 -> 0.00  #8 3/4 -> 0.00   #9 67.5 -> (200-67.5)/150*100 = 88.33
      #10 1/2 -> 0.00                  #11 1/1 -> 100.00            #12 1 -> 75.00
      system  = (5*33.33 + 0 + 0 + 10*88.33 + 0 + 5*75) / 35 = 1424.95/35 = 40.7129 -> 40.71
      process = (10*100 + 10*0 + 15*100 + 15*25) / 50 = 2875/50 = 57.50
      role    = (10*0 + 5*100) / 15 = 33.33
      party   = (1424.95 + 2875 + 500) / 100 = 47.9995 -> 48.00; < 60 -> share 0.5 -> 600000.00
    prime -> netco (network.*): T1, T2, probes, S2
      #3 1/2 -> 66.67  #4 2/2 -> 100  #5 2/2 -> 100 (override)  #6 1/2 -> 0.00  #9 88.33
      #10 0/1 -> 0.00  #12 0 -> 100;  #1 #2 #7 #8 #11 not applicable
      system  = (5*66.67 + 10*88.33 + 0 + 5*100) / 25 = 1716.65/25 = 68.666 -> 68.67
      process = (1000 + 1500 + 0) / 40 = 62.50;  role = null
      party   = 4216.65/65 = 64.8715 -> 64.87; share 1-(90-64.87)/100 = 0.7487 -> 149740.00
    prime -> secco (security.*, app.security_ops.*): T4, T5, R1, incident
      #3 1/2 -> 66.67  #4 1/2 -> 0.00  #5 1/1 (1 pending) -> 100  #6 1/1 (1 pending) -> 100
      #11 -> 100  #12 1 -> 75;  #10 inventory empty -> null
      system  = (333.35 + 375) / 10 = 70.835 -> 70.84 (half away from zero)
      process = (0 + 1500 + 1500) / 40 = 75.00;  role = 100.00
      party   = (708.35 + 3000 + 500) / 55 = 76.5155 -> 76.52; share 0.8652 -> 129780.00
    prime -> appco: T3, A2, P1
      #1 0/1 -> 0.00  #2 1/1 -> 100  #3 0/1 -> 0.00  #4 #5 #6 1/1 -> 100  #12 0 -> 100
      system = (0 + 500)/10 = 50.00; process = 5000/50 = 100.00; role = 0.00
      party  = 5500/70 = 78.5714 -> 78.57; share 0.8857 -> 265710.00
    """

    def test_full(self):
        c = card("scorecard_small", as_of="2026-11-01T00:00:00+08:00")
        self.assertEqual(c["period"], "2026-10")
        self.assertEqual(c["as_of"], "2026-11-01T00:00:00+08:00")
        self.assertEqual(c["events"], {"accepted": 35, "duplicates": 1, "rejected": 1})
        expected = {
            "prime": ("48.00", "600000.00", ("40.71", "57.50", "33.33"), [
                ("0.5000", "0.00", (1, 1, 0)), ("1.0000", "100.00", (1, 0, 0)), ("0.4000", "33.33"),
                ("0.8000", "0.00"), ("1.0000", "100.00", (4, 0, 1)), ("0.7500", "25.00", (3, 1, 1)),
                ("0.7500", "0.00"), ("0.7500", "0.00"), ("67.5000", "88.33"), ("0.5000", "0.00"),
                ("1.0000", "100.00", (1, 0, 0)), ("1.0000", "75.00")]),
            "netco": ("64.87", "149740.00", ("68.67", "62.50", None), [
                (None, None, (0, 0, 0)), (None, None, (0, 0, 0)), ("0.5000", "66.67"),
                ("1.0000", "100.00"), ("1.0000", "100.00", (2, 0, 0)), ("0.5000", "0.00", (1, 1, 0)),
                (None, None), (None, None), ("67.5000", "88.33"), ("0.0000", "0.00"),
                (None, None, (0, 0, 0)), ("0.0000", "100.00")]),
            "secco": ("76.52", "129780.00", ("70.84", "75.00", "100.00"), [
                (None, None, (0, 0, 0)), (None, None, (0, 0, 0)), ("0.5000", "66.67"),
                ("0.5000", "0.00"), ("1.0000", "100.00", (1, 0, 1)), ("1.0000", "100.00", (1, 0, 1)),
                (None, None), (None, None), (None, None), (None, None),
                ("1.0000", "100.00", (1, 0, 0)), ("1.0000", "75.00")]),
            "appco": ("78.57", "265710.00", ("50.00", "100.00", "0.00"), [
                ("0.0000", "0.00", (0, 1, 0)), ("1.0000", "100.00", (1, 0, 0)), ("0.0000", "0.00"),
                ("1.0000", "100.00"), ("1.0000", "100.00", (1, 0, 0)), ("1.0000", "100.00", (1, 0, 0)),
                (None, None), (None, None), (None, None), (None, None),
                (None, None, (0, 0, 0)), ("0.0000", "100.00")]),
        }
        self.assertEqual([(a["assessor"], a["assessee"]) for a in c["assessments"]],
                         [("bureau", "prime"), ("prime", "netco"), ("prime", "secco"), ("prime", "appco")])
        ids = [i[0] for i in oracle.INDICATORS]
        for a in c["assessments"]:
            score, fee, levels, inds = expected[a["assessee"]]
            self.assertEqual(a["score"], score, a["assessee"])
            self.assertEqual(a["fee_due"], fee, a["assessee"])
            self.assertEqual((a["levels"]["system"], a["levels"]["process"], a["levels"]["role"]), levels)
            self.assertEqual([i["id"] for i in a["indicators"]], ids)
            for got, exp in zip(a["indicators"], inds):
                self.assertEqual((got["value"], got["score"]), exp[:2], (a["assessee"], got["id"]))
                if len(exp) == 3:
                    self.assertEqual((got["met"], got["breached"], got["pending"]), exp[2],
                                     (a["assessee"], got["id"]))
                else:
                    self.assertNotIn("met", got)

    def test_cli_output(self):
        import subprocess
        out = subprocess.run([sys.executable, os.path.join(HERE, "oracle.py"),
                              os.path.join(CASES, "scorecard_small.jsonl"),
                              "--as-of", "2026-10-31T16:00:00Z", "--period", "2026-10"],
                             check=True, capture_output=True, text=True).stdout
        c = json.loads(out)
        self.assertEqual(c["as_of"], "2026-11-01T00:00:00+08:00")
        self.assertEqual(c["assessments"][0]["score"], "48.00")
        self.assertEqual(set(c), {"period", "as_of", "events", "assessments"})


class Fixtures(unittest.TestCase):
    """tests/fixtures/expected/NAME.json is what the oracle computes for cases/NAME.jsonl."""

    def test_expected_files_match_the_oracle(self):
        sys.path.insert(0, os.path.join(os.path.dirname(HERE), "fixtures"))
        import expect
        self.assertEqual(expect.check(), [])


if __name__ == "__main__":
    unittest.main()
