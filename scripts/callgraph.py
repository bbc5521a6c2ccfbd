#!/usr/bin/env python3
"""The module's call graph by file: which kmod/*.c calls a non-static l2tpi_ function
of which other file, and the circles (strongly connected components) in it.

    scripts/callgraph.py                  print it
    scripts/callgraph.py --update FILE    put it between FILE's markers
                                          (<!-- callgraph: begin --> ... end -->)
    scripts/callgraph.py --check FILE     fail if FILE's copy is not the sources' graph

It reads the sources as text (comments stripped): a call through a function pointer
or a macro is not an edge.
"""
import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- callgraph: begin -->", "<!-- callgraph: end -->"


def graph():
    src, defs = {}, {}
    for path in sorted(glob.glob(os.path.join(TOP, "kmod", "*.c"))):
        name = os.path.basename(path)[:-2]
        text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
        src[name] = re.sub(r"//[^\n]*", "", text)
        for m in re.finditer(r"^(?!static)[a-z][^\n;{}()]*?\b(l2tpi_\w+)\s*\(", src[name], re.M):
            defs.setdefault(m.group(1), name)
    edges = {name: set() for name in src}
    for name, text in src.items():
        for fn in set(re.findall(r"\b(l2tpi_\w+)\s*\(", text)):
            if defs.get(fn, name) != name:
                edges[name].add(defs[fn])
    return edges


def circles(edges):
    """Tarjan's strongly connected components with more than one file."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(edges[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def render(edges):
    lines = ["file           calls"]
    for name in sorted(edges, key=lambda n: (-len(edges[n]), n)):
        lines.append(f"{name + '.c':14} {' '.join(sorted(edges[name])) or '-'}")
    cs = circles(edges)
    lines.append("")
    if cs:
        for c in cs:
            lines.append(f"circle of {len(c)} files: {' '.join(c)}")
    else:
        lines.append("no circle")
    return "\n".join(lines)


def main():
    out = render(graph())
    if len(sys.argv) == 3 and sys.argv[1] in ("--update", "--check"):
        doc = sys.argv[2]
        text = open(doc).read()
        if text.count(BEGIN) != 1 or text.count(END) != 1:
            sys.exit(f"{doc}: no callgraph markers")
        head, rest = text.split(BEGIN)
        tail = rest.split(END)[1]
        new = f"{head}{BEGIN}\n```\n{out}\n```\n{END}{tail}"
        if sys.argv[1] == "--update":
            open(doc, "w").write(new)
        elif new != text:
            sys.exit(f"{doc}: the call graph is not the sources' (scripts/callgraph.py --update {doc})")
    elif len(sys.argv) == 1:
        print(out)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
