"""Small tables for tests: a field survey of animals (text categories, blanks, text target),
diabetes."""

from __future__ import annotations

import numpy as np
import pandas as pd


def survey_table(n: int = 330, seed: int = 0) -> pd.DataFrame:
    """Three species on three islands, body measurements with blanks, like a penguin field
    survey."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], size=n)
    centre = {
        "Adelie": (38.8, 18.3, 190, 3700),
        "Chinstrap": (48.8, 18.4, 196, 3730),
        "Gentoo": (47.5, 15.0, 217, 5080),
    }
    islands = {
        "Adelie": ["Torgersen", "Biscoe", "Dream"],
        "Chinstrap": ["Dream"],
        "Gentoo": ["Biscoe"],
    }
    rows = []
    for s in species:
        bill, depth, flipper, mass = centre[s]
        rows.append(
            {
                "island": rng.choice(islands[s]),
                "bill_length_mm": rng.normal(bill, 2.5),
                "bill_depth_mm": rng.normal(depth, 0.9),
                "flipper_length_mm": rng.normal(flipper, 6.5),
                "body_mass_g": rng.normal(mass, 420),
                "sex": rng.choice(["male", "female"]),
                "species": s,
            }
        )
    df = pd.DataFrame(rows)
    for col in ("bill_length_mm", "body_mass_g", "sex"):
        df.loc[rng.random(n) < 0.05, col] = np.nan
    return df


def diabetes_table() -> pd.DataFrame:
    from sklearn.datasets import load_diabetes

    bunch = load_diabetes(as_frame=True)
    df = bunch.frame.copy()
    return df.rename(columns={"target": "progression"})
