"""Tests of bench_runs' pure helpers.

    python3 -m unittest discover -s tools/bench -p '*_test.py'
"""

import unittest

from bench_runs import parse_result, shown_command, with_option_value


class WithOptionValueTest(unittest.TestCase):
    def test_the_value_after_the_option_is_replaced_and_the_input_kept(self):
        argv = ["bench", "--depth", 64, "--duration", 8, "--quiet"]
        self.assertEqual(with_option_value(argv, ("--duration", "-duration"), "20"),
                         ["bench", "--depth", 64, "--duration", "20", "--quiet"])
        self.assertEqual(argv, ["bench", "--depth", 64, "--duration", 8, "--quiet"])

    def test_go_spelling_of_the_option_is_found(self):
        self.assertEqual(with_option_value(["g", "-duration", "8"], ("--duration", "-duration"), "3"),
                         ["g", "-duration", "3"])

    def test_an_absent_option_is_added(self):
        self.assertEqual(with_option_value(["b", "--depth", "1"], ("--duration", "-duration"), "5"),
                         ["b", "--depth", "1", "--duration", "5"])


class ResultAndCommandTest(unittest.TestCase):
    def test_the_last_result_line_is_read_with_numbers_as_numbers(self):
        text = "RESULT a=1\nnoise\nRESULT kind=cluster req_per_s=812.5 served=x:1\ntrailer"
        self.assertEqual(parse_result(text), {"kind": "cluster", "req_per_s": 812.5, "served": "x:1"})
        self.assertIsNone(parse_result("no result here"))

    def test_a_password_given_as_an_option_is_never_shown(self):
        self.assertEqual(shown_command(["b", "--password", "s3cret", "-password", "x", "--user", "u"]),
                         "b --password *** -password *** --user u")


if __name__ == "__main__":
    unittest.main()
