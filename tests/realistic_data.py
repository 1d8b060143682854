"""Files as students bring them, made here (no downloads), for the data, page and browser tests.

titanic_csv: a Titanic-like table made up from a seeded model: an ID, text with many values, two-value text,
gaps, a label named Survived and seven usable features. wine_csv: scikit-learn's wine data (13 features,
3 cultivars, shipped inside scikit-learn) with the cultivars named, as a German Excel export would have it
when german=True (";" between values, decimal commas).
"""

from __future__ import annotations

import csv
import io

import numpy as np

COLUMNS = ("PassengerId", "Survived", "Pclass", "Name", "Sex", "Age", "SibSp", "Parch", "Ticket", "Fare", "Cabin",
           "Embarked")
SURNAMES = ("Smith", "Brown", "Kelly", "Olsen", "Dubois", "Rossi", "Novak", "Murphy", "Berg", "Laine")


def titanic_rows(n: int = 400, seed: int = 7) -> list[dict[str, object]]:
    """Survival depends mostly on Sex, then on Pclass and Fare, a little on Age; about 20 % of Age is empty,
    most Cabins are, and two Embarked cells are."""
    rng = np.random.default_rng(seed)
    pclass = rng.choice([1, 2, 3], size=n, p=[0.25, 0.2, 0.55])
    female = rng.random(n) < 0.36
    age = np.clip(rng.normal(30 - 4 * (pclass - 2), 13), 0.5, 80).round(1)
    fare = np.round(rng.gamma(2.0, np.choose(pclass - 1, [45.0, 12.0, 5.0])), 2)
    logit = -0.6 + 2.6 * female - 1.0 * (pclass - 2) - 0.02 * (age - 30) + 0.004 * fare
    survived = rng.random(n) < 1 / (1 + np.exp(-logit))
    rows = []
    for i in range(n):
        title = "Mrs." if female[i] else "Mr."
        rows.append({
            "PassengerId": i + 1,
            "Survived": int(survived[i]),
            "Pclass": int(pclass[i]),
            "Name": f"{SURNAMES[i % len(SURNAMES)]}, {title} Passenger {i + 1}",
            "Sex": "female" if female[i] else "male",
            "Age": "" if rng.random() < 0.2 else f"{age[i]:g}",
            "SibSp": int(rng.poisson(0.5)),
            "Parch": int(rng.poisson(0.4)),
            "Ticket": f"{'PC ' if pclass[i] == 1 else ''}{10000 + int(rng.integers(0, 90000))}",
            "Fare": f"{fare[i]:.2f}",
            "Cabin": f"{'ABCDE'[i % 5]}{i % 97 + 1}" if pclass[i] == 1 and rng.random() < 0.7 else "",
            "Embarked": "" if i in (61, 829 % n) else str(rng.choice(["S", "C", "Q"], p=[0.72, 0.19, 0.09])),
        })
    return rows


def titanic_csv(n: int = 400, seed: int = 7) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(titanic_rows(n, seed))
    return buffer.getvalue().encode()


WINE_CULTIVARS = ("Barolo", "Grignolino", "Barbera")


def wine_frame():
    from sklearn.datasets import load_wine

    frame = load_wine(as_frame=True).frame
    frame.columns = [c.replace("_", " ").capitalize() if c != "target" else "cultivar" for c in frame.columns]
    frame["cultivar"] = [WINE_CULTIVARS[t] for t in frame["cultivar"]]
    return frame


def wine_csv(german: bool = False) -> bytes:
    frame = wine_frame()
    if german:
        return frame.to_csv(index=False, sep=";", decimal=",").encode("cp1252")
    return frame.to_csv(index=False).encode()
