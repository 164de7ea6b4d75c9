"""Tests for the Python reference implementation (auditwire_ref).

Run with:  python3 -m unittest discover -s spec/reference/python
"""

import hashlib
import json
import os
import random
import struct
import unittest

from auditwire_ref import (
    JsonSyntax,
    MissingField,
    NotIJson,
    canonical_json,
    event_hash,
    json_path_index,
    json_path_key,
    parse_i_json,
    retraced_hash,
    retraced_hash_target,
)

GOLDEN_RETRACED = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "test", "fixtures", "retraced-hash-vectors.json")


def double(bits_hex):
    """The IEEE-754 double with the given 64-bit pattern (RFC 8785 App. B)."""
    return struct.unpack(">d", bytes.fromhex(bits_hex))[0]


class NumberTests(unittest.TestCase):
    # RFC 8785 Appendix B: IEEE-754 bit pattern -> expected serialization.
    APPENDIX_B = [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),  # minus zero
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555554", "333333333.33333325"),
        ("41b3de4355555555", "333333333.3333333"),
        ("41b3de4355555556", "333333333.3333334"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ]

    def test_appendix_b_bit_patterns(self):
        for bits, expected in self.APPENDIX_B:
            with self.subTest(bits=bits):
                self.assertEqual(canonical_json(double(bits)), expected)

    def test_appendix_b_as_json_text(self):
        # The same values written as JSON number literals.
        cases = [
            ("0", "0"), ("-0", "0"), ("-0.0", "0"),
            ("5e-324", "5e-324"),
            ("1.7976931348623157e308", "1.7976931348623157e+308"),
            ("9007199254740992", "9007199254740992"),
            ("295147905179352830000", "295147905179352830000"),
            ("9.999999999999997e22", "9.999999999999997e+22"),
            ("1e23", "1e+23"),
            ("999999999999999700000", "999999999999999700000"),
            ("1e21", "1e+21"),
            ("9.999999999999997e-7", "9.999999999999997e-7"),
            ("0.000001", "0.000001"),
            ("333333333.3333332", "333333333.3333332"),
            ("-0.0000033333333333333333", "-0.0000033333333333333333"),
            ("1424953923781206.2", "1424953923781206.2"),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(canonical_json(parse_i_json(text)), expected)

    def test_layout_boundaries(self):
        # ECMAScript Number::toString switches layout at n = 21 and n = -6.
        cases = [
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (0.1, "0.1"),
            (0.5, "0.5"),
            (1.0, "1"),
            (-1.0, "-1"),
            (100.0, "100"),
            (123.45, "123.45"),
            (0.30000000000000004, "0.30000000000000004"),
            (1e308, "1e+308"),
            (-1.5e-9, "-1.5e-9"),
            (2.2250738585072014e-308, "2.2250738585072014e-308"),
        ]
        for value, expected in cases:
            with self.subTest(value=value):
                self.assertEqual(canonical_json(value), expected)

    def test_integers_are_doubles(self):
        # Python ints are rounded to the nearest double, ties to even.
        self.assertEqual(canonical_json(9007199254740993), "9007199254740992")
        self.assertEqual(canonical_json(9007199254740995), "9007199254740996")
        self.assertEqual(canonical_json(parse_i_json("9007199254740993")),
                         "9007199254740992")
        self.assertEqual(canonical_json(10 ** 21), "1e+21")
        self.assertEqual(canonical_json(-42), "-42")
        self.assertEqual(canonical_json(True), "true")  # bool is not a number

    def test_random_doubles_round_trip(self):
        # Every output must read back as the same double, use no more digits
        # than Python's shortest repr, and follow the ES exponent layout.
        rng = random.Random(8785)
        for _ in range(20000):
            x = double("%016x" % rng.getrandbits(64))
            if x != x or x in (float("inf"), float("-inf")):
                continue
            text = canonical_json(x)
            self.assertEqual(float(text), x, text)
            mantissa = text.lstrip("-").split("e")[0].replace(".", "")
            self.assertLessEqual(len(mantissa.strip("0")),
                                 len(repr(abs(x)).split("e")[0].replace(".", "").strip("0")))
            if "e" in text:
                self.assertRegex(text, r"^-?[1-9](\.\d*[1-9])?e[+-][1-9]\d*$")
                self.assertTrue(abs(x) >= 1e21 or abs(x) < 1e-6, text)
            else:
                self.assertTrue(abs(x) < 1e21 and (x == 0 or abs(x) >= 1e-6), text)


class StringTests(unittest.TestCase):
    def test_control_characters(self):
        expected = {0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r"}
        for code in range(0x20):
            with self.subTest(code=code):
                want = expected.get(code, "\\u%04x" % code)
                self.assertEqual(canonical_json(chr(code)), '"' + want + '"')
        self.assertEqual(canonical_json("\x1f"), '"\\u001f"')  # lowercase hex

    def test_quote_and_backslash(self):
        self.assertEqual(canonical_json('a"b\\c/d'), '"a\\"b\\\\c/d"')

    def test_written_raw(self):
        for s in ["\x7f", "\x80\x9f", "\u2028\u2029", "\u00e9", "e\u0301",
                  "\u4e2d\u6587", "\U0001F600", "\ufeff", "\uffff"]:
            with self.subTest(s=s):
                self.assertEqual(canonical_json(s), '"' + s + '"')

    def test_no_normalization(self):
        self.assertNotEqual(canonical_json("\u00e9"), canonical_json("e\u0301"))

    def test_escapes_in_input_are_decoded(self):
        self.assertEqual(canonical_json(parse_i_json('"\\u0041\\/\\ud83d\\ude00"')),
                         '"A/\U0001F600"')


class StructureTests(unittest.TestCase):
    def test_rfc8785_key_sorting_example(self):
        # RFC 8785 section 3.2.3.
        value = {
            "\u20ac": "Euro Sign",
            "\r": "Carriage Return",
            "\ufb33": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\U0001F600": "Emoji: Grinning Face",
            "\u0080": "Control",
            "\u00f6": "Latin Small Letter O With Diaeresis",
        }
        keys = list(json.loads(canonical_json(value)).keys())
        self.assertEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac",
                                "\U0001F600", "\ufb33"])
        self.assertEqual(
            canonical_json(value),
            '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
            '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
            '"\U0001F600":"Emoji: Grinning Face",'
            '"\ufb33":"Hebrew Letter Dalet With Dagesh"}')

    def test_utf16_order_differs_from_code_point_order(self):
        value = {"\uffff": 1, "\U0001F600": 2, "\ue000": 3}
        self.assertEqual(canonical_json(value), '{"\U0001F600":2,"\ue000":3,"\uffff":1}')

    def test_rfc8785_section_3_2_2_example(self):
        text = ('{\n  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, '
                '0.000000000000000000000000001],\n'
                '  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n'
                '  "literals": [null, true, false]\n}')
        self.assertEqual(
            canonical_json(parse_i_json(text)),
            '{"literals":[null,true,false],'
            '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}')

    def test_nested_and_empty(self):
        self.assertEqual(canonical_json({"z": {"y": 1, "x": [{"b": 1, "a": 2}]}, "a": {}}),
                         '{"a":{},"z":{"x":[{"a":2,"b":1}],"y":1}}')
        self.assertEqual(canonical_json([]), "[]")
        self.assertEqual(canonical_json([None, True, False]), "[null,true,false]")

    def test_event_hash(self):
        value = {"b": [1, 2.5], "a": "\u00e9"}
        self.assertEqual(event_hash(value),
                         hashlib.sha256('{"a":"\u00e9","b":[1,2.5]}'.encode("utf-8")).hexdigest())
        self.assertEqual(event_hash({}),
                         "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a")


class PathTests(unittest.TestCase):
    def test_path_format(self):
        self.assertEqual(json_path_key(json_path_key("$", "fields"), "count"), "$.fields.count")
        self.assertEqual(json_path_index("$", 3), "$[3]")
        self.assertEqual(json_path_key("$", "a b"), '$["a b"]')
        self.assertEqual(json_path_key(json_path_index(json_path_key("$", "a"), 0), "x-y"),
                         '$.a[0]["x-y"]')
        self.assertEqual(json_path_key("$", "_$a1"), "$._$a1")
        self.assertEqual(json_path_key("$", "1a"), '$["1a"]')
        self.assertEqual(json_path_key("$", ""), '$[""]')
        self.assertEqual(json_path_key("$", "\u00e9"), '$["\u00e9"]')  # raw
        self.assertEqual(json_path_key("$", 'q"\n'), '$["q\\"\\n"]')
        self.assertEqual(json_path_key("$", "\ud800"), '$["\\ud800"]')


class RejectTests(unittest.TestCase):
    def assertNotIJson(self, text, path):
        with self.assertRaises(NotIJson) as ctx:
            canonical_json(parse_i_json(text))
        self.assertEqual(ctx.exception.path, path)
        return ctx.exception

    def test_duplicate_keys(self):
        self.assertNotIJson('{"a":1,"a":2}', "$.a")
        self.assertNotIJson('{"a":{"b":1,"b":2}}', "$.a.b")
        self.assertNotIJson('[{"ok":1},{"k":1,"k":1}]', "$[1].k")
        self.assertNotIJson('{"a":1,"\\u0061":2}', "$.a")
        self.assertNotIJson('{"x y":1,"x y":2}', '$["x y"]')

    def test_lone_surrogates(self):
        self.assertNotIJson('{"s":"\\ud800"}', "$.s")
        self.assertNotIJson('["ok","\\udc00"]', "$[1]")
        self.assertNotIJson('"\\udc00\\ud800"', "$")
        self.assertNotIJson('{"a":[{"b":"x\\udfffy"}]}', "$.a[0].b")
        self.assertNotIJson('{"\\ud800":1}', '$["\\ud800"]')

    def test_overflow(self):
        self.assertNotIJson("1e400", "$")
        self.assertNotIJson('{"a":[-1e400]}', "$.a[0]")
        self.assertNotIJson("1" * 400, "$")
        self.assertNotIJson("1" * 5000, "$")  # beyond int()'s digit limit
        # Underflow is not an error: it is the nearest double, 0.
        self.assertEqual(canonical_json(parse_i_json("1e-400")), "0")

    def test_first_problem_in_document_order(self):
        self.assertNotIJson('{"b":1e400,"a":"\\ud800"}', "$.b")
        self.assertNotIJson('[{"a":1,"a":2},"\\ud800"]', "$[0].a")
        err = self.assertNotIJson('{"a":1e400,"a":1}', "$.a")
        self.assertIn("double", err.reason)
        err = self.assertNotIJson('{"a":1,"a":1e400}', "$.a")
        self.assertIn("duplicate", err.reason)

    def test_syntax(self):
        for text in ["[NaN]", '{"a":Infinity}', "-Infinity", "[1,2,]", "{'a':1}",
                     '{"a":1 /* no */}', "[01]", '"a\tb"', "[0x10]", "", '"\\x41"',
                     "{} {}", "\ufeff{}", "[1.]", "[.5]", "[+1]", "tru", '{"a"}']:
            with self.subTest(text=text):
                with self.assertRaises(JsonSyntax):
                    parse_i_json(text)

    def test_canonical_json_refuses_python_values(self):
        cases = [
            (float("nan"), "$"),
            ({"a": [1, float("inf")]}, "$.a[1]"),
            ([float("-inf")], "$[0]"),
            ({"s": "x\udc00"}, "$.s"),
            ({"\ud800": 1}, '$["\\ud800"]'),
            ({"t": (1, 2)}, "$.t"),
            ({"b": b"bytes"}, "$.b"),
            ({"n": {1: "x"}}, "$.n"),
            ([10 ** 400], "$[0]"),
            # Document (insertion) order, not sorted order.
            ({"z": float("nan"), "a": float("inf")}, "$.z"),
        ]
        for value, path in cases:
            with self.subTest(value=repr(value)):
                with self.assertRaises(NotIJson) as ctx:
                    canonical_json(value)
                self.assertEqual(ctx.exception.path, path)


class RetracedTests(unittest.TestCase):
    def test_golden_vectors(self):
        with open(GOLDEN_RETRACED, encoding="utf-8") as f:
            vectors = json.load(f)["vectors"]
        self.assertEqual(len(vectors), 4)
        for v in vectors:
            with self.subTest(id=v["id"]):
                self.assertEqual(retraced_hash_target(v["event"], v["id"]), v["hashTarget"])
                self.assertEqual(retraced_hash(v["event"], v["id"]), v["hash"])

    def test_hash_is_sha256_of_target(self):
        event = {"action": "a", "fields": {"k": "\u00e9"}}
        self.assertEqual(retraced_hash(event, "x"),
                         hashlib.sha256("x:a:::::0:0:k=\u00e9;".encode("utf-8")).hexdigest())

    def test_fields_and_metadata(self):
        t = retraced_hash_target
        self.assertEqual(t({"action": "a"}, "abc"), "abc:a:::::0:0::")
        self.assertEqual(t({"action": "a", "fields": {}}, "abc"), "abc:a:::::0:0:")
        self.assertEqual(t({"action": "a", "metadata": {}}, "abc"), "abc:a:::::0:0:::")
        self.assertEqual(t({"action": "a", "external_id": "e:%=;", "metadata": {"b": "2", "a": "1"}},
                           "abc"), "abc:a:::::0:0:::e%3A%25=;:a=1;b=2;")
        self.assertEqual(t({"action": "a", "external_id": ""}, "abc"), "abc:a:::::0:0::")
        self.assertEqual(t({"action": "a", "fields": {"k=1;": "v=2;", "%:": ":%", "e": ""}}, "abc"),
                         "abc:a:::::0:0:%25%3A=%3A%25;e=;k%3D1%3B=v%3D2%3B;")
        # Keys sort by UTF-16 code units: U+1F600 (D83D DE00) before U+FFFF.
        self.assertEqual(t({"action": "a", "fields": {"\uffff": "1", "\U0001F600": "2", "z": "3"}},
                           "abc"), "abc:a:::::0:0:z=3;\U0001F600=2;\uffff=1;")

    def test_absent_and_empty_subjects(self):
        t = retraced_hash_target
        for empty in [None, "", {}]:
            with self.subTest(empty=empty):
                event = {"action": "a", "group": empty, "target": empty,
                         "actor": empty, "source_ip": empty}
                self.assertEqual(t(event, "abc"), "abc:a:::::0:0::")
        self.assertEqual(t({"action": "a:b%", "target": {"id": "t:%"}, "actor": {"id": "%3A"},
                            "group": {"id": "::"}, "source_ip": "2001:db8::1",
                            "is_failure": True, "is_anonymous": 1}, "id:%"),
                         "id%3A%25:a%3Ab%25:t%3A%25:%253A:%3A%3A:2001%3Adb8%3A%3A1:1:1::")

    def test_refusals(self):
        cases = [
            ({"action": "a"}, "", "id"),
            ({"action": "a"}, None, "id"),
            ({"crud": "c"}, "abc", "$.action"),
            ({"action": ""}, "abc", "$.action"),
            ({"action": "a", "group": {"name": "Acme"}}, "abc", "$.group.id"),
            ({"action": "a", "target": {"type": "doc"}}, "abc", "$.target.id"),
            ({"action": "a", "actor": {"name": "Jane", "id": ""}}, "abc", "$.actor.id"),
            # Order: group before target before actor.
            ({"action": "a", "actor": {"x": 1}, "target": {"x": 1}, "group": {"x": 1}},
             "abc", "$.group.id"),
            ({"action": "a", "actor": {"x": 1}, "target": {"x": 1}}, "abc", "$.target.id"),
            # id is checked before action.
            ({}, "", "id"),
        ]
        for event, id_, path in cases:
            with self.subTest(event=event, id=id_):
                with self.assertRaises(MissingField) as ctx:
                    retraced_hash_target(event, id_)
                self.assertEqual(ctx.exception.path, path)


if __name__ == "__main__":
    unittest.main()
