#!/usr/bin/env python3
"""Compare bee's kernel-test results across kernels and print the matrix.

    report.py --kernel NAME=SPEC [--kernel NAME=SPEC ...] [--primary NAME]
              [--table FILE] [--markdown FILE] [--note TEXT]

SPEC is either `dir:DIR` (one cmocka log per test binary, DIR/NAME.log, with
an optional DIR/NAME.rc holding its exit status) or `serial:FILE` (the guest's
results port, see scripts/kmatrix/init). The first kernel is the host's.

Prints, for the guest kernels, one line per test case as tests/run.sh counts
them (`ok K:BIN.CASE`, `skip K:BIN.CASE: reason`, `FAIL K:BIN.CASE: why`), a
FAIL line for every case that failed on the host, then the table. A case
fails the matrix when it fails on any kernel, when it did not run on a guest
kernel where it ran on the host, or when a guest kernel that has the feature
(--has) skipped it naming that feature: a skip must be the kernel's doing,
never the harness's. Exit status 1 when anything failed.
"""
import argparse
import os
import re
import sys

RUN = re.compile(r"^\[ RUN      \] (\S+)")
OK = re.compile(r"^\[       OK \] (\S+)")
FAILED = re.compile(r"^\[  (FAILED|ERROR)  ?\] (\S+)$")
SKIPPED = re.compile(r"^\[  SKIPPED \] (\S+)$")
SKIP_WHY = re.compile(r"^(?:skip|SKIP): ([^:]+): (.*)$")
ERROR_WHY = re.compile(r"^(?:ERROR: |\[   LINE   \] --- )(.*)$")
SUMMARY = re.compile(r"^\[==========\] .*\d+ test\(s\) run\.")


class Case:
    def __init__(self, status, why=""):
        self.status = status  # pass | skip | fail
        self.why = why


def parse_cmocka(lines, rc):
    """Cases of one test binary: {case: Case}, plus a binary-level problem."""
    cases, order = {}, []
    cur, why_skip, why_fail, done = None, "", [], False
    errors, loose, setup = [], [], None
    for raw in lines:
        line = raw.rstrip("\r\n")
        if re.match(r"^\[  (FAILED|ERROR)  ?\] GROUP (SETUP|TEARDOWN)", line):
            setup = "group %s failed%s" % (line.split()[-1].lower(),
                                           ": " + "; ".join(loose[-2:]) if loose else "")
            continue
        if not line.startswith("[") and not cur and line.strip():
            loose.append(line.strip())
        m = RUN.match(line)
        if m:
            cur, why_skip, why_fail = m.group(1), "", []
            continue
        if SUMMARY.match(line):
            done = True
            cur = None
            continue
        m = SKIP_WHY.match(line)
        if m and cur:
            why_skip = m.group(2).strip()
            continue
        m = ERROR_WHY.match(line)
        if m:
            errors.append(m.group(1).strip())
            if cur:
                why_fail.append(m.group(1).strip())
            continue
        if not cur:
            continue
        m = OK.match(line)
        if m and m.group(1) == cur:
            cases[cur] = Case("pass")
            order.append(cur)
            cur = None
            continue
        m = SKIPPED.match(line)
        if m and m.group(1) == cur:
            cases[cur] = Case("skip", why_skip or "no reason printed")
            order.append(cur)
            cur = None
            continue
        m = FAILED.match(line)
        if m and m.group(2) == cur:
            cases[cur] = Case("fail", "; ".join(dict.fromkeys(why_fail)) or "failed")
            order.append(cur)
            cur = None
            continue
    # The failure text of cmocka goes to stderr; in a log written without
    # line buffering it may land after the case: give unexplained failures
    # whatever error lines the binary printed.
    for c in cases.values():
        if c.status == "fail" and c.why == "failed" and errors:
            c.why = "; ".join(dict.fromkeys(errors))
    problem = setup
    if cur:
        what = "timed out" if rc in (124, 137) else f"crashed (exit {rc})" if rc else "stopped"
        cases[cur] = Case("fail", f"{what} in this case")
        order.append(cur)
    if problem:
        pass
    elif rc in (124, 137) and not done:
        problem = "the binary was stopped at its time limit (KMX_TEST_TIMEOUT)"
    elif not done and not cur:
        if rc is None or rc != 0:
            problem = f"no cmocka summary (exit {rc if rc is not None else '?'})"
    elif rc not in (None, 0) and not any(c.status == "fail" for c in cases.values()):
        problem = f"exit {rc} with no failed case"
    return cases, order, problem


def load_dir(d):
    res = {}
    if not os.path.isdir(d):
        return res
    for f in sorted(os.listdir(d)):
        if not f.endswith(".log"):
            continue
        name = f[:-4]
        rc = None
        rcf = os.path.join(d, name + ".rc")
        if os.path.exists(rcf):
            try:
                rc = int(open(rcf).read().strip())
            except ValueError:
                rc = None
        with open(os.path.join(d, f), errors="replace") as fh:
            res[name] = parse_cmocka(fh.readlines(), rc)
    return res


def load_serial(path):
    """Results and INFO of one guest run (one boot, or several one after
    the other); 'complete' is False when the last boot never printed KMX
    DONE (time limit, lockup, panic)."""
    res, info, complete, started = {}, {}, False, False
    cur, buf = None, []
    try:
        fh = open(path, errors="replace")
    except OSError:
        return res, info, False, False
    for raw in fh:
        line = raw.rstrip("\r\n")
        if line.startswith("KMX "):
            parts = line.split()
            if parts[1] == "BEGIN":
                # another boot (after a lockup): a binary the last one
                # stopped inside runs again in this one
                cur, complete = None, False
                started = True
                info["kernel"] = line.split("kernel=", 1)[-1]
            elif parts[1] == "INFO" and "=" in line:
                k, v = line[9:].split("=", 1)
                info[k] = v
            elif parts[1] == "TEST" and parts[3] == "START":
                cur, buf = parts[2], []
            elif parts[1] == "TEST" and parts[3] == "END":
                rc = int(parts[4].split("=")[1])
                res[parts[2]] = parse_cmocka(buf, rc)
                info["secs:" + parts[2]] = parts[5].split("=")[1] if len(parts) > 5 else "?"
                cur = None
            elif parts[1] == "DONE":
                complete = True
            continue
        if cur:
            buf.append(line)
    if cur:  # the guest stopped inside this binary
        res[cur] = parse_cmocka(buf, 124)
    return res, info, complete, started


# Features the guest kernel has (checked against skip reasons). A reason that
# also names something the kernel lacks (tcx, kprobe.multi, ...) is the
# kernel's own and stands.
PRESENT = {
    "kprobe": r"\bk(?:ret)?probes?\b(?![._]multi)",
    "fentry/fexit": r"\bf(?:entry|exit)\b|\btrampolines?\b",
    "lsm": r"\b(?:bpf[ _])?lsm\b",
    "tp_btf": r"\btp_btf\b|\bbtf[- ]typed tracepoint",
    "xdp": r"\bxdp\b",
    "clsact tc": r"\bclsact\b|\bcls_bpf\b|\btc\b(?!x)",
    "cgroup": r"\bcgroups?(?:\s*v2)?\b",
    "perf_event": r"\bperf[_ ]events?\b",
    "uprobe": r"\bu(?:ret)?probes?\b(?![._]multi)",
}
LACKS_61 = r"\btcx\b|[._]multi\b|\bfprobe|\bnetkit\b|\bbpf[_ ]token\b|\barena\b|" \
    r"\b(?:6\.(?:[2-9]|\d\d)|[7-9]\.\d+)\b"


# A reason that says the feature is missing or refused (as opposed to a test
# for kernels without it, skipped because "this kernel has kprobes").
ABSENT = r"\bno\b|\bnot\b|n't\b|\black|\bwithout\b|\brefus|\bmissing\b|\bunavailable\b|" \
    r"\bdisabled\b|\boff\b|\bunsupported\b|\bcannot\b|\bfail|\bE[A-Z]{3,}\b|denied|permitted"


def unjustified(why, has):
    w = why.lower()
    if re.search(LACKS_61, w):
        return None
    if re.search(r"\bneeds? root\b|\bnot root\b", w):
        return "root"
    if not re.search(ABSENT, why, re.I):
        return None
    for feat in has:
        if feat in PRESENT and re.search(PRESENT[feat], w):
            return feat
    return None


def short(s, n):
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", action="append", required=True)
    ap.add_argument("--has", default=",".join(PRESENT))
    ap.add_argument("--table")
    ap.add_argument("--markdown")
    ap.add_argument("--note", default="")
    a = ap.parse_args()
    has = [h for h in a.has.split(",") if h]

    kernels = []  # (label, results, info, complete)
    for spec in a.kernel:
        label, src = spec.split("=", 1)
        kind, path = src.split(":", 1)
        if kind == "dir":
            kernels.append((label, load_dir(path), {}, True, True))
        else:
            r, info, complete, started = load_serial(path)
            kernels.append((label, r, info, complete, started))

    # rows: every (binary, case) seen anywhere, binaries in name order
    bins = sorted({b for k in kernels for b in k[1]})
    rows = []
    for b in bins:
        seen = []
        for k in kernels:
            if b in k[1]:
                for c in k[1][b][1]:
                    if c not in seen:
                        seen.append(c)
        rows += [(b, c) for c in seen]
        if any(b in k[1] and k[1][b][2] for k in kernels):
            rows.append((b, None))  # binary-level problem row

    lines, failed = [], 0
    cells = {}
    host = kernels[0][0]
    for (label, res, info, complete, started) in kernels:
        for (b, c) in rows:
            if b not in res:
                if label == host:
                    cell = Case("skip", "not run on the host")
                else:
                    why = "guest stopped before it (time limit)" if started else "guest did not start"
                    cell = Case("fail", f"not run on {label}: {why}")
            elif c is None:
                prob = res[b][2]
                cell = Case("fail", prob) if prob else Case("pass")
            elif c not in res[b][0]:
                cell = Case("fail", f"did not run on {label}" +
                            (f" ({res[b][2]})" if res[b][2] else " (it ran on another kernel)"))
            else:
                cell = res[b][0][c]
            if label != host and cell.status == "skip":
                feat = unjustified(cell.why, has)
                if feat:
                    cell = Case("fail", f"skipped on {label}, which has {feat}: {cell.why}")
            cells[(label, b, c)] = cell
            name = f"{b}.{c}" if c else b
            if label != host:
                if cell.status == "pass":
                    lines.append(f"ok {label}:{name}")
                elif cell.status == "skip":
                    lines.append(f"skip {label}:{name}: {cell.why}")
            if cell.status == "fail":
                lines.append(f"FAIL {label}:{name}: {cell.why}")
                failed += 1
    print("\n".join(lines))

    # the table: cells with footnotes for skip and fail reasons
    notes, note_ids = [], {}

    def cell_text(cell):
        if cell.status == "pass":
            return "pass"
        key = (cell.status, cell.why)
        if key not in note_ids:
            notes.append(key)
            note_ids[key] = len(notes)
        return f"{cell.status if cell.status == 'skip' else 'FAIL'} [{note_ids[key]}]"

    header = ["test case"] + [k[0] for k in kernels]
    body = []
    for (b, c) in rows:
        body.append([f"{b}.{c}" if c else f"{b} (binary)"] +
                    [cell_text(cells[(k[0], b, c)]) for k in kernels])
    counts = []
    for k in kernels:
        st = [cells[(k[0], b, c)].status for (b, c) in rows if c]
        counts.append(f"{k[0]}: {st.count('pass')} pass, {st.count('skip')} skip, "
                      f"{st.count('fail')} fail")
    widths = [max(len(r[i]) for r in [header] + body) for i in range(len(header))]
    out = []
    if a.note:
        out.append(a.note)
    out.append("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    out.append("  ".join("-" * w for w in widths))
    for r in body:
        out.append("  ".join(v.ljust(w) for v, w in zip(r, widths)))
    out.append("")
    for i, (st, why) in enumerate(notes, 1):
        out.append(f"[{i}] {st}: {why}")
    out.append("totals: " + "; ".join(counts))
    text = "\n".join(out)
    print(text)
    if a.table:
        with open(a.table, "w") as fh:
            fh.write(text + "\n")
    if a.markdown:
        md = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for r in body:
            md.append("| " + " | ".join(v.replace("|", "\\|") for v in r) + " |")
        md.append("")
        for i, (st, why) in enumerate(notes, 1):
            md.append(f"{i}. {st}: {why.replace('|', '/')}")
        md.append("")
        md.append("Totals: " + "; ".join(counts) + ".")
        with open(a.markdown, "w") as fh:
            fh.write("\n".join(md) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
