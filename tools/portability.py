"""`make test-portability`: the examples and pages checked as if on other machines.

    .venv/bin/python tools/portability.py [--only NAME ...] [--report]

A reader's CPU may run other kernels than the one that wrote the outputs: other SIMD widths in torch (AVX-512,
AVX2, none), another code path in MKL, another number of threads. Each of those changes the order of floating-point
sums, so the last bits of the results. This script runs `pytest -m examples` (every snippet and page block
against its recorded output, with the tolerances declared in snippets/*/tolerances.toml) once per
configuration of MATRIX, each a set of the environment variables through which torch, MKL and oneDNN let a
process choose its kernels and threads, and prints one line per configuration.

Then it measures: for every snippet whose output or figures moved under some configuration, the largest
movement of any number and the tolerance declared for it (--report prints only this, from the runs kept in
build/runs/). The exit status is 1 if any configuration failed.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from compare import differences, tolerances_for  # noqa: E402
from harness import NUMERIC_KNOBS, Project  # noqa: E402

# name: (what it stands for, the environment). OMP_NUM_THREADS=2 is what `make test` runs with.
MATRIX = {
    "native": ("this CPU's own kernels (AVX-512 here), 2 threads: what make test runs", {"OMP_NUM_THREADS": "2"}),
    "avx2": ("an AVX2 machine: torch's AVX2 kernels, MKL and oneDNN limited to AVX2",
             {"ATEN_CPU_CAPABILITY": "avx2", "MKL_ENABLE_INSTRUCTIONS": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2",
              "OMP_NUM_THREADS": "2"}),
    "scalar": ("no SIMD in torch's own kernels; MKL's conditional-reproducibility path (MKL_CBWR=COMPATIBLE)",
               {"ATEN_CPU_CAPABILITY": "default", "MKL_CBWR": "COMPATIBLE", "ONEDNN_MAX_CPU_ISA": "SSE41",
                "OMP_NUM_THREADS": "2"}),
    "1-thread": ("one thread", {"OMP_NUM_THREADS": "1"}),
    "4-threads": ("four threads on two cores", {"OMP_NUM_THREADS": "4"}),
}
SUMMARY = re.compile(r"^(?:=+ )?(\d+ (?:passed|failed|error).*?) in [\d.]+s", re.M)  # pytest's closing line


def run_matrix(names):
    rows, ok = [], True
    for name in names:
        description, knobs = MATRIX[name]
        env = {k: v for k, v in os.environ.items() if k not in NUMERIC_KNOBS} | knobs
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-m", "examples", "-q", "--no-header",
                               "-p", "no:cacheprovider", "--durations=0", "-o", "addopts=-n 2 --dist loadgroup"],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        found = SUMMARY.findall(done.stdout)
        summary = found[-1] if found else f"exit {done.returncode}"
        ok &= done.returncode == 0
        rows.append((name, description, summary, seconds))
        print(f"{name:10} {summary:40} {seconds:6.0f} s   {description}", flush=True)
        if done.returncode != 0:
            failures = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
            print("\n".join(f"    {line}" for line in failures), flush=True)
    return rows, ok


def measured_movements(project):
    """{(snippet, output): (largest movement, [configurations], declared rule)} over the runs kept in build/runs/."""
    found = {}
    for script in project.scripts():
        code, args = script.read_text(encoding="utf-8"), project.quick_args(script)
        for name, (_, knobs) in MATRIX.items():
            record = project.run_record(project.run_key(code, args, knobs))
            if not record.with_suffix(".json").is_file():
                continue
            run = json.loads(record.with_suffix(".json").read_text(encoding="utf-8"))
            if run["returncode"] != 0:
                continue
            expected = project.expected_output_file(script)
            outputs = [(expected.name, expected, None, run["stdout"])]
            for file in run["files"]:
                kept = project.figure_dir(script) / file
                if kept.suffix == ".svg" and kept.is_file():
                    outputs.append((file, kept, file, (record / file).read_text(encoding="utf-8")))
            for label, kept, figure, text in outputs:
                tolerances = tolerances_for(script, figure)
                for _, _, _, moved, rule in differences(kept.read_text(encoding="utf-8"), text, tolerances,
                                                        svg=figure is not None):
                    key = (project.rel(script), label, rule.source)
                    largest, names, _ = found.get(key, (0.0, set(), rule))
                    found[key] = (max(largest, float("inf") if moved is None else moved), names | {name}, rule)
    return found


def report(project):
    print("\nLargest movement of a number against the recorded output, by snippet and output "
          "(inf: text or an integer changed)")
    movements = measured_movements(project)
    if not movements:
        print("  none: every run printed and drew exactly what was recorded")
    for (script, output, _), (moved, names, rule) in sorted(movements.items()):
        print(f"  {script:40} {output:34} {moved:10.3g}  under {', '.join(sorted(names))}; "
              f"declared: {rule.describe()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=sorted(MATRIX), help="run these configurations only")
    parser.add_argument("--report", action="store_true", help="only measure, from the runs already kept")
    args = parser.parse_args()
    ok = True
    if not args.report:
        print(f"pytest -m examples under {len(args.only or MATRIX)} configurations")
        _, ok = run_matrix(args.only or list(MATRIX))
    report(Project(ROOT))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
