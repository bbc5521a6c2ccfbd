#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The hand-written tables of the l2tp-ipsec utility against netlink/l2tp_ipsec.yaml.

The utility and the fuzzer know the family through tables of their own. This test (TAP,
run by `make tools-test`) reads the spec and the sources and checks, for each table:

  parser    tools/l2tp-ipsec/l2tp-ipsec-msg.c, `static const uint8_t NAME_pol[]`: every attribute
            of a set but pads, and nothing else, with the kind its spec type means
            (u8 K_U8, u16 K_U16, u32 K_U32, s32 K_S32, u64 K_U64, flag K_FLAG,
            nest K_NEST, string K_STR, binary with display-hint ipv6 K_IN6)
  names     every `[L2TP_IPSEC_X] = "name"` and `{ "name", L2TP_IPSEC_X }` of
            tools/l2tp-ipsec/l2tp-ipsec-*.c: the string is the spec's name of X (an attribute or
            an enum entry); and l2tp-ipsec-print.c names every entry of every enum
  json      every literal JSON key of l2tp-ipsec-print.c is the name of an attribute,
            or X for an address that the spec carries as X-ipv4 and X-ipv6, or one of
            the utility's own keys (OWN_KEYS)
  events    l2tp-ipsec-print.c's event_name(): every event of the spec, named as the
            operation without its -ntf
  fuzzer    testing/tools/l2tp-ipsec-fuzz.c, `NAME_sz[]`: the payload size of each attribute,
            by value (u8 1, u16 2, u32/s32 4, u64 8, flag 0, nest NEST, string 8,
            ipv6 16)

The C names come from the spec the way ynl-gen-c.py makes them, and each must be in the
generated include/uapi/linux/l2tp_ipsec.h. No kernel tree needed: python3 and PyYAML.
Usage: test-spec-tables.py [TOP]   (TOP: the source tree, default this file's ../)
"""
import glob
import os
import re
import sys

import yaml

TOP = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..')
SPEC = os.path.join(TOP, 'netlink', 'l2tp_ipsec.yaml')
UAPI = os.path.join(TOP, 'include', 'uapi', 'linux', 'l2tp_ipsec.h')
UTIL = os.path.join(TOP, 'tools', 'l2tp-ipsec')
TESTING = os.path.join(TOP, 'testing', 'tools')

KIND = {'u8': 'K_U8', 'u16': 'K_U16', 'u32': 'K_U32', 's32': 'K_S32', 'u64': 'K_U64',
        'flag': 'K_FLAG', 'nest': 'K_NEST', 'string': 'K_STR'}
SIZE = {'u8': '1', 'u16': '2', 'u32': '4', 's32': '4', 'u64': '8', 'flag': '0',
        'nest': 'NEST', 'string': '8'}

# The utility's own JSON keys (l2tp-ipsec-print.c's opening comment): the lists of
# the view, in the plural, and an event's name, or the number of one it does not know.
OWN_KEYS = {'clients': 'L2TP_IPSEC_A_CLIENT', 'tunnels': 'L2TP_IPSEC_A_TUNNEL',
            'policies': 'L2TP_IPSEC_A_POLICY', 'event': None, 'cmd': None}

n_test = 0
n_fail = 0


def ok(cond, what, why=()):
    global n_test, n_fail
    n_test += 1
    print(f"{'ok' if cond else 'not ok'} {n_test} - {what}")
    if not cond:
        n_fail += 1
        for line in why:
            print(f'# {line}')


def c_upper(name):
    return name.upper().replace('-', '_')


def read(path):
    with open(path, encoding='utf-8') as f:
        return f.read()


def strip_comments(src):
    src = re.sub(r'/\*.*?\*/', ' ', src, flags=re.S)
    return re.sub(r'//[^\n]*', ' ', src)


spec = yaml.safe_load(read(SPEC))
family = spec['name'].replace('_', '-')
uapi = read(UAPI)

names = {}      # C name -> ('attribute' or 'enum entry', its name in the spec)
sets = {}       # set name -> [(value, attribute, C name, parser kind, fuzzer size)]
for aset in spec['attribute-sets']:
    pfx = aset.get('name-prefix', f"{family}-a-{aset['name']}-")
    val = 0
    sets[aset['name']] = []
    for attr in aset['attributes']:
        val = attr.get('value', val + 1)
        cname = c_upper(pfx + attr['name'])
        kind = KIND.get(attr['type'])
        size = SIZE.get(attr['type'])
        if attr['type'] == 'binary' and attr.get('display-hint') == 'ipv6':
            kind, size = 'K_IN6', '16'
        names[cname] = ('attribute', attr['name'])
        sets[aset['name']].append((val, attr, cname, kind, size))
enums = {}      # enum name -> {C name: entry name}
for d in spec.get('definitions', []):
    if d['type'] != 'enum':
        continue
    pfx = d.get('name-prefix', f"{family}-{d['name']}-")
    enums[d['name']] = {}
    for e in d['entries']:
        e = e if isinstance(e, str) else e['name']
        cname = c_upper(pfx + e)
        names[cname] = ('enum entry', e)
        enums[d['name']][cname] = e

ops = spec['operations']
op_pfx = ops.get('name-prefix', f'{family}-cmd-')
events = {c_upper(op_pfx + op['name']): op['name'] for op in ops['list'] if 'event' in op}
missing = [c for c in list(names) + list(events) if not re.search(rf'\b{c}\b', uapi)]
ok(not missing, f'the spec\'s {len(names)} attribute and enum names and {len(events)} events '
   'are in the UAPI header',
   [f'{c} not in {UAPI} (run make regen?)' for c in missing])

srcs = {os.path.basename(p): strip_comments(read(p))
        for p in sorted(glob.glob(os.path.join(UTIL, 'l2tp-ipsec-*.c')))}

# parser: the attribute tables of l2tp-ipsec-msg.c
tables = dict(re.findall(r'static const uint8_t (\w+)_pol\[[^\]]*\]\s*=\s*\{(.*?)\};',
                         srcs['l2tp-ipsec-msg.c'], re.S))
ok(tables, f'l2tp-ipsec-msg.c has attribute tables ({len(tables)})')
seen = set()
for tname, body in tables.items():
    entries = dict(re.findall(r'\[(\w+)\]\s*=\s*(\w+)', body))
    owners = {s for s, attrs in sets.items() for a in attrs if a[2] in entries}
    why = [f'{c}: not an attribute of the spec' for c in entries
           if names.get(c, ('',))[0] != 'attribute']
    if len(owners) != 1:
        why.append(f'its entries belong to {len(owners)} attribute sets: {sorted(owners)}')
        ok(False, f'{tname}_pol is one attribute set of the spec', why)
        continue
    sname = owners.pop()
    seen.add(sname)
    for val, attr, cname, kind, _ in sets[sname]:
        if attr['type'] == 'pad':
            if cname in entries:
                why.append(f'{cname}: a pad, not expected in the table')
            continue
        if cname not in entries:
            why.append(f"{cname} ({attr['type']}) missing")
        elif kind is None:
            why.append(f"{cname}: spec type {attr['type']} has no kind here")
        elif entries[cname] != kind:
            why.append(f"{cname} is {entries[cname]}, the spec's {attr['type']} means {kind}")
    ok(not why, f'{tname}_pol is attribute set {sname}: every attribute, its kind', why)
unseen = [s for s, attrs in sets.items() if any(a[1]['type'] != 'pad' for a in attrs)
          and s not in seen]
ok(not unseen, 'every attribute set has a table in l2tp-ipsec-msg.c',
   [f'no table for {s}' for s in unseen])

# names: the strings paired with UAPI names, in every file of the utility
why = []
pairs = 0
printed = {}
for fname, src in srcs.items():
    found = [(c, s) for c, s in re.findall(r'\[(L2TP_IPSEC_\w+)\]\s*=\s*"([^"]*)"', src)]
    found += [(c, s) for s, c in re.findall(r'\{\s*"([^"]*)"\s*,\s*(L2TP_IPSEC_\w+)\s*\}', src)]
    for c, s in found:
        if c not in names:
            continue
        pairs += 1
        if names[c][1] != s and OWN_KEYS.get(s) != c:
            why.append(f'{fname}: "{s}" for {c}, whose name in the spec is "{names[c][1]}"')
        if fname == 'l2tp-ipsec-print.c':
            printed[c] = s
ok(pairs and not why, f'the {pairs} strings the utility pairs with UAPI names are the spec\'s',
   why)
for ename, entries in enums.items():
    miss = [c for c in entries if c not in printed]
    ok(not miss, f'l2tp-ipsec-print.c names every entry of enum {ename}',
       [f'{c} has no name' for c in miss])

# json: the keys of l2tp-ipsec-print.c
attr_names = {a[1]['name'] for attrs in sets.values() for a in attrs}
keys = set(re.findall(r'\(\s*&?j\s*,\s*"([^"]*)"', srcs['l2tp-ipsec-print.c']))
bad = sorted(k for k in keys if k not in attr_names and k not in OWN_KEYS
             and not {f'{k}-ipv4', f'{k}-ipv6'} <= attr_names)
ok(keys and not bad, f'the {len(keys)} JSON keys of l2tp-ipsec-print.c are attribute names',
   [f'"{k}" is no attribute of the spec' for k in bad])

# events: the names the utility prints them by
m = re.search(r'event_name\(uint8_t cmd\)\s*\{(.*?)\n\}', srcs['l2tp-ipsec-print.c'], re.S)
named = dict(re.findall(r'case (L2TP_IPSEC_CMD_\w+):\s*return "([^"]*)";', m.group(1))) if m else {}
why = [f'{c}: no name' for c in events if c not in named]
why += [f'{c}: "{n}", not an event of the spec' for c, n in named.items() if c not in events]
why += [f'{c}: "{n}", the spec\'s operation is {events[c]}' for c, n in named.items()
        if c in events and n + '-ntf' != events[c]]
ok(named and not why, f'event_name() names the {len(events)} events as the spec', why)

# fuzzer: the payload sizes of l2tp-ipsec-fuzz.c, by attribute value
fuzz = dict(re.findall(r'static const uint8_t (\w+)_sz\[\]\s*=\s*\{([^}]*)\};',
                       strip_comments(read(os.path.join(TESTING, 'l2tp-ipsec-fuzz.c')))))
ok(fuzz, f'l2tp-ipsec-fuzz.c has payload size tables ({len(fuzz)})')
for tname, body in fuzz.items():
    sname = family if tname == 'top' else tname.replace('_', '-')
    if sname not in sets:
        ok(False, f'{tname}_sz is an attribute set of the spec', [f'no set {sname}'])
        continue
    sizes = [x.strip() for x in body.split(',') if x.strip()]
    want = ['0'] * (max(a[0] for a in sets[sname]) + 1)
    cnames = {}
    for val, attr, cname, _, size in sets[sname]:
        want[val] = size or '?'
        cnames[val] = cname
    why = [f'{len(sizes)} entries, the set has values 0..{len(want) - 1}'] \
        if len(sizes) != len(want) else []
    why += [f'[{i}] {sizes[i]}, {cnames.get(i, "no attribute")} is {want[i]}'
            for i in range(1, min(len(sizes), len(want))) if sizes[i] != want[i]]
    ok(not why, f'{tname}_sz has the payload size of each attribute of {sname}', why)

print(f'1..{n_test}')
sys.exit(1 if n_fail else 0)
