#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The udev rules modemux ships (data/*.rules) are well-formed and
documented. Two checks of different strength:

1. A lint, everywhere: every rule line is `KEY[{attr}]OP"value"` pairs
   separated by commas, with udev's keys and operators (match operators on
   match keys, assignments on assignment keys), every GOTO has its LABEL, and
   every tag a rule sets is listed in docs/udev-tags.md.
2. systemd's own parser, where it can run (root, unshare, udevadm): the
   rules alone (ModemManager's hidden) in a private mount namespace, through
   `udevadm test` on the loopback netdev; udevadm reports any line it cannot
   parse ("Invalid key/value pair"), and lo must not become a candidate.
   Debian 12 has systemd 252, which has no `udevadm verify` (253).

Usage: test_udev_rules.py [RULES...] (default: data/*.rules)."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SRC = os.environ.get('MX_SOURCE_ROOT',
                     os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
RULES = sys.argv[1:] or sorted(glob.glob(os.path.join(SRC, 'data', '*.rules')))
del sys.argv[1:]

MATCH_KEYS = {'ACTION', 'DEVPATH', 'KERNEL', 'KERNELS', 'NAME', 'SYMLINK', 'SUBSYSTEM',
              'SUBSYSTEMS', 'DRIVER', 'DRIVERS', 'TAG', 'TAGS', 'TEST', 'PROGRAM', 'RESULT',
              'CONST'}
MATCH_ATTR_KEYS = {'ATTR', 'ATTRS', 'ENV', 'SYSCTL', 'TEST', 'CONST'}
ASSIGN_KEYS = {'NAME', 'SYMLINK', 'OWNER', 'GROUP', 'MODE', 'TAG', 'RUN', 'LABEL', 'GOTO',
               'IMPORT', 'OPTIONS'}
ASSIGN_ATTR_KEYS = {'ENV', 'ATTR', 'SYSCTL', 'RUN', 'IMPORT', 'SECLABEL'}
PAIR = re.compile(r'\s*([A-Z]+)(\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')


def parse_line(line):
    """[(key, attr, op, value)] or raises ValueError naming the problem."""
    pairs, rest = [], line
    while rest.strip():
        m = PAIR.match(rest)
        if not m:
            raise ValueError(f'not a KEY OP "value" pair at: {rest.strip()!r}')
        pairs.append((m.group(1), m.group(3), m.group(4), m.group(5)))
        rest = rest[m.end():]
        if rest.strip():
            if not rest.lstrip().startswith(','):
                raise ValueError(f'missing comma before: {rest.strip()!r}')
            rest = rest.lstrip()[1:]
    return pairs


def lint(path):
    problems, labels, gotos, tags = [], set(), [], set()
    for n, raw in enumerate(open(path), 1):
        line = raw.rstrip('\n')
        if not line.strip() or line.lstrip().startswith('#'):
            continue
        if line.endswith('\\'):
            problems.append(f'{path}:{n}: line continuation not expected')
            continue
        try:
            pairs = parse_line(line)
        except ValueError as e:
            problems.append(f'{path}:{n}: {e}')
            continue
        for key, attr, op, value in pairs:
            if op in ('==', '!='):
                ok = key in (MATCH_ATTR_KEYS if attr is not None else MATCH_KEYS)
            else:
                ok = key in (ASSIGN_ATTR_KEYS if attr is not None else ASSIGN_KEYS)
            if not ok:
                problems.append(f'{path}:{n}: {key}{{{attr}}} {op}: not a udev key for this operator'
                                if attr is not None else
                                f'{path}:{n}: {key} {op}: not a udev key for this operator')
            if key == 'LABEL':
                labels.add(value)
            elif key == 'GOTO':
                gotos.append((n, value))
            elif key == 'ENV' and op == '=' and not attr.startswith('.'):
                tags.add(attr)
    for n, label in gotos:
        if label not in labels:
            problems.append(f'{path}:{n}: GOTO "{label}" has no LABEL')
    return problems, tags


class ShippedRules(unittest.TestCase):
    def test_there_are_rules_to_check(self):
        self.assertTrue(RULES, 'no data/*.rules found')

    def test_every_line_is_a_well_formed_rule(self):
        for path in RULES:
            problems, _ = lint(path)
            self.assertEqual(problems, [], '\n'.join(problems))

    def test_every_tag_set_is_documented(self):
        doc = open(os.path.join(SRC, 'docs', 'udev-tags.md')).read()
        for path in RULES:
            _, tags = lint(path)
            self.assertTrue(tags, path)
            for tag in sorted(tags):
                self.assertTrue(f'`{tag}`' in doc, f'{tag} (set by {path}) is not in docs/udev-tags.md')
            self.assertTrue(os.path.basename(path) in doc,
                            f'{os.path.basename(path)} is not described in docs/udev-tags.md')

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which('unshare') and shutil.which('udevadm'),
                         'udevadm test needs root, unshare and udevadm')
    def test_systemd_parses_every_line(self):
        # A private mount namespace: the host's rules, database and /run stay untouched.
        # Exit 77: no private mounts here (a container without CAP_SYS_ADMIN).
        script = ('for d in /etc/udev/rules.d /lib/udev/rules.d /run; do '
                  '[ ! -d "$d" ] || mount -t tmpfs none "$d" || exit 77; done; '
                  'set -e; cp "$@" /etc/udev/rules.d/; '
                  'udevadm test --action=add /sys/class/net/lo 2>&1')
        r = subprocess.run(['unshare', '-m', '--propagation', 'private', 'sh', '-c', script, 'sh']
                           + RULES, capture_output=True, text=True, timeout=60)
        if r.returncode == 77 or 'unshare failed' in r.stderr:
            self.skipTest('no private mount namespace: ' + r.stderr.strip())
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout
        for path in RULES:
            self.assertIn(f'Reading rules file: /etc/udev/rules.d/{os.path.basename(path)}', out, out)
        bad = [l for l in out.splitlines() if '/etc/udev/rules.d/' in l and
               re.search(r'invalid|ignoring|unknown|error|failed', l, re.I)]
        self.assertEqual(bad, [], '\n'.join(bad))
        # lo has no modem driver in its chain: never a candidate.
        self.assertNotIn('ID_MM_CANDIDATE=1', out, out)


if __name__ == '__main__':
    unittest.main(verbosity=2)
