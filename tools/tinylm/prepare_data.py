"""Extract the training text for the tiny demo LM from Debian's r-cran-janeaustenr.

Data source: Debian package r-cran-janeaustenr (the six completed novels of Jane Austen,
public domain, from Project Gutenberg), installed under /usr/lib/R/site-library/janeaustenr.
The novels live in the package's lazy-load R database (Rdata.rdb), so they are read with
Debian's Rscript (r-base-core) — the simplest reliable reader of that format.

Each novel's line vector is reflowed into paragraphs: consecutive non-empty lines are
joined with one space and runs of spaces become one space; paragraphs are separated by a blank line ("\\n\\n"). Novels are
joined with the end-of-text marker <|endoftext|>. The last 2% of every novel (by paragraph)
goes to the validation file.

Usage: /usr/bin/python3 tools/tinylm/prepare_data.py [OUT_DIR=build/tinylm]
Writes OUT_DIR/train.txt and OUT_DIR/valid.txt (UTF-8).
"""
import os
import subprocess
import sys
import tempfile

BOOKS = ["sensesensibility", "prideprejudice", "mansfieldpark", "emma",
         "northangerabbey", "persuasion"]
EOT = "<|endoftext|>"
VALID_FRACTION = 0.02


def read_books():
    tmp = tempfile.mkdtemp(prefix="austen")
    script = "library(janeaustenr)\n" + "".join(
        f'writeLines({b}, file.path("{tmp}", "{b}.txt"), useBytes = TRUE)\n' for b in BOOKS)
    subprocess.run(["Rscript", "--vanilla", "-e", script], check=True)
    books = {}
    for b in BOOKS:
        with open(os.path.join(tmp, b + ".txt"), encoding="utf-8") as f:
            books[b] = f.read().split("\n")
        os.remove(os.path.join(tmp, b + ".txt"))
    os.rmdir(tmp)
    return books


def paragraphs(lines):
    out, cur = [], []
    for line in lines + [""]:
        line = line.strip()
        if line:
            cur.append(line)
        elif cur:
            out.append(" ".join(" ".join(cur).split()))  # runs of spaces -> one space
            cur = []
    return out


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "build/tinylm"
    os.makedirs(out_dir, exist_ok=True)
    train, valid = [], []
    for name, lines in read_books().items():
        paras = paragraphs(lines)
        cut = int(len(paras) * (1 - VALID_FRACTION))
        train.append("\n\n".join(paras[:cut]))
        valid.append("\n\n".join(paras[cut:]))
        print(f"{name}: {len(paras)} paragraphs, {sum(map(len, paras))} chars")
    for fname, parts in (("train.txt", train), ("valid.txt", valid)):
        text = EOT.join(parts)
        with open(os.path.join(out_dir, fname), "w", encoding="utf-8") as f:
            f.write(text)
        print(f"{fname}: {len(text)} chars")


if __name__ == "__main__":
    main()
