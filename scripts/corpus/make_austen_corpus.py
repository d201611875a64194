#!/usr/bin/env python3
"""Writes the built-in text corpus, public/data/austen-pride/{train,valid,test}.txt.

Source: Jane Austen, "Pride and Prejudice" (1813; public domain), as the Project Gutenberg text
that Debian's package r-cran-janeaustenr (MIT) ships as R data. The package is fetched with
`apt-get download` (no install, no R needed) and its lazy-load database read by rdata.py.

Processing, in the style of Mikolov's Penn Treebank language-modelling text (the PTB files of
DARTS's RNN search): one sentence a line; lowercase; numbers (any token with a digit) become N;
clitics split as the Treebank does ("sister's" → "sister 's", "don't" → "do n't"); other
punctuation removed, hyphenated words kept whole. Chapters go to the splits by number: n % 10 ==
5 → valid, n % 10 == 0 → test, the rest → train, so each split samples the whole novel.

Usage: python3 scripts/corpus/make_austen_corpus.py [--deb r-cran-janeaustenr_*.deb] [--out DIR]
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rdata  # noqa: E402

BOOK = "prideprejudice"
DATA = "usr/lib/R/site-library/janeaustenr/data"
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "..", "public", "data", "austen-pride")

ABBREVIATIONS = {"mr", "mrs", "dr", "st", "esq", "messrs", "col", "capt", "rev", "sir"}
CHAPTER = re.compile(r"^Chapter (\d+)$")
# A sentence ends at . ! or ? (with any closing quotes, brackets or italic marks after it)
# followed by whitespace and not by a lowercase letter ("...it?" cried his wife).
SENTENCE_END = re.compile(r"([.!?][\"')_]*)\s+(?![a-z])")
CLITICS = [
    (re.compile(r"\b(\w+)n't\b"), r"\1 n't"),
    (re.compile(r"\b(\w+)'(s|ll|re|ve|d|m)\b"), r"\1 '\2"),
]


def chapters(lines):
    """(number, paragraphs) per chapter; a paragraph is its lines joined by spaces."""
    out = []
    current = None
    paragraph = []

    def flush():
        if paragraph and current is not None:
            current[1].append(" ".join(s.strip() for s in paragraph))
        paragraph.clear()

    for line in lines:
        m = CHAPTER.match(line.strip())
        if m:
            flush()
            current = (int(m.group(1)), [])
            out.append(current)
        elif line.strip() == "":
            flush()
        else:
            paragraph.append(line)
    flush()
    return out


def sentences(paragraph):
    """Splits at sentence ends that do not follow a title such as Mr. or Mrs."""
    out = []
    start = 0
    for m in SENTENCE_END.finditer(paragraph):
        before = paragraph[start : m.start()].split()
        last = re.sub(r"[^a-z]", "", before[-1].lower()) if before else ""
        if m.group(1).startswith(".") and last in ABBREVIATIONS:
            continue
        out.append(paragraph[start : m.end()])
        start = m.end()
    out.append(paragraph[start:])
    return [s for s in out if s.strip()]


def tokens(sentence):
    s = sentence.lower().replace("_", " ").replace("--", " ")
    s = s.replace("can't", "can not").replace("won't", "will not").replace("shan't", "shall not")
    for pattern, repl in CLITICS:
        s = pattern.sub(repl, s)
    out = []
    for word in s.split():
        clitic = word in {"n't", "'s", "'ll", "'re", "'ve", "'d", "'m"}
        word = word if clitic else re.sub(r"[^\w'\-]", "", word).strip("'-")
        if not word:
            continue
        out.append("N" if re.search(r"\d", word) else word)
    return out


def book_lines(deb):
    with tempfile.TemporaryDirectory() as tmp:
        if deb is None:
            subprocess.run(["apt-get", "download", "r-cran-janeaustenr"], cwd=tmp, check=True)
            deb = glob.glob(os.path.join(tmp, "r-cran-janeaustenr_*.deb"))[0]
        subprocess.run(["dpkg-deb", "-x", deb, os.path.join(tmp, "x")], check=True)
        data = os.path.join(tmp, "x", DATA)
        books = rdata.lazy_load(os.path.join(data, "Rdata.rdx"), os.path.join(data, "Rdata.rdb"))
    return books[BOOK]


def split_of(chapter):
    return "valid" if chapter % 10 == 5 else "test" if chapter % 10 == 0 else "train"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deb", help="r-cran-janeaustenr .deb (default: apt-get download it)")
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    found = chapters(book_lines(args.deb))
    if [n for n, _ in found] != list(range(1, 62)):
        raise SystemExit(f"expected chapters 1..61, found {[n for n, _ in found]}")
    splits = {"train": [], "valid": [], "test": []}
    for number, paragraphs in found:
        for p in paragraphs:
            for s in sentences(p):
                words = tokens(s)
                if words:
                    splits[split_of(number)].append(" ".join(words))
    os.makedirs(args.out, exist_ok=True)
    for name, lines in splits.items():
        with open(os.path.join(args.out, f"{name}.txt"), "w", encoding="utf-8") as f:
            f.write("".join(f"{line}\n" for line in lines))
        words = sum(len(line.split()) for line in lines)
        vocab = len({w for line in lines for w in line.split()})
        print(f"{name}: {len(lines)} lines, {words} words, {vocab} distinct")


if __name__ == "__main__":
    main()
