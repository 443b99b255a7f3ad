#!/usr/bin/env python3
"""Everyday phrases (issue 25): the share a model translates to an answer a native speaker accepts.

scripts/everyday_phrases.tsv lists each phrase with its accepted answers. A translation counts when,
normalised as the answers are (lower case, no punctuation or spaces around Chinese, English
contractions written out: "You're" = "you are"), it equals one of them. Several models are compared
in one run, each with mt translate's defaults unless options follow `--`:

  scripts/phrase_eval.py [-m models/en-zh] [-m runs/en-zh-v3/best] [--show] [--json F] [-- --beam 1]
"""
import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CONTRACTIONS = [("can't", "cannot"), ("won't", "will not"), ("n't", " not"), ("'m", " am"), ("'re", " are"),
                ("'ve", " have"), ("'ll", " will"), ("'d", " would"), ("'s", " is")]


def normalise(text, language):
    text = text.lower().replace("\u2019", "'").strip()
    if language == "en":
        for short, long in CONTRACTIONS:
            text = text.replace(short, long)
        text = re.sub(r"[^\w\s'-]", " ", text)
        return " ".join(text.split())
    return re.sub(r"[\W_]", "", text)  # Chinese: characters only


def read_phrases(path):
    phrases = []  # (direction, source, {normalised answers})
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0] not in ("en-zh", "zh-en"):
                sys.exit(f"{path}:{number}: expected direction<TAB>source<TAB>answer|answer...")
            target = fields[0].split("-")[1]
            phrases.append((fields[0], fields[1], {normalise(a, target) for a in fields[2].split("|")}))
    return phrases


def translate(mt, model, lines, target, options):
    out = subprocess.run([mt, "translate", "-m", model, "--to", target] + options, input="".join(l + "\n" for l in lines),
                         check=True, capture_output=True, text=True).stdout.splitlines()
    if len(out) != len(lines):
        sys.exit(f"{model}: {len(out)} translations for {len(lines)} phrases")
    return out


def main():
    argv = sys.argv[1:]
    options = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[:argv.index("--")] if "--" in argv else argv
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-m", "--model", action="append", help="model folder (repeat to compare; default models/en-zh)")
    p.add_argument("--phrases", default=os.path.join(HERE, "everyday_phrases.tsv"))
    p.add_argument("--mt", default=os.path.join(HERE, "..", "build", "mt"))
    p.add_argument("--show", action="store_true", help="print every translation, a mark for the accepted")
    p.add_argument("--json", help="write the translations and scores here")
    args = p.parse_args(argv)
    models = args.model or [os.path.join(HERE, "..", "models", "en-zh")]
    phrases = read_phrases(args.phrases)
    report = {}
    for model in models:
        rows = []
        for direction in ("en-zh", "zh-en"):
            chosen = [x for x in phrases if x[0] == direction]
            target = direction.split("-")[1]
            hyps = translate(args.mt, model, [s for _, s, _ in chosen], target, options)
            rows += [{"direction": direction, "source": s, "translation": h, "accepted": normalise(h, target) in answers}
                     for (_, s, answers), h in zip(chosen, hyps)]
        report[model] = rows
    width = max(len(m) for m in models)
    for model, rows in report.items():
        if args.show:
            for r in rows:
                print(f"{'+' if r['accepted'] else '-'} {r['direction']}  {r['source']}  ->  {r['translation']}")
        parts = []
        for direction in ("en-zh", "zh-en"):
            done = [r["accepted"] for r in rows if r["direction"] == direction]
            parts.append(f"{direction} {sum(done)}/{len(done)}")
        total = [r["accepted"] for r in rows]
        print(f"{model:<{width}}  {'  '.join(parts)}  all {100.0 * sum(total) / len(total):.1f}%")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    sys.exit(main())
