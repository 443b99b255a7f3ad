#!/usr/bin/env python3
"""What keeping the model loaded gains: the same lines translated by `mt translate` started once
per line (what a script that shells out does), by the Python module called once per line, and by
one module call with every line (batched). Prints the times and the ratios against the first.

    PYTHONPATH=build/python python3 scripts/bench_python.py [--lines 50] [--mt build/mt]
"""
import argparse
import subprocess
import time
from pathlib import Path

import mt

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--lines", type=int, default=50)
parser.add_argument("--mt", default="build/mt")
parser.add_argument("--input", default=str(Path(__file__).resolve().parents[1] / "../shared/data/test/tatoeba-test.cmn_Hans.en"))
args = parser.parse_args()
lines = Path(args.input).read_text(encoding="utf-8").split("\n")[: args.lines]


def timed(run):
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


cli_s, cli_out = timed(lambda: [subprocess.run([args.mt, "translate", "-q"], input=(line + "\n").encode(), check=True,
                                               capture_output=True).stdout.decode().rstrip("\n") for line in lines])
load_s, translator = timed(mt.Translator)
per_line_s, per_line_out = timed(lambda: [translator.translate([line])[0] for line in lines])
batch_s, batch_out = timed(lambda: translator.translate(lines))
assert cli_out == per_line_out == batch_out, "the module and the CLI disagree"
print(f"{len(lines)} lines of {Path(args.input).name}, {translator.compute_type}, output identical in all three")
print(f"  mt translate per line (a process each): {cli_s:7.2f} s  1.00x")
print(f"  module, one call per line:              {per_line_s:7.2f} s  {cli_s / per_line_s:5.2f}x  (+ {load_s:.2f} s to load once)")
print(f"  module, one call for all lines:         {batch_s:7.2f} s  {cli_s / batch_s:5.2f}x")
