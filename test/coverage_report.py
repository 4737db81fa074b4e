#!/usr/bin/env python3
"""What the tests reach, from the gcov data of a coverage build.

    cmake -S . -B build-cov -DRVJIT_COVERAGE=ON && cmake --build build-cov
    (run tests and fuzzers from build-cov)
    python3 test/coverage_report.py build-cov [--gaps] [--json FILE]

Reads every .gcno/.gcda pair under the build directory through
`gcov --json-format --stdout` (gcc's own gcov, written against gcc 12; no
other package) and reports, from the counts of functions and lines:

  - line and function coverage of core/, jit/, devices/, cli/, loader/,
    fdt/ and user/, and the functions never called;
  - for each core/insn.def row: whether exec_<name> (the semantics the
    interpreter runs, and the translator's fallback and slow paths) ran,
    and, for a row with EMIT(kind), whether the translator's emitter ran
    for it: the `case INSN_<name>` group in jit/emit_*.c when the emitter
    switches on the row, else emit_<kind> as a whole (marked "kind");
  - for each CSR: whether its case (or range test) in read_csr and
    write_csr of core/csr.c was entered;
  - for each device: which register cases and offset tests of its MMIO
    handlers were entered.

gcov counts lines, not case labels: labels that share code count as one
group, and a group that code above can fall into is marked "+fall"
(its count includes the fall-through). A range test (hpmcounter3..31,
pmpaddr0..15) says the range was reached, not which numbers in it. The
source files are read as they are now: one changed since the build is
reported, since its line numbers may no longer fit the counts.

Exits 1 when there is no coverage data (not a coverage build, or nothing
has run yet).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIRS = ["core", "jit", "devices", "cli", "loader", "fdt", "user"]

# Each device's MMIO handlers (and the functions they dispatch registers
# to). A name that no longer exists is reported, so renames show up here.
DEVICES = [
    ("uart16550", "devices/uart16550.c", ["uart_read", "uart_write"]),
    ("clint (aclint mtimer/mswi)", "devices/clint.c", ["clint_read", "clint_write"]),
    ("plic", "devices/plic.c", ["plic_read", "plic_write"]),
    ("goldfish rtc", "devices/goldfish_rtc.c", ["read_reg", "write_reg"]),
    ("syscon (test finisher)", "devices/syscon.c", ["syscon_write"]),
    ("htif", "devices/htif.c", ["htif_store"]),
    ("virtio-mmio", "devices/virtio_mmio.c",
     ["virtio_mmio_read", "virtio_mmio_write", "write_queue_reg"]),
    ("virtio-pci", "devices/virtio_pci.c", ["bar_read", "bar_write", "common_write"]),
    ("pcie host", "devices/pcie_host.c",
     ["pcie_host_config_read", "pcie_host_config_write", "ecam_read", "ecam_write"]),
    ("virtio-blk config", "devices/virtio_blk.c", ["blk_config_read"]),
    ("virtio-net config", "devices/virtio_net.c", ["net_config_read"]),
    ("virtio-rng config", "devices/virtio_rng.c", ["rng_config_read"]),
    ("virtio-input config", "devices/virtio_input.c",
     ["input_config_read", "input_config_write", "config_union"]),
]
# An if in a handler is a register test when its condition names one of these.
OFFSET_WORDS = re.compile(r"\b(off|offset|addr|reg|at|pa|device|command|select|touches)\b")


def die(msg):
    sys.stderr.write("coverage_report: " + msg + "\n")
    sys.exit(1)


# ---- gcov ----

def load_gcov(build):
    """Sum gcov's counts over every object file: lines[(file, line)] and
    funcs[(file, name)] = [start, end, count]."""
    gcnos, gcdas = [], 0
    for d, _, files in os.walk(build):
        for f in files:
            if f.endswith(".gcno"):
                gcnos.append(os.path.join(d, f))
            elif f.endswith(".gcda"):
                gcdas += 1
    if not gcnos:
        die("no .gcno files under %s: not a coverage build "
            "(cmake -DRVJIT_COVERAGE=ON, then build)" % build)
    if not gcdas:
        die("no .gcda files under %s: nothing has run since the build "
            "(run ctest and the fuzzers from it first)" % build)
    if not shutil.which("gcov"):
        die("no gcov on PATH (it comes with gcc)")
    lines, funcs = {}, {}
    for i in range(0, len(gcnos), 64):
        # gcov says "cannot open data file" of objects that never ran
        # (they count as zero), so its stderr is shown only when it
        # gives nothing at all.
        r = subprocess.run(["gcov", "--json-format", "--stdout"] + gcnos[i:i + 64], cwd=build,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False,
                           universal_newlines=True)
        if not r.stdout.strip():
            die("gcov gave no data:\n" + r.stderr[-2000:])
        for doc in r.stdout.splitlines():
            if not doc.strip():
                continue
            doc = json.loads(doc)
            built = os.path.getmtime(os.path.join(build, doc["data_file"]))
            for f in doc["files"]:
                path = os.path.realpath(os.path.join(build, f["file"]))
                if not path.startswith(ROOT + os.sep):
                    continue  # system headers
                rel = os.path.relpath(path, ROOT)
                BUILT[rel] = max(BUILT.get(rel, 0), built)
                for ln in f["lines"]:
                    key = (rel, ln["line_number"])
                    lines[key] = lines.get(key, 0) + ln["count"]
                for fn in f["functions"]:
                    key = (rel, fn["name"])
                    e = funcs.setdefault(key, [fn["start_line"], fn["end_line"], 0])
                    e[2] += fn["execution_count"]
    if not lines:
        die("the gcov data under %s is not of the sources in %s" % (build, ROOT))
    if not any(c for c in lines.values()):
        die("every count is zero: run the tests from %s first" % build)
    return lines, funcs


# ---- source structure ----

_sources = {}
BUILT = {}  # source -> when the newest object compiled from it was built


def source(rel):
    """The lines of rel, which the counts' line numbers must still fit."""
    if rel not in _sources:
        path = os.path.join(ROOT, rel)
        built = BUILT.get(rel, max(BUILT.values(), default=0))
        if os.path.getmtime(path) > built:
            sys.stderr.write("coverage_report: warning: %s changed after the build: its line "
                             "numbers may not match the counts (rebuild and run again)\n" % rel)
        with open(path, encoding="utf-8") as f:
            _sources[rel] = f.read().split("\n")
    return _sources[rel]


def strip_comments(line, state):
    """The line without comments; state[0] is True inside a block comment."""
    out, i = "", 0
    while i < len(line):
        if state[0]:
            j = line.find("*/", i)
            if j < 0:
                return out
            state[0], i = False, j + 2
        else:
            j, k = line.find("/*", i), line.find("//", i)
            if k >= 0 and (j < 0 or k < j):
                return out + line[i:k]
            if j < 0:
                return out + line[i:]
            out += line[i:j] + " "
            state[0], i = True, j + 2
    return out


def code_lines(rel, start, end):
    """(line number, code) of lines start..end, comments removed; a line
    with a fall-through comment keeps the word fallthrough."""
    state, res = [False], []
    for n in range(start, end + 1):
        raw = source(rel)[n - 1]
        code = strip_comments(raw, state)
        if re.search(r"fall[- ]?through|falls? through", raw, re.I):
            code += " fallthrough"
        res.append((n, code))
    return res


def count_at(lines, rel, n):
    return lines.get((rel, n))


CASE = re.compile(r"^\s*(case\s+(.+?)|default)\s*:(?!:)")
JUMP = re.compile(r"^\s*(break|return|continue|goto)\b")


def case_groups(lines, rel, start, end):
    """The case groups of the switches in lines start..end: a list of
    (labels, count, may_fall_into)."""
    cl = code_lines(rel, start, end)
    groups, i = [], 0
    while i < len(cl):
        n, code = cl[i]
        m = CASE.match(code)
        if not m:
            i += 1
            continue
        labels, first = [], i
        while i < len(cl):
            m = CASE.match(cl[i][1])
            if m:
                labels.append(m.group(2).strip() if m.group(2) else "default")
                rest = cl[i][1][m.end():].strip()
                i += 1
                if rest and rest != "{":
                    break  # code on the label's line
            elif not cl[i][1].strip():
                i += 1
            else:
                break
        counts = [count_at(lines, rel, cl[j][0]) for j in range(first, i)]
        counts = [c for c in counts if c is not None]
        if not counts and i < len(cl):  # the first statement's count
            counts = [count_at(lines, rel, cl[i][0]) or 0]
        groups.append((labels, max(counts) if counts else 0, may_fall(cl, first)))
    return groups


def may_fall(cl, first):
    """Can the code before the case group at index first fall into it?"""
    j = first - 1
    while j >= 0 and not cl[j][1].strip():
        j -= 1
    if j < 0:
        return False
    code = cl[j][1].strip()
    if "fallthrough" in code:
        return True
    if re.search(r"\bswitch\s*\(.*\{$", code) or CASE.match(cl[j][1]):
        return False
    while code == "}" and j > 0:  # the block's last statement decides
        j -= 1
        while j >= 0 and not cl[j][1].strip():
            j -= 1
        code = cl[j][1].strip()
    # Back to the start of the statement that ends on line j.
    while j > 0 and not re.search(r"[;{}:]\s*$", cl[j - 1][1].strip() or ";"):
        j -= 1
    return not JUMP.match(cl[j][1])


def if_arms(lines, rel, start, end, want):
    """The if / else if tests in lines start..end whose condition matches
    want: a list of (condition, count of the first line of its body)."""
    cl = code_lines(rel, start, end)
    arms, tested = [], {}
    for i, (n, code) in enumerate(cl):
        m = re.search(r"\bif\s*\(", code)
        if not m:
            continue
        depth, cond, j, k = 0, "", i, m.end() - 1
        while j < len(cl):  # the condition may span lines
            text = cl[j][1]
            while k < len(text):
                ch = text[k]
                depth += ch == "("
                depth -= ch == ")"
                cond += ch
                k += 1
                if depth == 0:
                    break
            if depth == 0:
                break
            j, k, cond = j + 1, 0, cond + " "
        if depth or not want.search(cond):
            continue
        after = cl[j][1][k:].strip()
        if after not in ("", "{"):
            continue  # body on the test's line: its count is the test's
        body = next((cl[b][0] for b in range(j + 1, len(cl))
                     if count_at(lines, rel, cl[b][0]) is not None), None)
        cond = re.sub(r"\s+", " ", cond[1:-1]).strip()
        arms.append((cond, (count_at(lines, rel, body) or 0) if body else 0))
        tested[i] = cond
    # The last else of a chain of register tests: the offsets none matched.
    for i, (n, code) in enumerate(cl):
        if not re.fullmatch(r"\s*(\}\s*)?else\s*\{?\s*", code):
            continue
        ind = indent(code)
        j = i - 1
        while j >= 0 and not (indent(cl[j][1]) == ind and re.match(r"\s*(\}\s*)?(else\s+)?if\b",
                                                                 cl[j][1])):
            j -= 1
        if j < 0 or j not in tested:
            continue
        body = next((cl[b][0] for b in range(i + 1, len(cl))
                     if count_at(lines, rel, cl[b][0]) is not None), None)
        arms.append(("else, after %s" % tested[j], (count_at(lines, rel, body) or 0) if body
                     else 0))
    return arms


def indent(code):
    wide = code.expandtabs(8)
    return len(wide) - len(wide.lstrip()) if wide.strip() else -1


def func_range(funcs, rel, name):
    e = funcs.get((rel, name))
    return (e[0], e[1], e[2]) if e else None


# ---- the reports ----

def overall(lines, funcs):
    rows = []
    for d in DIRS:
        ls = [c for (f, _), c in lines.items() if f.startswith(d + "/")]
        fs = [e[2] for (f, _), e in funcs.items() if f.startswith(d + "/")]
        if ls:
            rows.append((d + "/", sum(1 for c in ls if c), len(ls),
                         sum(1 for c in fs if c), len(fs)))
    tl = sum(r[1] for r in rows), sum(r[2] for r in rows)
    tf = sum(r[3] for r in rows), sum(r[4] for r in rows)
    rows.append(("total", tl[0], tl[1], tf[0], tf[1]))
    return rows


INSN_ROW = re.compile(r"^INSN\(\s*(\w+)\s*,\s*\"([^\"]*)\".*?(EMIT\((\w+)\)|NONE)\s*,\s*"
                      r"(EXT(?:_WITH)?\([^)]*\))\s*\)")


def insn_rows(lines, funcs):
    rows = []
    for line in source("core/insn.def"):
        m = INSN_ROW.match(line)
        if m:
            rows.append((m.group(1), m.group(2), m.group(4), m.group(5)))
    listed = sum(1 for line in source("core/insn.def") if line.startswith("INSN("))
    if not rows or len(rows) != listed:
        die("parsed %d of the %d INSN rows of core/insn.def: update INSN_ROW" % (len(rows), listed))
    by_name = {}
    for (f, name), e in funcs.items():
        by_name.setdefault(name, []).append((f, e))
    # Every `case INSN_x` group in the emitters, by the function it is in.
    emit_cases = {}  # insn name -> [(function, count)]
    for (f, name), (s, e, _) in funcs.items():
        if not re.match(r"jit/emit_\w+\.c$", f):
            continue
        for labels, count, _ in case_groups(lines, f, s, e):
            for lab in labels:
                m = re.fullmatch(r"INSN_(\w+)", lab)
                if m:
                    emit_cases.setdefault(m.group(1), []).append((name, count))
    out = []
    for name, mnem, kind, ext in rows:
        ex = by_name.get("exec_" + name)
        exec_count = sum(e[2] for _, e in ex) if ex else None
        emit, how = None, ""
        if kind:
            fn = by_name.get("emit_" + kind)
            kind_count = sum(e[2] for _, e in fn) if fn else None
            cases = emit_cases.get(name, [])
            own = [c for f, c in cases if f == "emit_" + kind]
            if own or cases:
                emit, how = sum(own or [c for _, c in cases]), "case"
            else:
                emit, how = kind_count, "kind"
        out.append((name, mnem, ext, kind, exec_count, emit, how))
    return out


def csr_report(lines, funcs):
    names = {}
    for line in source("core/csr.h"):
        m = re.match(r"\s*(CSR_\w+)\s*=\s*(0x[0-9a-fA-F]+)", line)
        if m:
            names[m.group(1)] = int(m.group(2), 16)
    table = {}  # label -> {"read": count, "write": count}
    order = []
    for side, fn in (("read", "read_csr"), ("write", "write_csr")):
        r = func_range(funcs, "core/csr.c", fn)
        if not r:
            die("core/csr.c has no %s in the gcov data" % fn)
        for labels, count, fall in case_groups(lines, "core/csr.c", r[0], r[1]):
            if labels == ["default"]:
                continue
            label = "/".join(l.replace("CSR_", "").lower() for l in labels)
            if label not in table:
                order.append(label)
            table.setdefault(label, {})[side] = count
        for cond, count in if_arms(lines, "core/csr.c", r[0], r[1], re.compile(r"\bcsr\s*>=")):
            rng = re.findall(r"csr\s*>=\s*(CSR_\w+)\s*&&\s*csr\s*<=\s*(CSR_\w+)", cond)
            label = ", ".join("%s..%s" % (a.replace("CSR_", "").lower(),
                                          b.replace("CSR_", "").lower()) for a, b in rng) or cond
            if label not in table:
                order.append(label)
            table.setdefault(label, {})[side] = count
    rows = []
    for label in order:
        first = "CSR_" + re.split(r"[/.,]", label)[0].upper()
        rows.append((label, names.get(first), table[label].get("read"),
                     table[label].get("write")))
    extra = []
    for rel, fn in (("core/envcfg.c", "menvcfg_write"), ("core/envcfg.c", "senvcfg_write"),
                    ("core/envcfg.c", "stateen_read"), ("core/envcfg.c", "stateen_write"),
                    ("core/csr.c", "csr_debug_read"), ("core/csr.c", "csr_debug_write")):
        r = func_range(funcs, rel, fn)
        extra.append(("%s %s()" % (rel, fn), r[2] if r else None))
    return rows, extra


def device_report(lines, funcs):
    res = []
    for dev, rel, handlers in DEVICES:
        arms = []
        for fn in handlers:
            r = func_range(funcs, rel, fn)
            if not r:
                arms.append((fn, "(function not found: update DEVICES)", None, False))
                continue
            own = [(fn, "case " + "/".join(labels), count, fall)
                   for labels, count, fall in case_groups(lines, rel, r[0], r[1])]
            own += [(fn, cond if cond.startswith("else") else "if (%s)" % cond, count, False)
                    for cond, count in if_arms(lines, rel, r[0], r[1], OFFSET_WORDS)]
            # A handler with no register tests of its own (a config space
            # read through memcpy): being called is all there is to see.
            arms += own or [(fn, "(the whole function)", r[2], False)]
        res.append((dev, rel, arms))
    return res


def mark(count):
    return "-" if count is None else ("yes" if count else "NO")


SELF_TEST_C = r"""
static int sw(int x)
{
	switch (x) {
	case 1:
		return 10;
	case 2:
	case 3:
		return 20;
	case 4:
		x++;
		/* fall through */
	case 5:
		return x;
	default:
		break;
	}
	return 0;
}

static int chain(unsigned long off)
{
	if (off < 8)
		return 1;
	else if (off >= 16 &&
		 off < 32)
		return 2;
	else
		return 3;
}

int main(void)
{
	return sw(3) + sw(4) + sw(9) + chain(20) + chain(40) - 30;
}
"""


def self_test(cc):
    """Build a small program with --coverage, run it, and check what the
    parsers make of gcov's answer: the report depends on gcov's JSON and
    on how gcc counts case labels, which a new compiler could change."""
    import tempfile
    global ROOT
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "t.c"), "w") as f:
            f.write(SELF_TEST_C)
        subprocess.run([cc, "-O0", "--coverage", "-o", "t", "t.c"], cwd=tmp, check=True)
        subprocess.run(["./t"], cwd=tmp, check=True)
        ROOT = os.path.realpath(tmp)
        lines, funcs = load_gcov(tmp)
        s, e, n = func_range(funcs, "t.c", "sw")
        got = [("/".join(l), bool(c), fall) for l, c, fall in case_groups(lines, "t.c", s, e)]
        want = [("1", False, False), ("2/3", True, False), ("4", True, False),
                ("5", True, True), ("default", True, False)]
        s, e, _ = func_range(funcs, "t.c", "chain")
        arms = [(c, bool(k)) for c, k in if_arms(lines, "t.c", s, e, OFFSET_WORDS)]
        want_arms = [("off < 8", False), ("off >= 16 && off < 32", True),
                     ("else, after off >= 16 && off < 32", True)]
        if n != 3 or got != want or arms != want_arms:
            die("self-test: calls %d, cases %s, arms %s" % (n, got, arms))
    print("coverage_report: self-test passed")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("build", nargs="?", default=os.path.join(ROOT, "build-cov"))
    ap.add_argument("--gaps", action="store_true", help="the summary and the gaps only")
    ap.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    ap.add_argument("--self-test", metavar="CC", help="check the parsers on a program built "
                    "with the C compiler CC, then exit")
    a = ap.parse_args()
    if a.self_test:
        self_test(a.self_test)
        return
    if not os.path.isdir(a.build):
        die("no build directory %s" % a.build)
    lines, funcs = load_gcov(os.path.abspath(a.build))
    full = not a.gaps
    p = print

    p("== Overall (lines and functions with a nonzero count)")
    p("%-10s %20s %20s" % ("", "lines", "functions"))
    ov = overall(lines, funcs)
    for d, lh, lt, fh, ft in ov:
        p("%-10s %7d/%-6d %5.1f%% %7d/%-6d %5.1f%%" % (d, lh, lt, 100.0 * lh / lt, fh, ft,
                                                       100.0 * fh / max(ft, 1)))

    rows = insn_rows(lines, funcs)
    n_exec = sum(1 for r in rows if r[4])
    native = [r for r in rows if r[3]]
    n_emit = sum(1 for r in native if r[5])
    kinds = sorted({r[3] for r in native})
    kinds_hit = sorted({r[3] for r in native if (funcs_count(funcs, "emit_" + r[3]) or 0)})
    p("\n== core/insn.def rows: %d" % len(rows))
    p("exec_<name> ran:               %d/%d" % (n_exec, len(rows)))
    p("native emitter ran for row:    %d/%d rows with EMIT() (%d told by the row's case, "
      "%d by emit_<kind> as a whole)" % (n_emit, len(native),
                                         sum(1 for r in native if r[6] == "case"),
                                         sum(1 for r in native if r[6] == "kind")))
    p("emit_<kind> functions ran:     %d/%d" % (len(kinds_hit), len(kinds)))
    if full:
        p("%-14s %-16s %-22s %-12s %6s %6s" % ("row", "mnemonic", "ext", "emitter", "exec",
                                                "emit"))
        for name, mnem, ext, kind, ex, em, how in rows:
            p("%-14s %-16s %-22s %-12s %6s %6s%s" % (name, mnem, ext, kind or "NONE", mark(ex),
                                                     mark(em) if kind else "-",
                                                     " (kind)" if how == "kind" else ""))
    gaps = [r for r in rows if not r[4]]
    p("exec_<name> never ran (%d): %s" % (len(gaps), " ".join(r[1] for r in gaps) or "none"))
    gaps = [r for r in native if not r[5]]
    p("native emitter never ran for (%d): %s" % (
        len(gaps), " ".join("%s[%s]" % (r[1], r[3]) for r in gaps) or "none"))
    gaps = [k for k in kinds if k not in kinds_hit]
    p("emit_<kind> never ran: %s" % (" ".join(gaps) or "none"))

    csrs, extra = csr_report(lines, funcs)
    arms = [(c[2], c[3]) for c in csrs]
    p("\n== CSRs (core/csr.c read_csr/write_csr: %d case groups and ranges)" % len(csrs))
    p("read arms entered:  %d/%d" % (sum(1 for r, _ in arms if r), sum(1 for r, _ in arms
                                                                          if r is not None)))
    p("write arms entered: %d/%d" % (sum(1 for _, w in arms if w), sum(1 for _, w in arms
                                                                           if w is not None)))
    if full:
        wid = max(len(c[0]) for c in csrs)
        p("%-*s %6s %6s %6s" % (wid, "csr", "number", "read", "write"))
        for label, num, r, w in csrs:
            p("%-*s %6s %6s %6s" % (wid, label, "%#05x" % num if num is not None else "",
                                    mark(r), mark(w)))
        for what, c in extra:
            p("%-48s %s" % (what, mark(c)))
    p("never read: %s" % (" ".join(c[0] for c in csrs if c[2] == 0) or "none"))
    p("never written: %s" % (" ".join(c[0] for c in csrs if c[3] == 0) or "none"))

    devs = device_report(lines, funcs)
    p("\n== Device registers (case groups and offset tests in the MMIO handlers)")
    dsum = []
    for dev, rel, arms in devs:
        regs = arms
        hit = sum(1 for x in regs if x[2])
        dsum.append((dev, hit, len(regs)))
        p("%-28s %3d/%-3d  (%s)" % (dev, hit, len(regs), rel))
        for fn, what, count, fall in arms:
            if full or not count:
                p("    %-24s %-5s %s%s" % (fn, mark(count), what[:90], " +fall" if fall else ""))
    tot = (sum(d[1] for d in dsum), sum(d[2] for d in dsum))
    p("%-28s %3d/%-3d" % ("all devices", tot[0], tot[1]))

    p("\n== Functions never called")
    never = {}
    for (f, name), e in sorted(funcs.items()):
        if not e[2] and f.split("/")[0] in DIRS:
            never.setdefault(f, []).append(name)
    for f, names in never.items():
        p("%s: %s" % (f, " ".join(names)))

    if a.json:
        with open(a.json, "w") as f:
            json.dump({"overall": ov,
                       "insn": [dict(zip(("name", "mnemonic", "ext", "emitter", "exec", "emit",
                                          "emit_by"), r)) for r in rows],
                       "csr": [dict(zip(("csr", "number", "read", "write"), c)) for c in csrs],
                       "devices": [{"device": d, "file": rel,
                                    "arms": [dict(zip(("function", "arm", "count", "fall"), x))
                                             for x in arms]} for d, rel, arms in devs]},
                      f, indent=1)


def funcs_count(funcs, name):
    c = [e[2] for (_, n), e in funcs.items() if n == name]
    return sum(c) if c else None


if __name__ == "__main__":
    main()
