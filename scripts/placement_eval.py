#!/usr/bin/env python3
"""How well inline markup lands on its words (issue 26): the placement measurement.

For English dev sentences (newstest2017, ud-pud, tatoeba-dev), the plain translation is made first.
A test item is a sentence with a content word whose CC-CEDICT renderings (../shared/data/dict,
single-word glosses) include exactly one that occurs in the translation, exactly once: that
rendering is where the word went. The word is then wrapped in <b>...</b> and the sentence
translated as HTML (`mt translate --format html`), and three shares are counted:

  placed  the <b> element holds exactly the word's rendering (spaces and punctuation aside)
  kept    the translation's text, tags taken out, equals the plain translation (nothing
          duplicated or dropped by projection)
  tags    the output has one <b> and one </b>, in order

    scripts/placement_eval.py [--data ../shared/data] [--mt build/mt] [-m MODEL] [--items 400]
"""
import argparse
import html
import os
import re
import subprocess
import sys

from terminology_eval import STOP, read_lines  # the same function words and reader


def translate(args, text, fmt):
    command = [args.mt, "translate", "-q", "--to", "zh", "--format", fmt] + (["-m", args.model] if args.model else [])
    return subprocess.run(command, input=text.encode(), capture_output=True, check=True).stdout.decode()


def bare(text):
    return re.sub(r"[\s\W_]+", "", text)


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=os.path.join(root, "../shared/data"))
    parser.add_argument("--mt", default=os.path.join(root, "build/mt"))
    parser.add_argument("-m", "--model")
    parser.add_argument("--items", type=int, default=400)
    args = parser.parse_args()

    renderings = {}  # English word -> Chinese renderings
    for line in read_lines(f"{args.data}/dict/cedict.tsv"):
        gloss, word = line.split("\t")
        if re.fullmatch(r"[a-z]{4,}", gloss) and gloss not in STOP and len(word) >= 2:
            renderings.setdefault(gloss, set()).add(word)
    sentences = []
    for stem in ("dev/newstest2017", "extra/ud-pud", "dev/tatoeba-dev"):
        sentences += [s for s in read_lines(f"{args.data}/{stem}.en") if 4 <= len(s.split()) <= 40]
    sentences = sentences[: args.items * 4]

    plain = translate(args, "\n".join(sentences) + "\n", "text").split("\n")[: len(sentences)]
    items = []  # (sentence with <b>, rendering, plain translation)
    for sentence, translation in zip(sentences, plain):
        for match in re.finditer(r"[A-Za-z]+", sentence):
            candidates = [r for r in renderings.get(match.group(0).lower(), ()) if translation.count(r) == 1]
            if len(candidates) == 1 and all(translation.count(r) <= 1 for r in renderings[match.group(0).lower()]):
                marked = (html.escape(sentence[: match.start()], quote=False) + "<b>" + match.group(0) + "</b>" +
                          html.escape(sentence[match.end():], quote=False))
                items.append((marked, candidates[0], translation))
                break
        if len(items) == args.items:
            break

    document = "".join(f"<p>{marked}</p>\n" for marked, _, _ in items)
    out = re.findall(r"<p>(.*?)</p>", translate(args, document, "html"))
    if len(out) != len(items):
        sys.exit(f"expected {len(items)} paragraphs back, got {len(out)}")
    placed = kept = tags = 0
    for (marked, rendering, translation), result in zip(items, out):
        bold = re.findall(r"<b>(.*?)</b>", result)
        tags += result.count("<b>") == 1 and result.count("</b>") == 1 and result.index("<b>") < result.index("</b>")
        placed += len(bold) == 1 and bare(html.unescape(bold[0])) == bare(rendering)
        kept += bare(html.unescape(re.sub(r"</?b>", "", result))) == bare(translation)
    n = len(items)
    print(f"{n} items: placed {100 * placed / n:.1f}%  kept {100 * kept / n:.1f}%  tags {100 * tags / n:.1f}%")


if __name__ == "__main__":
    main()
