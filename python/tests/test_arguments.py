# SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
"""The binding checks every argument before ctypes sees it (ctypes wraps
integers to their C type and cuts strings at a NUL), and names the argument
when it refuses one. Driven by argument_table, which must list every
parameter of every public callable.

Needs the library (SRV6STEER_LIB) but no root: the calls run on a NULL
handle, an interface that does not exist and a directory that is not a bpf
filesystem, so anything that got past the binding's checks would fail in the
library with a SteeringError that is not a ValueError, and fail the test.
test_binding runs the same table on a real attachment.
Also compares the ctypes structs with the C compiler's view of srv6steer.h."""

from __future__ import annotations

import ctypes
import errno
import inspect
import os
import subprocess
import tempfile
import unittest

import srv6steer
from srv6steer import ArgumentError, Steering, SteeringError, _capi

import argument_table as table

REFUSED = (ValueError, OverflowError)


def public_callables() -> dict[str, inspect.Signature]:
    """Every public function of the package and public method of its classes."""
    out = {}
    for name in srv6steer.__all__:
        obj = getattr(srv6steer, name)
        if inspect.isfunction(obj) and obj.__module__.startswith("srv6steer"):
            out[name] = inspect.signature(obj)
        elif inspect.isclass(obj) and obj.__module__.startswith("srv6steer"):
            for attr, member in vars(obj).items():
                if attr.startswith("_"):
                    continue
                fn = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                if inspect.isfunction(fn):
                    out[f"{name}.{attr}"] = inspect.signature(fn)
    return out


class ArgumentChecks:
    """The table's checks, on self.env (set up by the subclass)."""

    env: table.Env

    def test_every_integer_out_of_range_is_refused_by_name(self):
        for arg in table.INTEGERS:
            for value in arg.bad_values():
                with self.subTest(callable=arg.callable, argument=arg.name, value=value):
                    with self.assertRaises(REFUSED) as cm:
                        arg.call(self.env, value)
                    self.assertIn(arg.name, str(cm.exception))

    def test_no_integer_takes_a_bool_or_a_float(self):
        for arg in table.INTEGERS:
            for value in (True, float(arg.lo)):
                with self.subTest(callable=arg.callable, argument=arg.name, value=value):
                    with self.assertRaises(TypeError) as cm:
                        arg.call(self.env, value)
                    self.assertIn(arg.name, str(cm.exception))

    def test_every_string_with_a_nul_is_refused_by_name(self):
        for arg in table.TEXTS:
            with self.subTest(callable=arg.callable, argument=arg.name):
                with self.assertRaises(ArgumentError) as cm:
                    arg.call(self.env, "10\x0001")
                self.assertIn(arg.name, str(cm.exception))
                self.assertIn("NUL", str(cm.exception))

    def test_no_string_takes_an_integer(self):
        for arg in table.TEXTS:
            with self.subTest(callable=arg.callable, argument=arg.name):
                with self.assertRaises((TypeError, ValueError)):
                    arg.call(self.env, 2**32 + 1)

    def test_other_parameters_take_no_integer(self):
        for arg in table.OTHERS:
            with self.subTest(callable=arg.callable, argument=arg.name):
                with self.assertRaises((TypeError, ValueError)):
                    arg.call(self.env, 2**32 + 1)

    def test_the_cases_of_the_issue(self):
        s = self.env.steering
        with self.assertRaises(REFUSED) as cm:
            s.pin_flow(table._flow(), path=2**32 + 1)
        self.assertIn("path 4294967297 is out of range", str(cm.exception))
        with self.assertRaises(ArgumentError) as cm:
            s.add_path(7, "10\x0001")
        self.assertIn("usids", str(cm.exception))
        self.assertEqual(cm.exception.errno, 22, "an ArgumentError is a SteeringError with EINVAL")
        self.assertIsInstance(cm.exception, SteeringError)


class OnNullHandle(ArgumentChecks, unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="srv6steer-args-")
        self.env = table.Env(Steering(0, "srv6snone0", self.tmp.name), "srv6snone0", self.tmp.name)

    def tearDown(self):
        self.env.steering._h = None  # nothing to close
        self.tmp.cleanup()

    def test_a_null_handle_reaches_the_library(self):
        """The premise of this class: valid arguments do reach the library,
        which refuses the NULL handle (so a check the binding lacks shows)."""
        with self.assertRaises(SteeringError) as cm:
            self.env.steering.pin_flow(table._flow(), path=1)
        self.assertNotIsInstance(cm.exception, ValueError)
        self.assertIn("no handle", str(cm.exception))


class Connect(unittest.TestCase):
    def test_no_agent_there_says_so(self):
        path = "/nonexistent/srv6steer/agent.sock"
        with self.assertRaises(SteeringError) as cm:
            Steering.connect(path)
        self.assertIn(cm.exception.errno, (errno.ENOENT, errno.ECONNREFUSED))
        self.assertIn(path, str(cm.exception))
        self.assertNotIsInstance(cm.exception, ValueError)


class Table(unittest.TestCase):
    def test_covers_every_parameter_of_every_public_callable(self):
        declared = table.covered()
        seen = set()
        for name, sig in public_callables().items():
            params = [p for p in sig.parameters if p not in ("self", "cls")]
            if not params:
                self.assertIn(name, table.NO_PARAMETERS, f"{name}() is not in the table")
            for p in params:
                seen.add((name, p))
                self.assertIn((name, p), declared, f"parameter {p} of {name} is not in argument_table")
        self.assertEqual(declared - seen, set(), "the table lists parameters the binding does not have")

    def test_every_integer_parameter_has_a_range(self):
        ints = {(a.callable, a.param) for a in table.INTEGERS}
        for name, sig in public_callables().items():
            for p, param in sig.parameters.items():
                if "int" in str(param.annotation):
                    self.assertIn((name, p), ints, f"{name}({p}: {param.annotation}) has no range in the table")


class Layouts(unittest.TestCase):
    """The ctypes structs against srv6steer.h as the C compiler lays it out."""

    STRUCTS = {
        "srv6s_attach_opts": _capi.AttachOpts, "srv6s_pin_opts": _capi.PinOpts, "srv6s_status": _capi.Status,
        "srv6s_owned_route": _capi.OwnedRoute, "srv6s_counter": _capi.Counter, "srv6s_flow": _capi.Flow,
        "srv6s_flow_pin": _capi.FlowPin, "srv6s_pin_info": _capi.PinInfo, "srv6s_flow_entry": _capi.FlowEntry,
        "srv6s_qp_entry": _capi.QpEntry, "srv6s_prefix_entry": _capi.PrefixEntry,
        "srv6s_socket_pin": _capi.SocketPin, "srv6s_socket_entry": _capi.SocketEntry,
        "srv6s_cgroup_entry": _capi.CgroupEntry,
        "srv6s_rx_attach_opts": _capi.RxAttachOpts, "srv6s_sid_opts": _capi.SidOpts,
        "srv6s_rx_settings": _capi.RxSettings, "srv6s_rx_sid": _capi.RxSid, "srv6s_rx_path": _capi.RxPath,
    }

    def test_every_field_where_the_compiler_puts_it(self):
        include = os.environ.get("SRV6STEER_INCLUDE",
                                 os.path.join(os.path.dirname(__file__), "..", "..", "include"))
        lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "srv6steer/srv6steer.h"', "int main(void) {"]
        expected = []
        for cname, struct in self.STRUCTS.items():
            lines.append(f'printf("%zu\\n", sizeof(struct {cname}));')
            expected.append((cname, "sizeof", ctypes.sizeof(struct)))
            for field, *_ in struct._fields_:
                lines.append(f'printf("%zu\\n", offsetof(struct {cname}, {field}));')
                expected.append((cname, field, getattr(struct, field).offset))
        lines.append('printf("%d\\n", SRV6S_ABI_VERSION); return 0; }')
        expected.append(("SRV6S_ABI_VERSION", "", _capi.ABI_VERSION))
        with tempfile.TemporaryDirectory() as tmp:
            src, exe = os.path.join(tmp, "layout.c"), os.path.join(tmp, "layout")
            with open(src, "w") as f:
                f.write("\n".join(lines))
            cc = os.environ.get("CC", "cc")
            subprocess.run([cc, "-std=c99", "-Wall", "-Werror", "-I", include, "-o", exe, src], check=True)
            got = [int(x) for x in subprocess.run([exe], check=True, capture_output=True, text=True).stdout.split()]
        self.assertEqual(len(got), len(expected))
        for (cname, field, want), value in zip(expected, got):
            self.assertEqual(want, value, f"{cname} {field}: ctypes says {want}, the C compiler {value}")


if __name__ == "__main__":
    unittest.main()
