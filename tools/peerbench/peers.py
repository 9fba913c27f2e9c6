"""Python side of the peer benchmark, and the table that merges both sides.

    peers.py bench --corpus DIR --texts texts.jsonl --out py.jsonl
    peers.py table --go-version "$(go version)" go.jsonl py.jsonl

`bench` times PIL decoding and imagehash.phash on the corpus images, and
datasketch MinHash + MinHashLSH on the texts gobench extracted (the same
visible titles and descriptions listingscan fingerprints). It writes one JSON
object per measurement, in the same shape as gobench. Everything runs on one
thread; run.sh also pins numpy's thread pools to one.

`table` prints one markdown report of both sides plus the machine.
"""

import argparse
import datetime
import io
import json
import os
import platform
import struct
import sys
import time
import unicodedata
from importlib import metadata

WARMUP = 3  # untimed items before each timed loop
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
MAX_IMAGE_BYTES = 20 << 20

# listingscan's banding (similarity.TitleLSH and DescriptionLSH). datasketch
# gets the same (bands, rows) through params=, and the threshold those imply,
# (1/bands)^(1/rows), for the record.
BANDING = {"title": (48, 3), "description": (70, 3)}


def read_images(corpus):
    d = os.path.join(corpus, "img")
    out = []
    for name in sorted(os.listdir(d)):
        if os.path.splitext(name)[1].lower() not in IMAGE_EXTS:
            continue
        path = os.path.join(d, name)
        if not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read(MAX_IMAGE_BYTES + 1)
        if len(data) > MAX_IMAGE_BYTES:
            raise SystemExit(f"peers.py: {path}: larger than {MAX_IMAGE_BYTES} bytes")
        out.append((path, data))
    if not out:
        raise SystemExit(f"peers.py: no images in {d}")
    return out


def timed_loop(items, fn, reps):
    """Seconds fn spends on all items, each item's fastest of reps passes,
    after WARMUP untimed ones. fn returns the seconds it wants charged, so
    that setup inside it is left out."""
    for it in items[:WARMUP]:
        fn(it)
    best = [fn(it) for it in items]
    for _ in range(reps - 1):
        best = [min(b, fn(it)) for b, it in zip(best, items)]
    return sum(best)


def fastest(reps, fn):
    """fn's shortest run of reps, in seconds, and its result."""
    best, out = None, None
    for _ in range(reps):
        t = time.perf_counter()
        out = fn()
        d = time.perf_counter() - t
        best = d if best is None else min(best, d)
    return best, out


def bench_images(imgs, reps):
    from PIL import Image
    import imagehash

    def decode(item):
        path, data = item
        try:
            im = Image.open(io.BytesIO(data))
            im.load()
        except Exception as e:  # PIL raises many types for bad input
            raise SystemExit(f"peers.py: decode {path}: {e}")
        return im

    def t_decode(item):
        t = time.perf_counter()
        decode(item)
        return time.perf_counter() - t

    def t_phash(item):
        im = decode(item)
        t = time.perf_counter()
        imagehash.phash(im)
        return time.perf_counter() - t

    n = len(imgs)
    return [
        {"kind": "image", "side": "python", "tool": "PIL Image.open().load()", "step": "decode",
         "n": n, "seconds": timed_loop(imgs, t_decode, reps), "procs": 1, "reps": reps},
        {"kind": "image", "side": "python", "tool": "imagehash.phash", "step": "hash (decoded)",
         "n": n, "seconds": timed_loop(imgs, t_phash, reps), "procs": 1, "reps": reps},
    ]


def simple_norm(s):
    """What a user of datasketch would write: NFKC, case-folded, letters and
    digits only (drops spaces, punctuation and zero-width characters)."""
    return "".join(c for c in unicodedata.normalize("NFKC", s).casefold() if c.isalnum())


def ngrams(s, n):
    if len(s) < n:
        return {s} if s else set()
    return {s[i:i + n] for i in range(len(s) - n + 1)}


def simple_shingles(field, text):
    s = simple_norm(text)
    if field == "title":
        return ngrams(s, 1) | ngrams(s, 2)
    return ngrams(s, 3)


def load_truth(corpus):
    path = os.path.join(corpus, "truth.ndjson")
    if not os.path.exists(path):
        path = os.path.join(corpus, "truth.jsonl")
    fields = {"copy.title": "title", "copy.description": "description"}
    out = {f: {"copies": set(), "lookalikes": set(), "transform": {}} for f in fields.values()}
    with open(path, encoding="utf-8") as fh:
        for i, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                t = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"peers.py: {path}:{i}: {e}")
            f = fields.get(t.get("rule"))
            if f is None:
                continue
            p = tuple(sorted((t["listing_id"], t["other_listing_id"])))
            out[f]["copies" if t.get("expect") else "lookalikes"].add(p)
            if t.get("expect"):
                out[f]["transform"][p] = t.get("transform", "")
    return out


def missed(tp, pairs):
    """How many planted copies each text evasion hid from the candidates."""
    out = {}
    for p in tp["copies"] - pairs:
        tr = tp["transform"].get(p, "")
        out[tr] = out.get(tr, 0) + 1
    return out


def bench_text_field(field, ids, shingle_sets, truth, tool, shingles_desc, reps, sig_extra=0.0):
    """MinHash every non-empty set, then insert all into a MinHashLSH and
    query all. shingle_sets are lists of bytes. sig_extra is time already
    spent making the shingles, charged to the signature step."""
    from datasketch import MinHash, MinHashLSH

    bands, rows = BANDING[field]
    k = bands * rows
    items = [(i, s) for i, s in zip(ids, shingle_sets) if s]

    def sign(s):
        m = MinHash(num_perm=k)
        m.update_batch(s)
        return m

    for _, s in items[:WARMUP]:
        sign(s)
    sig_seconds, sigs = fastest(reps, lambda: [(i, sign(s)) for i, s in items])
    sig_seconds += sig_extra

    def cands():
        lsh = MinHashLSH(threshold=(1 / bands) ** (1 / rows), num_perm=k, params=(bands, rows))
        for i, m in sigs:
            lsh.insert(i, m)
        pairs = set()
        for i, m in sigs:
            for j in lsh.query(m):
                if j != i:
                    pairs.add((i, j) if i < j else (j, i))
        return pairs

    cand_seconds, pairs = fastest(reps, cands)

    tp = truth[field]
    return {
        "kind": "text", "side": "python", "field": field, "tool": tool,
        "shingles": shingles_desc,
        "banding": f"K={k}, {bands} bands x {rows} rows (threshold {(1 / bands) ** (1 / rows):.3f})",
        "n": len(items), "sig_seconds": sig_seconds, "cand_seconds": cand_seconds,
        "candidates": len(pairs),
        "planted": len(tp["copies"]), "planted_found": len(tp["copies"] & pairs),
        "lookalike": len(tp["lookalikes"]), "lookalike_found": len(tp["lookalikes"] & pairs),
        "missed": missed(tp, pairs),
        "procs": 1, "reps": reps,
    }


def bench_texts(texts_path, truth, reps):
    recs = []
    with open(texts_path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                recs.append(json.loads(line))
    ids = [r["id"] for r in recs]
    out = []
    for field, key, sh_key in (("title", "title", "title_shingles"),
                               ("description", "description", "description_shingles")):
        # Our own shingles, 64-bit values as 8 bytes each (packed untimed:
        # gobench's matching row is given the values too).
        given = [[struct.pack("<Q", h) for h in (r.get(sh_key) or [])] for r in recs]
        out.append(bench_text_field(field, ids, given, truth, "datasketch",
                                    "listingscan shingles (given)", reps))
        shingle_seconds, simple = fastest(
            reps, lambda: [[g.encode("utf-8") for g in simple_shingles(field, r[key])] for r in recs])
        desc = ("NFKC+casefold, alnum, char 1+2-grams" if field == "title"
                else "NFKC+casefold, alnum, char 3-grams")
        out.append(bench_text_field(field, ids, simple, truth, "datasketch", desc, reps, shingle_seconds))
    return out


def cmd_bench(a):
    if not 1 <= a.reps <= 100:
        raise SystemExit(f"peers.py: --reps {a.reps}: want 1-100")
    rows = bench_images(read_images(a.corpus), a.reps)
    rows += bench_texts(a.texts, load_truth(a.corpus), a.reps)
    with open(a.out, "w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(pkg):
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


def fmt_ms(seconds, n):
    return f"{seconds / n * 1e3:.2f}" if n else "—"


def cmd_table(a):
    rows = []
    for path in a.results:
        with open(path, encoding="utf-8") as fh:
            rows += [json.loads(l) for l in fh if l.strip()]
    img = [r for r in rows if r["kind"] == "image"]
    txt = [r for r in rows if r["kind"] == "text"]
    by_tool = {r["tool"]: r for r in img}

    p = print
    p("## Peer benchmark: listingscan vs goimagehash, imagehash, datasketch\n")
    p("| machine | |")
    p("| --- | --- |")
    p(f"| date | {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')} |")
    p(f"| nproc | {len(os.sched_getaffinity(0))} |")
    p(f"| CPU | {cpu_model()} |")
    p(f"| Go | {a.go_version} |")
    p(f"| Python | {platform.python_version()} |")
    p("| Python packages | " + ", ".join(f"{k} {version(k)}" for k in
                                          ("imagehash", "Pillow", "datasketch", "numpy", "scipy")) + " |")
    if a.corpus:
        p(f"| corpus | {a.corpus} |")
    p("")

    if img:
        n = img[0]["n"]
        reps = max(r.get("reps", 1) for r in img)
        p(f"### Image hashing: {n} images, one core "
          "(Go: one goroutine, GOMAXPROCS=1; Python: single thread). Encoded bytes in memory; "
          f"each image's fastest of {reps} pass(es).\n")
        p("| side | tool | step | ms/image | images/s/core |")
        p("| --- | --- | --- | ---: | ---: |")

        def line(side, tool, step, seconds, n):
            rate = f"{n / seconds:.0f}" if seconds > 0 else "—"
            p(f"| {side} | {tool} | {step} | {fmt_ms(seconds, n)} | {rate} |")

        for r in img:
            line(r["side"], r["tool"], r["step"], r["seconds"], r["n"])
        sums = [("go", "Go image.Decode + goimagehash PerceptionHash",
                 "Go image.Decode", "goimagehash PerceptionHash"),
                ("python", "PIL decode + imagehash.phash",
                 "PIL Image.open().load()", "imagehash.phash")]
        for side, label, d, h in sums:
            if d in by_tool and h in by_tool:
                line(side, f"**{label}**", "decode + 1 pHash (sum)",
                     by_tool[d]["seconds"] + by_tool[h]["seconds"], by_tool[d]["n"])
        p("\nlistingscan's print = decode + pHash and dHash of 6 variants "
          "(full, top-cut, center, each mirrored) + the detail grid.\n")

    if txt:
        reps = max(r.get("reps", 1) for r in txt)
        p("### Text candidate generation: MinHash signatures, then LSH candidate pairs, one core; "
          f"fastest of {reps} pass(es)\n")
        p("| field | tool | shingles | banding | texts | signature µs/text | candidates ms | candidate pairs | "
          "planted copies found (recall) | honest look-alikes among candidates |")
        p("| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in sorted(txt, key=lambda r: (r["field"] != "title", r["side"] != "go")):
            sig = f"{r['sig_seconds'] / r['n'] * 1e6:.1f}" if r["n"] else "—"
            if r.get("candidates") is None:
                cand = pairs = recall = look = "(same keys as above)"
            else:
                cand = f"{r['cand_seconds'] * 1e3:.1f}"
                pairs = str(r["candidates"])
                pl = r["planted"]
                recall = (f"{r['planted_found']}/{pl} ({r['planted_found'] / pl:.3f})" if pl else "—")
                if r.get("missed"):
                    recall += " missed: " + ", ".join(f"{k} {v}" for k, v in sorted(r["missed"].items()))
                look = f"{r['lookalike_found']}/{r['lookalike']}"
            p(f"| {r['field']} | {r['tool']} | {r['shingles']} | {r['banding']} | {r['n']} | {sig} | "
              f"{cand} | {pairs} | {recall} | {look} |")
        p("\nSignature time includes normalising and shingling where the shingles column says the tool "
          "makes them. Candidates = build the key index, then list every pair sharing a band "
          "(listingscan: Go map from band key to listings; datasketch: MinHashLSH insert all, query all). "
          "Recall counts the planted copy.title / copy.description pairs of truth.ndjson that are candidates.")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--corpus", required=True)
    b.add_argument("--texts", required=True, help="texts.jsonl written by gobench -texts")
    b.add_argument("--out", required=True)
    b.add_argument("--reps", type=int, default=1, help="passes per step; the fastest counts")
    b.set_defaults(func=cmd_bench)
    t = sub.add_parser("table")
    t.add_argument("--go-version", default="unknown")
    t.add_argument("--corpus", default="")
    t.add_argument("results", nargs="+")
    t.set_defaults(func=cmd_table)
    a = ap.parse_args(argv)
    a.func(a)


if __name__ == "__main__":
    main(sys.argv[1:])
