#!/usr/bin/env python3
"""bench/load's arithmetic and Markdown, kept out of bash.

    report.py result JSON          one wrk run (common.lua's LOAD_RESULT line) as
                                   "req/s p50_ms p99_ms non_2xx_3xx socket_errors"
    report.py render RESULTS.tsv   the docs/PERFORMANCE.md section, markers included
    report.py splice DOC SECTION   put SECTION between DOC's markers, or at its end if it has none
"""

import json
import statistics
import sys
from collections import defaultdict

START, END = "<!-- load:start -->", "<!-- load:end -->"

SCENARIOS = {
    "child": "GET `/api/v1/children/{id}`",
    "course": "GET `/api/v1/courses/{id}`",
    "worklist": "GET `/api/v1/worklists/deadlines`",
    "html": "HTML `/` and `/courses/{id}`",
    "mixed": "mixed: 70 % reads, 30 % writes",
}

RSS_TARGET_MB = 150


def target(backend, scenario):
    """(minimum req/s or None, maximum p99 ms) as the project set them."""
    if scenario in ("child", "course"):
        return (15000 if backend == "SQLite" else None, 50)
    if scenario in ("worklist", "html"):
        return (2000, 100)
    return (6000 if backend == "SQLite" else 3000, 50)


def numbers(run):
    seconds = run["duration_us"] / 1e6
    socket = run["connect_errors"] + run["read_errors"] + run["write_errors"] + run["timeouts"]
    return {
        "rps": run["requests"] / seconds if seconds else 0.0,
        "p50": run["p50_us"] / 1000,
        "p99": run["p99_us"] / 1000,
        "status": run["status_errors"],
        "socket": socket,
    }


def thousands(x):
    return f"{x:,.0f}".replace(",", " ")


def ratio(x):
    # Two significant digits below 1, so that a slow scenario does not read as 0.0×.
    return f"{x:.1f}×" if x >= 1 else f"{x:.2f}×"


def result(line):
    n = numbers(json.loads(line))
    print(f"{n['rps']:.0f} {n['p50']:.1f} {n['p99']:.1f} {n['status']} {n['socket']}")


def load(path):
    meta, backends, runs, rss = {}, defaultdict(dict), defaultdict(list), {}
    order = []
    with open(path) as f:
        for raw in f:
            kind, *rest = raw.rstrip("\n").split("\t")
            if kind == "meta":
                meta[rest[0]] = rest[1]
            elif kind == "backend":
                backends[rest[0]][rest[1]] = rest[2]
            elif kind == "run":
                key = (rest[0], rest[1])
                if key not in order:
                    order.append(key)
                runs[key].append((rest[2], numbers(json.loads(rest[3]))))
            elif kind == "rss":
                rss[(rest[0], rest[1])] = (int(rest[2]) / 1024, int(rest[3]) / 1024)
    return meta, backends, runs, rss, order


def render(path):
    meta, backends, runs, rss, order = load(path)
    quick = meta["quick"] == "1"
    warmup, duration, nruns = meta["warmup"], meta["duration"], int(meta["runs"])
    out = []
    w = out.append
    w(START)
    w("## HTTP load (`bench/load`)")
    w("")
    w("Written by `bench/load` between the `load:start` and `load:end` markers; `bench/run` carries it "
      "over unchanged. Run `bench/load` again for new numbers (`bench/load --help` for the options).")
    w("")
    if quick:
        w(f"**This was a quick run** (`--quick`: {warmup} s warm-up, then one run of {duration} s per "
          "scenario), made to try the script out. Its numbers are rougher than a full run's; do not "
          "compare them with one.")
        w("")
    w("```sh")
    w(meta["command"])
    w("```")
    w("")
    w("### How it is measured")
    w("")
    w(f"- **Tool**: wrk ({meta['wrk']}, Debian package `wrk`, installed by the script when missing): "
      f"`wrk -t2 -c64 -d{duration}s --latency --timeout 10s -s bench/load.d/SCENARIO.lua`, i.e. 2 threads "
      "and 64 concurrent clients on keep-alive connections, each sending its next request when the "
      "previous answer has arrived. Latency is from sending a request to having read its answer; "
      "the 10 s timeout (wrk's default is 2 s) lets a slow server show as latency, not as errors.")
    if quick:
        w(f"- **Runs**: {warmup} s warm-up (not reported), then {nruns} run of {duration} s per scenario "
          "(`--quick`; a full run has a 10 s warm-up and 3 runs of 30 s, reporting the median).")
    else:
        w(f"- **Runs**: per scenario a {warmup} s warm-up (not reported), then {nruns} runs of {duration} s; "
          "the run with the median requests/s is reported, with its own p50 and p99.")
    w("- **Errors**: answers outside 2xx/3xx plus socket errors (connect, read, write, timeout), "
      "summed over the warm-up and every run. Any error makes `bench/load` say so, print the first "
      "failing answers and exit 1 without writing this section, so every number here comes from "
      "runs in which every request succeeded.")
    w("- **Server**: the release build (`cargo build --release --locked -p samspor`, target folder "
      "`~/.cache/samspor-bench-target`), `samspor serve --addr 127.0.0.1:0` with `SAMSPOR_LOG=error` "
      "(no request logs), one server process per backend, all scenarios in turn. "
      f"**The machine has {meta['nproc']} cores, shared by the server, "
      + ("wrk and the PostgreSQL server" if "postgres" in meta else "and wrk")
      + "**, so the numbers are a floor for a server with the machine to itself.")
    hwm_note = ("from server start (resetting it was refused)" if meta.get("hwm_cumulative")
                else "reset before each scenario's warm-up (`echo 5 > /proc/PID/clear_refs`), so each row's peak is its own")
    w(f"- **Server peak RSS**: `VmHWM` from `/proc/PID/status` of the server after the scenario's last "
      f"run, {hwm_note}; MB = 2^20 bytes.")
    w("- **fsync limit**: the disk's rate of single-row durable commits, one after the other on one "
      "connection, measured in the same run just before the backend's scenarios. Every read and write "
      "of personal data appends an audit entry in its own transaction, so the `× fsync limit` column "
      "(requests/s divided by it) shows how far a scenario gets past one commit per request.")
    w("")
    w("### Data set")
    w("")
    w(f"Per backend a fresh database (SQLite: a data folder in the temp folder; PostgreSQL: a new "
      f"database `samspor_bench_<random>` on the server, dropped afterwards), filled with "
      f"`samspor demo {meta['seed_args']}`. The demo gives each municipality the same few "
      f"dozen courses whatever its number of children, so `bench/load.d/prepare.py` then opens "
      f"{meta['extra_courses']} more contacts for København's children through the API as its "
      "coordinator, as staff would: a quarter left waiting (received over the last 60 days), a quarter "
      "given a Forsamtale, a Screening and a visitation decision for the STIME track *worry_sadness* "
      "(in treatment; children aged 7-16, others are left waiting), half given the same encounters "
      "and a decision guiding the family to their GP (closed). It writes the id lists the wrk "
      "scripts rotate over (every child, every course, the courses in treatment, the children old "
      "enough for the SDQ parent form).")
    w("")
    w("| backend | demo | seeding s | preparing s | København children | courses | active (worklist) | worklist body | in treatment |")
    w("|---|---|--:|--:|--:|--:|--:|--:|--:|")
    for b, m in backends.items():
        p = json.loads(m["prepared"])
        demo = m["demo"].replace("demo data created with seed 7: ", "")
        w(f"| {b} | {demo} | {float(m['seed_s']):.1f} | {float(m['prepare_s']):.1f} | {thousands(p['children'])} | "
          f"{thousands(p['courses'])} | {thousands(p['active'])} | {p['worklist_kb']} KB | {p['treatment']} |")
    w("")
    w("### Scenarios")
    w("")
    w("As the København coordinator (`koordinator.kobenhavn@demo.samspor.dk`), with a bearer token "
      "from `samspor token create` unless said otherwise; every request is one of the scripts in "
      "`bench/load.d/`.")
    w("")
    w("- **child**: `GET /api/v1/children/{id}`, rotating over every child of the municipality "
      "(collected with `GET /api/v1/children`).")
    w("- **course**: `GET /api/v1/courses/{id}`, rotating over every course of the municipality "
      "(from the worklist with `status=all`).")
    w("- **worklist**: `GET /api/v1/worklists/deadlines`, the active courses with their waiting "
      "figures, nearest open deadline first.")
    w("- **html**: the front page `/` and `/courses/{id}` (rotating), in turn, as the coordinator "
      "logged in through the real login form with curl (its CSRF token is bound to a cookie set "
      "with the form); wrk sends the session cookie as a header.")
    w("- **mixed**: in every 40 requests 14 child reads and 14 course reads as above and 12 writes, "
      "3 of each: a new child (`POST /api/v1/children`, a synthetic CPR number never used before: "
      "serial 5000-8999, failing modulus 11, born 5-15 years ago, one guardian), a contact opening a "
      "new course for a known child (`POST /api/v1/contacts`), a treatment session on a course in "
      "treatment (`POST /api/v1/courses/{id}/sessions`, the child and mother present, with a journal "
      "note) and an SDQ parent form typed in from paper (`POST /api/v1/children/{id}/responses`, "
      "scored at once). All four writes are in; none sends the optional `version`, since under load a "
      "version read earlier would only produce 409s. The sessions pile up on the "
      "courses in treatment over the runs, so their reads grow slightly heavier from run to run.")
    w("")
    w("### Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| date | {meta['date']} |")
    w(f"| git commit | `{meta['commit']}` |")
    w(f"| CPU | {meta['cpu']} |")
    w(f"| cores (`nproc`) | {meta['nproc']}, shared by the server, " + ("wrk and PostgreSQL" if "postgres" in meta else "and wrk") + " |")
    w(f"| memory | {meta['memory']} |")
    w(f"| OS | {meta['os']} |")
    w(f"| Rust | {meta['rustc']} |")
    w(f"| load tool | {meta['wrk']} |")
    w(f"| SQLite database | temp folder `{meta['tmp_dir']}` on {meta['tmp_fs']} |")
    w(f"| PostgreSQL | {meta.get('postgres', 'not measured (SAMSPOR_TEST_POSTGRES_URL not set, or --sqlite-only)')} |")
    w(f"| load average (1, 5, 15 min) | at start, after the build: {meta['load_before']}; at end: {meta['load_after']} |")
    w("")
    w("### fsync limit")
    w("")
    w("| backend | durable commits/s | how |")
    w("|---|--:|---|")
    for b, m in backends.items():
        w(f"| {b} | {thousands(float(m['fsync']))} | {m['fsync_method']} |")
    w("")
    w("### Results")
    w("")
    w(f"Targets: single-record reads ≥ 15 000 req/s on SQLite with p99 < 50 ms; worklist and HTML "
      f"pages ≥ 2 000 req/s with p99 < 100 ms; mixed ≥ 6 000 req/s on SQLite and ≥ 3 000 on "
      f"PostgreSQL with p99 < 50 ms; server RSS < {RSS_TARGET_MB} MB. (No req/s target is set for "
      "single-record reads on PostgreSQL; their p99 and RSS targets still apply.)")
    w("")
    w("| backend | scenario | req/s | × fsync limit | p50 ms | p99 ms | errors | server peak RSS MB | target | met? |")
    w("|---|---|--:|--:|--:|--:|--:|--:|---|---|")
    spreads = []
    for key in order:
        backend, scenario = key
        measured = [n for phase, n in runs[key] if phase != "warmup"]
        errors = sum(n["status"] + n["socket"] for _, n in runs[key])
        if not measured:
            continue
        median_rps = statistics.median_low([n["rps"] for n in measured])
        m = next(n for n in measured if n["rps"] == median_rps)
        fsync = float(backends[backend]["fsync"])
        peak, _now = rss.get(key, (float("nan"), float("nan")))
        min_rps, max_p99 = target(backend, scenario)
        misses = []
        if min_rps is not None and m["rps"] < min_rps:
            misses.append("req/s")
        if m["p99"] >= max_p99:
            misses.append("p99")
        if not peak < RSS_TARGET_MB:
            misses.append("RSS")
        goal = (f"≥ {thousands(min_rps)} req/s, " if min_rps else "") + f"p99 < {max_p99} ms"
        met = "met" if not misses else "**not met**: " + ", ".join(misses)
        w(f"| {backend} | {SCENARIOS[scenario]} | {thousands(m['rps'])} | {ratio(m['rps'] / fsync)} | "
          f"{m['p50']:.1f} | {m['p99']:.1f} | {errors} | {peak:.0f} | {goal} | {met} |")
        if len(measured) > 1:
            spreads.append(f"{backend} {scenario}: " + " / ".join(thousands(n["rps"]) for n in measured))
    if spreads:
        w("")
        w("Requests/s of each measured run, in order: " + "; ".join(spreads) + ".")
    w(END)
    print("\n".join(out))


def splice(doc_path, section_path):
    section = open(section_path).read().strip("\n")
    try:
        doc = open(doc_path).read()
    except FileNotFoundError:
        doc = ""
    if START in doc and END in doc and doc.index(START) < doc.index(END):
        before = doc[: doc.index(START)]
        after = doc[doc.index(END) + len(END):]
        doc = before + section + after
    else:
        doc = doc.rstrip("\n") + ("\n\n" if doc.strip() else "") + section + "\n"
    with open(doc_path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "result":
        result(sys.argv[2])
    elif cmd == "render":
        render(sys.argv[2])
    elif cmd == "splice":
        splice(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
