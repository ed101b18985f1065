#!/usr/bin/env python3
"""What a test run says, from its .trx files (one per test project), ending in one line:

    N passed, N failed            (", N skipped" is added when tests were skipped)

Above that line it prints, when there are any:
  - each failed test (outcome Failed, Error, Timeout or Aborted): full name, test project,
    the first lines of its message and of its stack trace;
  - each run-level error: what VSTest's TRX logger keeps in <RunInfos> with outcome="Error",
    e.g. xunit's "[Test Class Cleanup Failure (...)]" / "[Test Collection Cleanup Failure (...)]"
    (their message and stack trace come from the run's StdOut) or "The active test run was
    aborted. Reason: Test host process crashed ...". xunit's "<test> [FAIL]" run infos of tests
    already listed are left out;
  - with --exit-code N (N != 0, what dotnet test returned) and --log FILE, when the trx files show
    neither: the lines of the log that look like the reason (error, crash, abort, failure; the
    last 40), or its last 40 lines.

"failed" counts the outcomes failed, error, timeout and aborted; "skipped" is total - executed.
--names prints one line per failure ("FAIL <test>" / "RUN-ERROR <its first line>") instead of the
details (scripts/flake-hunt.sh uses it).

Exit: 0 when nothing failed; 1 when a test failed or there was a run-level error; 2 when no trx
file was given or one cannot be read (not XML, no <Counters>). Needs only python3.
"""

import argparse
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
FAILED_OUTCOMES = {"Failed", "Error", "Timeout", "Aborted"}
MESSAGE_LINES = 15
STACK_LINES = 6
RUN_ERROR_LINES = 15
LOG_LINES = 40
LINE_WIDTH = 400

XUNIT_PREFIX = re.compile(r"^\[xUnit\.net \d\d:\d\d:\d\d\.\d+\] ?")
# "[Test Class Cleanup Failure (Ns.Class)] System.OperationCanceledException"
XUNIT_FAILURE = re.compile(r"^\[(?P<what>[^\[\]]*Failure[^\]]*)\] (?P<type>[\w.`+<>\[\],]+)$")
LOG_REASON = re.compile(r"error|crash|abort|failure|fail!|timed out", re.IGNORECASE)
# Async frames that say nothing about where a test failed.
STACK_NOISE = re.compile(
    r"--- End of stack trace from previous location|"
    r"System\.Runtime\.ExceptionServices\.ExceptionDispatchInfo\.|"
    r"System\.Runtime\.CompilerServices\.TaskAwaiter"
)


class Unreadable(Exception):
    pass


def clip(line):
    return line if len(line) <= LINE_WIDTH else line[: LINE_WIDTH - 3] + "..."


def first_lines(text, limit, skip=None):
    lines = [line.rstrip() for line in (text or "").strip("\n").splitlines()]
    lines = [line for line in lines if line.strip() and not (skip and skip.search(line))]
    shown = [clip(line) for line in lines[:limit]]
    if len(lines) > limit:
        shown.append(f"... ({len(lines) - limit} more lines)")
    return shown


def indent_of(body):
    return len(body) - len(body.lstrip(" "))


def xunit_details(stdout_lines, start, exc_type):
    """The message and stack trace xunit wrote to the run's StdOut for a cleanup failure:
    a line "<6 spaces><type> : message", more message lines at that indent, "Stack Trace:",
    frames indented deeper. Returns ((message, stack), index after the block) or (None, start)."""
    for i in range(start, len(stdout_lines)):
        body = stdout_lines[i]
        if indent_of(body) == 6 and (
            body.strip() == exc_type or body.strip().startswith(exc_type + " :")
        ):
            message, stack = [body.strip()], []
            j = i + 1
            while j < len(stdout_lines):
                b = stdout_lines[j]
                if indent_of(b) == 6 and b.strip() == "Stack Trace:":
                    j += 1
                    while j < len(stdout_lines) and indent_of(stdout_lines[j]) > 6:
                        stack.append(stdout_lines[j].strip())
                        j += 1
                    break
                if indent_of(b) < 6:
                    break
                message.append(b[6:].rstrip())
                j += 1
            return (message, stack), j
    return None, start


def read_trx(path):
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as e:
        raise Unreadable(f"cannot read {path}: {e}")
    counters = root.find("t:ResultSummary/t:Counters", NS)
    if counters is None:
        raise Unreadable(f"no <Counters> in {path}")
    counts = {k: int(v) for k, v in counters.attrib.items() if v.isdigit()}

    # The test project, for the reader: the assembly the tests came from.
    project = None
    for method in root.iterfind("t:TestDefinitions/t:UnitTest/t:TestMethod", NS):
        code_base = method.get("codeBase")
        if code_base:
            project = os.path.splitext(os.path.basename(code_base))[0]
            break
    stdout = root.findtext("t:ResultSummary/t:Output/t:StdOut", "", NS)
    stdout_lines = [XUNIT_PREFIX.sub("", line) for line in stdout.splitlines()]
    if project is None:  # no test finished (a crashed host): xunit's "Discovering: <assembly>"
        found = [line.split(":", 1)[1].strip() for line in stdout_lines if line.strip().startswith("Discovering:")]
        project = found[0] if found else os.path.basename(path)

    failures = []
    for result in root.iterfind(".//t:UnitTestResult", NS):
        outcome = result.get("outcome", "")
        if outcome not in FAILED_OUTCOMES:
            continue
        info = result.find("t:Output/t:ErrorInfo", NS)
        message = info.findtext("t:Message", "", NS) if info is not None else ""
        stack = info.findtext("t:StackTrace", "", NS) if info is not None else ""
        failures.append(
            {
                "name": result.get("testName", "?"),
                "outcome": outcome,
                "project": project,
                "message": first_lines(message, MESSAGE_LINES),
                "stack": first_lines(stack, STACK_LINES, STACK_NOISE),
            }
        )

    failed_names = {f["name"] for f in failures}
    cursor = 0
    run_errors = []
    for info in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo", NS):
        if info.get("outcome") != "Error":
            continue
        text = info.findtext("t:Text", "", NS).strip("\n")
        head = XUNIT_PREFIX.sub("", text.splitlines()[0] if text else "").strip()
        if head.endswith(" [FAIL]") and head[: -len(" [FAIL]")] in failed_names:
            continue  # xunit's one-liner for a test listed above
        details = None
        m = XUNIT_FAILURE.match(head)
        if m:
            details, cursor = xunit_details(stdout_lines, cursor, m.group("type"))
        if details:
            message, stack = details
            lines = [f"[{m.group('what')}]"] + message
        else:
            # e.g. a crashed test host: the reason, then the frames ("at ...") of where it died.
            rest = text.splitlines()[1:]
            message = [head] + [line for line in rest if not line.lstrip().startswith("at ")]
            stack = [line for line in rest if line.lstrip().startswith("at ")]
            lines = message
        run_errors.append(
            {
                "title": head,
                "project": project,
                "message": first_lines("\n".join(lines), RUN_ERROR_LINES),
                "stack": first_lines("\n".join(stack), STACK_LINES, STACK_NOISE),
            }
        )
    return counts, failures, run_errors


def log_excerpt(log_path):
    try:
        with open(log_path, encoding="utf-8", errors="replace") as f:
            lines = [line.rstrip("\n") for line in f]
    except OSError as e:
        return [f"(cannot read {log_path}: {e.strerror})"]
    reasons = [line for line in lines if LOG_REASON.search(line)]
    picked = reasons[-LOG_LINES:] if reasons else lines[-LOG_LINES:]
    return [clip(line) for line in picked]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trx", nargs="*", help=".trx files, one per test project")
    parser.add_argument("--exit-code", type=int, default=0, help="what dotnet test returned")
    parser.add_argument("--log", help="the dotnet test log, quoted when nothing else explains a non-zero exit")
    parser.add_argument("--names", action="store_true", help="one line per failure instead of details")
    args = parser.parse_args()

    out = []
    if not args.trx:
        if args.log and args.exit_code != 0:
            out.append(f"== dotnet test exited with {args.exit_code} and wrote no .trx file; from {args.log}:")
            out += ["  " + line for line in log_excerpt(args.log)]
            print("\n".join(out), flush=True)
        print("test-report: no .trx files", file=sys.stderr)
        return 2

    sums, failures, run_errors = {}, [], []
    try:
        for path in args.trx:
            counts, f, r = read_trx(path)
            for k, v in counts.items():
                sums[k] = sums.get(k, 0) + v
            failures += f
            run_errors += r
    except Unreadable as e:
        print(f"test-report: {e}", file=sys.stderr)
        return 2

    if args.names:
        out += [f"FAIL {f['name']}" for f in failures]
        out += [f"RUN-ERROR {r['title']}" for r in run_errors]
    else:
        if failures:
            out.append(f"== Failed tests ({len(failures)})")
            for f in failures:
                outcome = "" if f["outcome"] == "Failed" else f" [{f['outcome']}]"
                out.append(f"FAIL {f['name']}{outcome} ({f['project']})")
                out += ["    " + line for line in f["message"]]
                out += ["      " + line.lstrip() for line in f["stack"]]
        if run_errors:
            out.append(f"== Run-level errors ({len(run_errors)}): not tied to one test, but they fail the run")
            for r in run_errors:
                out.append(f"RUN-ERROR ({r['project']}) {r['message'][0]}")
                out += ["    " + line for line in r["message"][1:]]
                out += ["      " + line.lstrip() for line in r["stack"]]
        if args.exit_code != 0 and not failures and not run_errors and args.log:
            out.append(
                f"== dotnet test exited with {args.exit_code} but no failure is in the trx files; from {args.log}:"
            )
            out += ["  " + line for line in log_excerpt(args.log)]

    passed = sums.get("passed", 0)
    failed = sum(sums.get(k, 0) for k in ("failed", "error", "timeout", "aborted"))
    # xunit records skipped tests as not executed: total - executed.
    skipped = sums.get("total", 0) - sums.get("executed", 0)
    final = f"{passed} passed, {failed} failed"
    if skipped > 0:
        final += f", {skipped} skipped"
    out.append(final)
    print("\n".join(out), flush=True)
    return 1 if failed > 0 or failures or run_errors else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as e:  # a bug here must not pass for "tests failed" (exit 1)
        print(f"test-report: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(2)
