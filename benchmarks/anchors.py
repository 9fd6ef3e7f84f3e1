"""Our scorecard trainer against the open-source anchors, from one run.

    pip install -e '.[bench]'
    python benchmarks/anchors.py [--rows 10000000] [--skip-throughput]

Quality: german.csv and credit_data.csv (data/), five stratified 70/30 splits
(random_state 0-4); mean test ROC AUC and KS, and fit time, for
  - socialcredit          (what the platform ships: protected attributes left out)
  - socialcredit, all     (every column, like for like with the anchors)
  - optbinning 1.0.0, scorecardpy 0.1.9.7, toad 0.1.7 (default binning, every
    feature, LogisticRegression on WoE, 600 points at 20:1 odds, PDO 50)
  - one-hot logistic regression (median imputation + missing indicator +
    standardisation for numbers; one-hot for categories)
  - LightGBM 4.7 (300 trees, learning rate 0.05, 15 leaves, 20 min child samples)
Throughput: German-credit features resampled to --rows rows; our batch engine
(DuckDB, scores; scores + four reasons) beside optbinning's Scorecard.score on the
same rows, single-threaded; toad and scorecardpy on a 1% sample (rows/s); one
person in the pure-Python path.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pyarrow as pa  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score, roc_curve  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder, StandardScaler  # noqa: E402

from socialcredit.engines import connect  # noqa: E402
from socialcredit.scorecard import evaluate, score_sql  # noqa: E402
from socialcredit.scorecard.scaling import BASE_ODDS, BASE_SCORE, PDO  # noqa: E402
from socialcredit.scorecard.train import ScorecardTrainer  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data"


def ks(y: np.ndarray, risk: np.ndarray) -> float:
    fpr, tpr, _ = roc_curve(y, risk)
    return float(np.max(tpr - fpr))


def categorical(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]


# Each method: fit on (x, y), return a function giving risk (higher = riskier) for x.


def ours(x: pd.DataFrame, y: pd.Series, *, protected: bool) -> Any:
    model = ScorecardTrainer(exclude_protected=not protected).fit(x, y.to_numpy())
    return lambda frame: -model.decision_function(frame)


def optbinning_card(x: pd.DataFrame, y: pd.Series) -> Any:
    from optbinning import BinningProcess, Scorecard

    return Scorecard(
        binning_process=BinningProcess(list(x.columns), categorical_variables=categorical(x)),
        estimator=LogisticRegression(),
        scaling_method="pdo_odds",
        scaling_method_params={"pdo": PDO, "odds": BASE_ODDS, "scorecard_points": BASE_SCORE},
    ).fit(x, y)


def optbinning(x: pd.DataFrame, y: pd.Series) -> Any:
    card = optbinning_card(x, y)
    return lambda frame: -card.score(frame)


def scorecardpy(x: pd.DataFrame, y: pd.Series) -> Any:
    import scorecardpy as sc

    train = x.assign(bad=y.to_numpy())
    with contextlib.redirect_stdout(io.StringIO()):
        bins = sc.woebin(train, y="bad", print_step=0)
        woe = sc.woebin_ply(train, bins, print_step=0)
    columns = [c for c in woe.columns if c != "bad"]
    model = LogisticRegression().fit(woe[columns], woe["bad"])
    card = sc.scorecard(bins, model, columns, points0=BASE_SCORE, odds0=1 / BASE_ODDS, pdo=PDO)

    def risk(frame: pd.DataFrame) -> np.ndarray:
        with contextlib.redirect_stdout(io.StringIO()):
            return -sc.scorecard_ply(frame, card, print_step=0)["score"].to_numpy()

    return risk


def toad(x: pd.DataFrame, y: pd.Series) -> Any:
    import toad as td

    # toad 0.1.7 cannot bin numeric columns with gaps under NumPy 2; the usual
    # toad practice of a -999 sentinel stands in for missing.
    numeric = [c for c in x.columns if c not in categorical(x)]

    def filled(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(**{c: frame[c].fillna(-999) for c in numeric})

    train = filled(x).assign(bad=y.to_numpy())
    combiner = td.transform.Combiner()
    combiner.fit(train, y="bad")
    woe = td.transform.WOETransformer()
    binned = combiner.transform(train)
    features = woe.fit_transform(binned, train["bad"], exclude=["bad"])
    card = td.ScoreCard(
        combiner=combiner,
        transer=woe,
        base_odds=BASE_ODDS,
        base_score=BASE_SCORE,
        pdo=PDO,
        rate=2,
    ).fit(features.drop(columns="bad"), train["bad"])
    return lambda frame: -card.predict(filled(frame))


def one_hot_lr(x: pd.DataFrame, y: pd.Series) -> Any:
    cats = categorical(x)
    nums = [c for c in x.columns if c not in cats]
    model = make_pipeline(
        ColumnTransformer(
            [
                (
                    "num",
                    make_pipeline(
                        SimpleImputer(strategy="median", add_indicator=True), StandardScaler()
                    ),
                    nums,
                ),
                (
                    "cat",
                    make_pipeline(
                        SimpleImputer(strategy="constant", fill_value="missing"),
                        OneHotEncoder(handle_unknown="ignore"),
                    ),
                    cats,
                ),
            ]
        ),
        LogisticRegression(max_iter=2000),
    ).fit(x, y)
    return lambda frame: model.predict_proba(frame)[:, 1]


def lightgbm(x: pd.DataFrame, y: pd.Series) -> Any:
    import lightgbm as lgb

    frame = x.copy()
    for c in categorical(frame):
        frame[c] = frame[c].astype("category")
    model = lgb.LGBMClassifier(
        n_estimators=300, learning_rate=0.05, num_leaves=15, min_child_samples=20, verbose=-1
    ).fit(frame, y)
    categories = {c: frame[c].cat.categories for c in categorical(frame)}

    def risk(test: pd.DataFrame) -> np.ndarray:
        test = test.copy()
        for c, cats in categories.items():
            test[c] = pd.Categorical(test[c], categories=cats)
        return model.predict_proba(test)[:, 1]

    return risk


METHODS = {
    "socialcredit": lambda x, y: ours(x, y, protected=False),
    "socialcredit, all columns": lambda x, y: ours(x, y, protected=True),
    "optbinning": optbinning,
    "scorecardpy": scorecardpy,
    "toad": toad,
    "one-hot logistic regression": one_hot_lr,
    "LightGBM": lightgbm,
}


def quality(name: str) -> dict[str, dict[str, float]]:
    frame = pd.read_csv(DATA / f"{name}.csv")
    x, y = frame.drop(columns="bad"), frame["bad"]
    results: dict[str, dict[str, list[float]]] = {
        m: {"auc": [], "ks": [], "fit": []} for m in METHODS
    }
    for seed in range(5):
        x_train, x_test, y_train, y_test = train_test_split(
            x, y, test_size=0.3, stratify=y, random_state=seed
        )
        for method, fit in METHODS.items():
            started = time.perf_counter()
            risk = fit(x_train.reset_index(drop=True), y_train.reset_index(drop=True))
            results[method]["fit"].append(time.perf_counter() - started)
            predicted = risk(x_test.reset_index(drop=True))
            results[method]["auc"].append(roc_auc_score(y_test, predicted))
            results[method]["ks"].append(ks(y_test.to_numpy(), predicted))
    return {m: {k: float(np.mean(v)) for k, v in r.items()} for m, r in results.items()}


def throughput(rows: int) -> list[tuple[str, float, str]]:
    frame = pd.read_csv(DATA / "german.csv")
    x, y = frame.drop(columns="bad"), frame["bad"]
    big = x.sample(rows, replace=True, random_state=0).reset_index(drop=True)
    trainer = ScorecardTrainer().fit(x, y.to_numpy())
    spec = trainer.spec_
    engine = connect("duckdb://:memory:")
    engine.create_table_from_arrow(
        "big", pa.Table.from_pandas(big.assign(_row=np.arange(rows))), temporary=True
    )
    from socialcredit.scorecard.compile import points_sql, quote

    points = " + ".join(points_sql(f, quote(f.column)) for f in spec.features)
    scores_only = (
        f"CREATE OR REPLACE TEMP TABLE s AS SELECT _row, least(greatest("
        f"{spec.base_points} + {points}, {spec.scaling.min_score}), {spec.scaling.max_score}) "
        "AS score FROM big"
    )
    started = time.perf_counter()
    engine.execute("scores", scores_only)
    ours_text = rows / (time.perf_counter() - started)
    started = time.perf_counter()
    engine.encode_categories("big")  # how the engine stores categorical columns it scores
    encode_s = time.perf_counter() - started
    started = time.perf_counter()
    engine.execute("scores", scores_only)
    ours_scores = rows / (time.perf_counter() - started)
    started = time.perf_counter()
    engine.execute("reasons", f"CREATE TEMP TABLE r AS {score_sql(spec, 'big', key='_row')}")
    ours_reasons = time.perf_counter() - started
    engine.close()

    card = optbinning_card(x, y)
    started = time.perf_counter()
    card.score(big)
    opt = rows / (time.perf_counter() - started)
    sample = big.iloc[: max(rows // 100, 1000)]
    toad_risk, scpy_risk = toad(x, y), scorecardpy(x, y)
    started = time.perf_counter()
    toad_risk(sample)
    toad_rate = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    scpy_risk(sample)
    scpy_rate = len(sample) / (time.perf_counter() - started)

    person = {c: big[c].iloc[0] for c in big.columns}
    started = time.perf_counter()
    for _ in range(10_000):
        evaluate(spec, person)
    single_ms = (time.perf_counter() - started) / 10_000 * 1000
    return [
        (
            "socialcredit batch engine (DuckDB), scores",
            ours_scores,
            f"{ours_scores / opt:.1f}x optbinning; categories dictionary-encoded "
            f"({encode_s:.1f} s once, at load)",
        ),
        (
            "socialcredit batch engine, scores, categories as plain text",
            ours_text,
            f"{ours_text / opt:.1f}x optbinning",
        ),
        (
            "socialcredit batch engine, scores + 4 reasons",
            rows / ours_reasons,
            f"{ours_reasons:.2f} s for {rows:,} people",
        ),
        ("optbinning Scorecard.score", opt, "same rows"),
        ("toad ScoreCard.predict", toad_rate, f"{len(sample):,}-row sample"),
        ("scorecardpy scorecard_ply", scpy_rate, f"{len(sample):,}-row sample"),
        ("socialcredit one person, pure Python", 1000 / single_ms, f"{single_ms:.3f} ms/person"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--skip-throughput", action="store_true")
    options = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores\n")
    for name in ("german", "credit_data"):
        table = quality(name)
        print(f"### {name}: mean over five stratified 70/30 splits\n")
        print("| method | test AUC | test KS | fit seconds |")
        print("|---|---:|---:|---:|")
        for method, r in table.items():
            print(f"| {method} | {r['auc']:.4f} | {r['ks']:.4f} | {r['fit']:.2f} |")
        print()
    if not options.skip_throughput:
        print(
            f"### scoring throughput, German-credit features resampled to {options.rows:,} rows\n"
        )
        print("| what | rows/s | note |")
        print("|---|---:|---|")
        for what, rate, note in throughput(options.rows):
            print(f"| {what} | {rate:,.0f} | {note} |")


if __name__ == "__main__":
    main()
