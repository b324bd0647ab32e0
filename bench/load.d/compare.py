#!/usr/bin/env python3
"""bench/compare's statistics and Markdown, kept out of bash. Standard library only.

    compare.py render RESULTS.tsv     the docs/PERFORMANCE.md section, markers included
    compare.py verdicts RESULTS.tsv   one line per scenario: the change, its interval, the verdict
    compare.py splice DOC SECTION     put SECTION between DOC's compare markers, or at its end
    compare.py selftest               checks the interval arithmetic on known figures

The change of throughput is estimated on the log scale: with a = ln(req/s) of the base's timed
runs and b = ln(req/s) of HEAD's, the change is exp(mean b - mean a) - 1 (the ratio of the
geometric means, minus one) and its 95 % confidence interval is exp(d ± t · se) - 1 with Welch's
standard error se = sqrt(var a / n_a + var b / n_b) and t the two-sided 95 % quantile of
Student's t for the Welch-Satterthwaite degrees of freedom. Working on logs makes the interval a
ratio directly (no division by an uncertain base mean) and treats a faster and a slower run
alike. The degrees of freedom are rounded down to a row of the table below, which can only
widen the interval.

The verdict reads the interval's lower end: the slowdown is under 5 % at 95 % confidence when
the lower end of the change is above -5 %. That end of a two-sided 95 % interval is a one-sided
97.5 % bound, stricter than the one-sided 95 % the claim needs.
"""

import json
import math
import statistics
import sys
from collections import defaultdict

START, END = "<!-- compare:start -->", "<!-- compare:end -->"
LIMIT = 0.05  # the largest slowdown allowed, as a fraction of the base's throughput

SCENARIOS = {
    "child": "GET `/api/v1/children/{id}`",
    "course": "GET `/api/v1/courses/{id}`",
    "worklist": "GET `/api/v1/worklists/deadlines`",
    "html": "HTML `/` and `/courses/{id}`",
}

# Two-sided 95 % quantiles of Student's t (t_0.975) by degrees of freedom; above 30, the rows of
# the usual printed tables, and the normal quantile for infinitely many.
T975 = {
    1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306,
    9: 2.262, 10: 2.228, 11: 2.201, 12: 2.179, 13: 2.160, 14: 2.145, 15: 2.131, 16: 2.120,
    17: 2.110, 18: 2.101, 19: 2.093, 20: 2.086, 21: 2.080, 22: 2.074, 23: 2.069, 24: 2.064,
    25: 2.060, 26: 2.056, 27: 2.052, 28: 2.048, 29: 2.045, 30: 2.042, 40: 2.021, 60: 2.000,
    120: 1.980,
}
Z975 = statistics.NormalDist().inv_cdf(0.975)


def t975(df):
    """t_0.975 for the largest tabulated degrees of freedom not above df (conservative)."""
    if math.isinf(df):
        return Z975
    if df < 1:
        df = 1
    return T975[max(k for k in T975 if k <= df)]


def welch_log(base, head):
    """(change, low, high, df) of head against base, as fractions; see the module text."""
    a = [math.log(x) for x in base]
    b = [math.log(x) for x in head]
    d = statistics.fmean(b) - statistics.fmean(a)
    va = statistics.variance(a) / len(a)
    vb = statistics.variance(b) / len(b)
    se = math.sqrt(va + vb)
    if se == 0:
        df = math.inf
    else:
        df = (va + vb) ** 2 / (va ** 2 / (len(a) - 1) + vb ** 2 / (len(b) - 1))
    t = t975(df)
    return math.expm1(d), math.expm1(d - t * se), math.expm1(d + t * se), df


def verdict(low, high):
    if low > -LIMIT:
        return "yes", f"under {LIMIT:.0%}".replace("%", " %")
    if high < -LIMIT:
        return "no", f"over {LIMIT:.0%}".replace("%", " %")
    return "not shown", f"not shown to be under {LIMIT:.0%}".replace("%", " %")


def numbers(run):
    seconds = run["duration_us"] / 1e6
    socket = run["connect_errors"] + run["read_errors"] + run["write_errors"] + run["timeouts"]
    return {
        "rps": run["requests"] / seconds if seconds else 0.0,
        "requests": run["requests"],
        "p50": run["p50_us"] / 1000,
        "p99": run["p99_us"] / 1000,
        "errors": run["status_errors"] + socket,
    }


def load(path):
    meta, sides, runs = {}, defaultdict(dict), []
    with open(path) as f:
        for raw in f:
            kind, *rest = raw.rstrip("\n").split("\t")
            if kind == "meta":
                meta[rest[0]] = rest[1]
            elif kind == "side":
                sides[rest[0]][rest[1]] = rest[2]
            elif kind == "run":
                rnd, position, side, scenario, phase, loadavg, cpu0, cpu1, line = rest
                n = numbers(json.loads(line))
                n.update(round=int(rnd), position=int(position), side=side, scenario=scenario,
                         phase=phase, load=loadavg,
                         other=other_share(cpu0, cpu1, int(meta.get("clk_tck", 100))))
                runs.append(n)
    return meta, sides, runs


def other_share(before, after, tck):
    """The share of the machine's CPU time that neither the server nor wrk used during a run
    (bench/compare's cpu_mark: busy ticks, total ticks, server ticks, wrk seconds)."""
    b0, t0, s0, w0 = (float(x) for x in before.split())
    b1, t1, s1, w1 = (float(x) for x in after.split())
    if t1 <= t0:
        return 0.0
    return max(0.0, ((b1 - b0) - (s1 - s0) - (w1 - w0) * tck) / (t1 - t0))


def summarise(meta, runs):
    """Per scenario: the timed runs of both sides and the statistics, in the measured order."""
    out = {}
    for scenario in meta["scenarios"].split():
        timed = [r for r in runs if r["scenario"] == scenario and r["phase"] == "timed"]
        base = [r for r in timed if r["side"] == "base"]
        head = [r for r in timed if r["side"] == "head"]
        if len(base) < 2 or len(head) < 2:
            continue
        change, low, high, df = welch_log([r["rps"] for r in base], [r["rps"] for r in head])
        out[scenario] = {
            "base": base,
            "head": head,
            "change": change,
            "low": low,
            "high": high,
            "df": df,
            "verdict": verdict(low, high),
            "errors": sum(r["errors"] for r in runs if r["scenario"] == scenario),
        }
    return out


def thousands(x):
    return f"{x:,.0f}".replace(",", " ")


def pct(x):
    return f"{x * 100:+.1f} %".replace("-", "−")


def mean(rows, key):
    return statistics.fmean(r[key] for r in rows)


def cv(rows):
    xs = [r["rps"] for r in rows]
    return statistics.stdev(xs) / statistics.fmean(xs)


def duration(seconds):
    s = round(float(seconds))
    return f"{s // 60} min {s % 60:02d} s" if s >= 60 else f"{s} s"


def render(path):
    meta, sides, runs = load(path)
    stats = summarise(meta, runs)
    quick = meta["quick"] == "1"
    base, head = sides["base"], sides["head"]
    rounds, warmup, dur = int(meta["rounds"]), meta["warmup"], meta["duration"]
    threads, conns = meta["threads"], meta["connections"]
    out = []
    w = out.append
    w(START)
    w("## Cost of the lawful-basis access check (`bench/compare`)")
    w("")
    w("Written by `bench/compare` between the `compare:start` and `compare:end` markers. It measures "
      "what the reads through the access check cost after the lawful-basis work (HEAD) against the "
      "commit before it, and checks the requirement that the check's cost stays **under 5 % at 95 % "
      "confidence** in at least 5 interleaved runs. Run `bench/compare` again for new numbers "
      "(`bench/compare --help` for the options); `bench/run`, which rewrites this file, carries "
      "this section over unchanged.")
    w("")
    if quick:
        w(f"**This was a quick run** (`--quick`: {rounds} rounds of a {warmup} s warm-up and a {dur} s "
          "run), made to try the script out. Its intervals are far wider than a full run's and it "
          "does not count as a measurement of the requirement (that needs at least 5 rounds).")
        w("")
    w("```sh")
    w(meta["command"])
    w("```")
    w("")
    w("| | commit | |")
    w("|---|---|---|")
    w(f"| base | `{base['short']}` | {base['subject'][:140]}{'…' if len(base['subject']) > 140 else ''} |")
    w(f"| HEAD | `{head['short']}` | {head['subject'][:140]}{'…' if len(head['subject']) > 140 else ''} |")
    w("")
    if meta.get("dirty"):
        w("The working tree had uncommitted changes; they are not part of either build (each is "
          "built from its commit in a worktree of its own).")
        w("")

    w("### Result")
    w("")
    w("Mean requests/s and mean p50/p99 over the timed runs of each side; the change of throughput is "
      "HEAD against the base (ratio of geometric means − 1, negative = slower) with its 95 % "
      "confidence interval (Welch's t on log req/s). The slowdown is under 5 % at 95 % confidence "
      "when the interval's lower end lies above −5 %.")
    w("")
    w("| scenario | runs per side | base req/s | HEAD req/s | base p50 / p99 ms | HEAD p50 / p99 ms "
      "| change of req/s | 95 % interval | run-to-run CV base / HEAD | cost under 5 % at 95 %? |")
    w("|---|--:|--:|--:|--:|--:|--:|---|--:|---|")
    for scenario, s in stats.items():
        b, h = s["base"], s["head"]
        answer, _ = s["verdict"]
        shown = {"yes": "**yes**", "no": "**no**: the whole interval is below −5 %",
                 "not shown": "**not shown**: the interval reaches below −5 %"}[answer]
        w(f"| {SCENARIOS[scenario]} | {len(b)} | {thousands(mean(b, 'rps'))} | {thousands(mean(h, 'rps'))} | "
          f"{mean(b, 'p50'):.1f} / {mean(b, 'p99'):.1f} | {mean(h, 'p50'):.1f} / {mean(h, 'p99'):.1f} | "
          f"{pct(s['change'])} | {pct(s['low'])} … {pct(s['high'])} | "
          f"{cv(b) * 100:.1f} % / {cv(h) * 100:.1f} % | {shown} |")
    w("")
    if any(s["verdict"][0] == "not shown" for s in stats.values()):
        w("Where the answer is *not shown*, the interval is too wide to decide either way: its width "
          "comes from the spread of the runs (the CV column), and halving it takes about four times "
          "as many rounds (`--rounds`), or a quieter machine.")
        w("")
    errors = sum(s["errors"] for s in stats.values())
    w(f"Requests outside 2xx/3xx plus socket errors over every run, warm-ups included: {errors}.")
    w("")
    timed = [r for r in runs if r["phase"] == "timed"]
    if timed:
        shares = sorted(r["other"] for r in timed)
        w(f"Other work on the machine (CPU time used by neither the server nor wrk, as a share of "
          f"all {meta['nproc']} cores) during the timed runs: median {statistics.median(shares):.0%}, "
          f"highest {shares[-1]:.0%}. ".replace("%", " %")
          + "The server and wrk compete with it for the cores, so runs with much other work are "
          "slower and widen the intervals; the numbers are comparable between the two sides only "
          "because the rounds interleave them.")
        w("")

    w("### Runs in order")
    w("")
    w("Requests/s of each timed run; in odd rounds the base ran first, in even ones HEAD. *Other "
      "work* is the share of the machine's CPU time (all cores, busy time from `/proc/stat`, steal "
      "included) that neither the server (`/proc/PID/stat`) nor wrk (the script's reaped children) "
      "used during that timed run; small negative values are accounting noise and show as 0 %. "
      "Contention from outside the machine (other virtual machines sharing the host's cores) shows "
      "there only as far as the host reports it as steal; it shows in the spread of the runs. The "
      "load average (1 minute, just before the run's warm-up) counts the server's and wrk's own "
      "threads too, so it is high even on an otherwise idle machine.")
    w("")
    w("| round | first | scenario | base req/s | HEAD req/s | HEAD / base | other work base / HEAD | load before base / HEAD |")
    w("|--:|---|---|--:|--:|--:|--:|--:|")
    warm_load = {(r["round"], r["side"], r["scenario"]): r["load"].split()[0]
                 for r in runs if r["phase"] == "warmup"}
    for rnd in range(1, rounds + 1):
        for scenario, s in stats.items():
            b = next((r for r in s["base"] if r["round"] == rnd), None)
            h = next((r for r in s["head"] if r["round"] == rnd), None)
            if not b or not h:
                continue
            first = "base" if b["position"] == 1 else "HEAD"
            w(f"| {rnd} | {first} | {scenario} | {thousands(b['rps'])} | {thousands(h['rps'])} | "
              f"{h['rps'] / b['rps']:.3f} | {b['other'] * 100:.0f} % / {h['other'] * 100:.0f} % | "
              f"{warm_load.get((rnd, 'base', scenario), '?')} / "
              f"{warm_load.get((rnd, 'head', scenario), '?')} |")
    w("")

    w("### How it is measured")
    w("")
    w(f"- **Builds**: `cargo build --release --locked -p samspor` of each commit in a `git worktree` of "
      f"its own in a temp folder (removed afterwards), the base into `~/.cache/samspor-bench-base-target` "
      f"and HEAD into `~/.cache/samspor-bench-target` (bench/load's); the binaries are copied out "
      f"before anything is measured. Build times: base {float(base['build_s']):.0f} s, HEAD "
      f"{float(head['build_s']):.0f} s.")
    w(f"- **Data**: per binary a fresh SQLite database in the temp folder, seeded by that binary with "
      f"`samspor demo {meta['seed_args']}` and then prepared through its own API by "
      f"`bench/load.d/prepare.py` ({meta['extra_courses']} more contacts for København's children), as "
      "`bench/load` does. Each commit seeds with its own demo code: HEAD's demo also records "
      "sharing across sectors (consents, shares and so on), so HEAD's database holds those rows as "
      "well, as a real one after the change would.")
    w(f"- **Load**: wrk with the `bench/load.d` scripts, `wrk -t{threads} -c{conns} --latency --timeout 10s`, "
      "as the København coordinator with a bearer token (`samspor token create`), rotating over "
      "every child or course id of the municipality; these reads go through the access policy, "
      "which after the change also asks the lawful basis. `SAMSPOR_LOG=error` (no request logs).")
    w(f"- **Rounds**: {rounds}; in each round each side's server is started on its database, runs "
      f"alone, and for each scenario gets a {warmup} s warm-up (not counted) and one timed run of "
      f"{dur} s, then is stopped before the other side's starts. The base goes first in odd rounds "
      "and HEAD in even ones, so that a drift of the machine over the run (other work, the audit log "
      "growing by one entry per read on both sides alike, the disk's cache) falls on both sides evenly.")
    w("- **Statistics**: `bench/load.d/compare.py`: Welch's t on the natural logs of the timed runs' "
      "req/s (the two sides' variances are not assumed equal), Welch-Satterthwaite degrees of "
      "freedom rounded down to a row of a t table (which can only widen the interval), "
      "the interval turned back into a relative change with exp(·) − 1. The verdict uses the lower end "
      "of the two-sided 95 % interval, a one-sided 97.5 % bound, stricter than the one-sided 95 % "
      "the requirement needs. Latencies are means of each run's own p50 and p99.")
    w("- **Errors**: any answer outside 2xx/3xx or socket error in any run, warm-ups included, makes "
      "`bench/compare` exit 1 without writing this section.")
    df_text = ", ".join(f"{sc} " + ("∞" if math.isinf(s["df"]) else f"{s['df']:.1f}")
                        for sc, s in stats.items())
    w(f"- Welch degrees of freedom: {df_text}.")
    w("")

    w("### Data set")
    w("")
    w("| side | demo | seeding s | preparing s | København children | courses | in treatment |")
    w("|---|---|--:|--:|--:|--:|--:|")
    for name, m in (("base", base), ("HEAD", head)):
        p = json.loads(m["prepared"])
        demo = m["demo"].replace("demo data created with seed 7: ", "")
        w(f"| {name} | {demo} | {float(m['seed_s']):.1f} | {float(m['prepare_s']):.1f} | "
          f"{thousands(p['children'])} | {thousands(p['courses'])} | {p['treatment']} |")
    w("")

    w("### Machine")
    w("")
    w("| | |")
    w("|---|---|")
    w(f"| date | {meta['date']} |")
    w(f"| CPU | {meta['cpu']} |")
    w(f"| cores (`nproc`) | {meta['nproc']}, shared by the server and wrk (and by whatever else ran) |")
    w(f"| memory | {meta['memory']} |")
    w(f"| OS | {meta['os']} |")
    w(f"| Rust | {meta['rustc']} |")
    w(f"| load tool | {meta['wrk']} |")
    w(f"| SQLite databases | temp folder `{meta['tmp_dir']}` on {meta['tmp_fs']} |")
    w(f"| load average (1, 5, 15 min) | at start: {meta['load_start']}; after the builds and seeding, "
      f"before measuring: {meta['load_before']}; after measuring: {meta['load_after']} |")
    w(f"| time taken | {duration(meta['total_s'])} in all, of which measuring {duration(meta['measuring_s'])} |")
    w(END)
    print("\n".join(out))


def verdicts(path):
    meta, _sides, runs = load(path)
    for scenario, s in summarise(meta, runs).items():
        answer, words = s["verdict"]
        print(f"bench/compare: {scenario}: base {thousands(mean(s['base'], 'rps'))} req/s, "
              f"HEAD {thousands(mean(s['head'], 'rps'))} req/s, change {pct(s['change'])} "
              f"(95 % interval {pct(s['low'])} … {pct(s['high'])}); cost {words} at 95 % confidence")


def splice(doc_path, section_path):
    section = open(section_path).read().strip("\n")
    try:
        doc = open(doc_path).read()
    except FileNotFoundError:
        doc = ""
    if START in doc and END in doc and doc.index(START) < doc.index(END):
        doc = doc[: doc.index(START)] + section + doc[doc.index(END) + len(END):]
    else:
        doc = doc.rstrip("\n") + ("\n\n" if doc.strip() else "") + section + "\n"
    with open(doc_path, "w") as f:
        f.write(doc)


def selftest():
    # Equal variances and sizes: Welch's df is 2(n-1) and the interval is the pooled one.
    a = [100.0, 110.0, 90.0, 105.0, 95.0]
    b = [x * 0.9 for x in a]
    change, low, high, df = welch_log(a, b)
    assert abs(change - (-0.1)) < 1e-12, change
    assert abs(df - 8) < 1e-9, df
    la = [math.log(x) for x in a]
    se = math.sqrt(2 * statistics.variance(la) / 5)
    assert abs(low - math.expm1(math.log(0.9) - 2.306 * se)) < 1e-12
    assert abs(high - math.expm1(math.log(0.9) + 2.306 * se)) < 1e-12
    assert t975(7.9) == 2.365 and t975(45) == 2.021 and t975(1000) == 1.980
    assert abs(t975(math.inf) - 1.95996) < 1e-4
    assert verdict(-0.049, 0.01)[0] == "yes"
    assert verdict(-0.06, 0.01)[0] == "not shown"
    assert verdict(-0.2, -0.06)[0] == "no"
    # Identical runs: no spread, the interval is the point itself.
    change, low, high, df = welch_log([5.0, 5.0], [4.0, 4.0])
    assert math.isinf(df) and abs(low - high) < 1e-12 and abs(change + 0.2) < 1e-12
    print("compare.py selftest: ok")


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "render":
        render(sys.argv[2])
    elif cmd == "verdicts":
        verdicts(sys.argv[2])
    elif cmd == "splice":
        splice(sys.argv[2], sys.argv[3])
    elif cmd == "selftest":
        selftest()
    else:
        sys.exit(__doc__)
