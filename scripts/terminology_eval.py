#!/usr/bin/env python3
"""Terminology test set and its measurement (issue 27).

Built from the dev sets and CC-CEDICT (../shared/data/dict/cedict.tsv, english_gloss<TAB>chinese):
for each direction, a dictionary entry becomes a glossary term when its source side occurs in a dev
source sentence (English: whole words, any case; Chinese: the characters) and its target side in
that sentence's reference, and it does so in *every* dev sentence whose source holds it (a term
that the reference renders otherwise somewhere would make the glossary wrong there). Glosses of
one word shorter than 4 letters, function words and one-character Chinese words are left out;
where entries overlap the longest wins, as mt matches them. The test set is the dev sentences that
hold at least one term, the glossary the terms, at most --max-terms of them.

Then `mt eval -m` translates the set with and without --glossary and reports BLEU, chrF and term
accuracy: the share of (sentence, term) pairs whose target appears in the translation.

  scripts/terminology_eval.py [--data ../shared/data] [--out runs/terminology] [--mt build/mt] [-m MODEL]
"""
import argparse
import json
import os
import re
import subprocess
import sys

STOP = set("""a an the of to in on at by for with from and or but not no is are was were be been it its this that
these those he she they we you i me my your his her their our as if so than then there here what which who whom
how when where why all any some one two can will would shall should may might must do does did have has had get got
make made go went take took say said see saw more most much many very also just only up out over under about into
""".split())


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def english_words(text):
    return re.findall(r"[a-z0-9][a-z0-9'+-]*", text.lower())


def contains_english(text, term):
    return re.search(r"(?<![a-z0-9])" + re.escape(term) + r"(?![a-z0-9])", text.lower()) is not None


def english_ngrams(text, n=4):
    words = english_words(text)
    return {" ".join(words[i:i + k]) for k in range(1, n + 1) for i in range(len(words) - k + 1)}


def build(args, direction):
    """The (source sentence, reference, [(source term, target term)]) triples and the glossary."""
    sets = [f"{args.data}/dev/newstest2017", f"{args.data}/extra/ud-pud", f"{args.data}/dev/tatoeba-dev"]
    src_lang, tgt_lang = direction.split("-")
    pairs = []
    for stem in sets:
        pairs += list(zip(read_lines(f"{stem}.{src_lang}"), read_lines(f"{stem}.{tgt_lang}")))
    entries = {}
    for line in read_lines(f"{args.data}/dict/cedict.tsv"):
        gloss, word = line.split("\t")
        words = english_words(gloss)
        written = " ".join(gloss.split())  # as the dictionary writes it: "Ukraine", "New York"
        gloss = " ".join(words)
        if gloss != written.lower():  # punctuation ("p.m.", "Denver, Colorado"): mt would match it as written
            continue
        if len(word) < 2 or not words or len(words) > 4 or (len(words) == 1 and len(gloss) < 4):
            continue
        if all(w in STOP for w in words):
            continue
        source, target = (gloss, word) if src_lang == "en" else (word, written)
        entries.setdefault(source, set()).add(target)
    # English sides are compared as sets of word n-grams (a regular expression per dictionary entry
    # and sentence would take minutes).
    def sides(src, ref):
        return (english_ngrams(src) if src_lang == "en" else src), (english_ngrams(ref) if tgt_lang == "en" else ref)
    # Candidate terms: a source term found in a sentence whose reference holds one of its renderings.
    index = {}  # first English word / first character -> source terms, to avoid testing all 186k
    for source in entries:
        key = source.split()[0] if src_lang == "en" else source[0]
        index.setdefault(key, []).append(source)
    found = {}  # source term -> {target: sentences}
    holding = {}  # source term -> sentences whose source holds it
    for i, (src, ref) in enumerate(pairs):
        src_side, ref_side = sides(src, ref)
        keys = set(english_words(src)) if src_lang == "en" else set(src)
        for key in keys:
            for source in index.get(key, []):
                if source not in src_side:
                    continue
                holding.setdefault(source, set()).add(i)
                for target in entries[source]:
                    if (target if tgt_lang == "zh" else target.lower()) in ref_side:
                        found.setdefault(source, {}).setdefault(target, set()).add(i)
    glossary = {}
    for source, targets in found.items():
        # the rendering the references use most, then the longest, then the first in order: deterministic
        target, sentences = max(sorted(targets.items()), key=lambda kv: (len(kv[1]), len(kv[0])))
        if sentences == holding[source]:  # the reference uses this rendering wherever the term occurs
            glossary[source] = target
    # Matching as mt does it: per sentence the longest terms, without overlaps.
    triples = []
    for i, (src, ref) in enumerate(pairs):
        terms = sorted((s for s in glossary if i in holding.get(s, ())), key=len, reverse=True)
        kept = []
        for s in terms:
            if not any(s in k for k in kept):
                kept.append(s)
        if kept:
            triples.append((src, ref, [(s, glossary[s]) for s in kept]))
    used = {}
    for _, _, terms in triples:
        for s, t in terms:
            used[s] = t
    if len(used) > args.max_terms:  # keep the sentences whose terms fit, in order
        allowed = set(sorted(used)[: args.max_terms])
        triples = [x for x in triples if all(s in allowed for s, _ in x[2])]
        used = {s: t for s, t in used.items() if s in allowed}
    return triples, used


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    here = os.path.dirname(os.path.abspath(__file__))
    p.add_argument("--data", default=os.environ.get("MT_SHARED_DATA", os.path.join(here, "..", "..", "shared", "data")))
    p.add_argument("--out", default="runs/terminology")
    p.add_argument("--mt", default=os.path.join(here, "..", "build", "mt"))
    p.add_argument("-m", "--model", default=None)
    p.add_argument("--max-terms", type=int, default=1000)
    p.add_argument("--directions", default="en-zh,zh-en")
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    report = {}
    for direction in args.directions.split(","):
        src_lang, tgt_lang = direction.split("-")
        triples, glossary = build(args, direction)
        stem = os.path.join(args.out, direction)
        with open(f"{stem}.src", "w", encoding="utf-8") as f:
            f.writelines(s + "\n" for s, _, _ in triples)
        with open(f"{stem}.ref", "w", encoding="utf-8") as f:
            f.writelines(r + "\n" for _, r, _ in triples)
        with open(f"{stem}.glossary.tsv", "w", encoding="utf-8") as f:
            f.writelines(f"{s}\t{t}\n" for s, t in sorted(glossary.items()))
        row = {"sentences": len(triples), "terms": sum(len(t) for _, _, t in triples), "glossary_entries": len(glossary)}
        for name, extra in (("without", []), ("with", ["--glossary", f"{stem}.glossary.tsv"])):
            hyp = f"{stem}.{name}.hyp"
            cmd = [args.mt, "eval", "-s", f"{stem}.src", "-r", f"{stem}.ref", "--to", tgt_lang, "--json", "--save", hyp] + extra
            if args.model:
                cmd += ["-m", args.model]
            else:
                cmd += ["-m", os.path.join(here, "..", "models", "en-zh")]
            scores = json.loads(run(cmd))
            hyps = read_lines(hyp)
            present = lambda h, t: t in h if tgt_lang == "zh" else contains_english(h, t.lower())
            hit = sum(1 for h, (_, _, terms) in zip(hyps, triples) for _, t in terms if present(h, t))
            with open(f"{stem}.{name}.misses.tsv", "w", encoding="utf-8") as f:  # term, target, source, output
                f.writelines(f"{s}\t{t}\t{src}\t{h}\n" for h, (src, _, terms) in zip(hyps, triples)
                             for s, t in terms if not present(h, t))
            row[name] = {"bleu": round(scores["bleu"], 2), "chrf": round(scores["chrf"], 2),
                         "term_accuracy": round(100.0 * hit / max(1, row["terms"]), 2)}
        report[direction] = row
        print(direction, json.dumps(row), flush=True)
    with open(os.path.join(args.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
