"""Score and classify step: the weighted score, then every method of the study side by side."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np
import pandas as pd

from abclab import scoring
from abclab.config import Study
from abclab.features import PreparedLog
from abclab.methods import MethodContext, TransactionLog
from abclab.pipeline.read import ID, require_local_log
from abclab.pipeline.results import ClassifyStep

__all__ = ["PENDING_WORD", "classify_step", "method_context", "transaction_log", "with_pending"]

#: Tier of customers pending evaluation when a method's tiers are words, per report language.
PENDING_WORD = {"en": "pending", "zh": "待评估"}


def method_context(
    study: Study, criteria: pd.DataFrame, scores: scoring.ScoreResult, weights: pd.Series,
    extra: pd.DataFrame | None, transactions: TransactionLog | None = None,
) -> MethodContext:  # fmt: skip
    """What the study's methods read (:class:`abclab.methods.MethodContext`)."""
    return MethodContext(
        criteria=criteria,
        indicator_scores=scores.indicator_scores,
        score=scores.score,
        weights=weights,
        scoring=study.scoring_spec(),
        cost=study.cost_criteria,
        extra=extra,
        seed=study.seed,
        transactions=transactions,
    )


def transaction_log(
    study: Study, *, log: PreparedLog | None, aliases: Mapping[Any, Any] | None = None
) -> TransactionLog | None:
    """The transaction log for methods that read it and the customer-base step (None when
    neither does or there is no log).

    ``log`` is the run's log, read once for every step (:func:`abclab.pipeline.read.open_log`):
    a plain CSV or Parquet log is the client's file, a client export (GBK, title rows,
    Chinese dates, XLSX, reader options) its Parquet conversion.
    """
    t = study.data.transactions
    users = [f"method {m.method!r}" for m in study.methods if m.uses_transactions]
    users += ["customer_base"] if study.customer_base is not None else []
    if t is None or not users:
        return None
    log = require_local_log(study, log, ", ".join(users))
    return TransactionLog(source=log, customer=t.customer, date=t.date, amount=t.amount,
                          due_date=t.due_date, paid_date=t.paid_date, as_of=t.as_of,
                          aliases=dict(aliases) if aliases else None)  # fmt: skip


def classify_step(
    study: Study,
    criteria: pd.DataFrame,
    weights: pd.Series,
    *,
    extra: pd.DataFrame | None,
    pending: Sequence[Any],
    step: Callable[[str, str], AbstractContextManager[None]],
    transactions: TransactionLog | None = None,
) -> ClassifyStep:
    """Score the classified customers and run every method; pending customers get tier D.

    ``step(key, label)`` times and names each method's run (errors say which method failed);
    ``transactions`` is the log the churn and credit methods read (:func:`transaction_log`).
    """
    with step("scoring", "scoring"):
        scores = scoring.score(criteria, weights, criteria=study.scoring_spec())
    ctx = method_context(study, criteria, scores, weights, extra, transactions)
    word = PENDING_WORD.get(study.language, "pending")
    tiers: dict[str, pd.Series] = {}
    method_scores: dict[str, pd.Series] = {}
    fits: dict[str, object] = {}
    for method in study.methods:
        with step(f"method:{method.name}", f"method '{method.name}'"):
            out = method.run(ctx)
            tiers[method.name] = with_pending(out.tiers.rename(method.name), pending, word=word)
            if out.fit is not None:
                fits[method.name] = out.fit
            if out.scores is not None:
                method_scores[method.name] = pd.Series(out.scores, index=criteria.index,
                                                       name=method.name)  # fmt: skip
    return ClassifyStep(
        scores=scores,
        tiers=pd.DataFrame(tiers),
        method_scores=pd.DataFrame(method_scores, index=criteria.index),
        fits=fits,
    )


def with_pending(tiers: pd.Series, pending: Sequence[Any], *, word: str = "pending") -> pd.Series:
    """Append pending customers with tier "D" (``word`` for word labels), worst category."""
    if not isinstance(tiers.dtype, pd.CategoricalDtype):
        tiers = tiers.astype("category")
    cats = [str(c) for c in tiers.cat.categories]
    label = "D" if all(len(c) == 1 for c in cats) else word
    cats = cats + [label] if label not in cats else cats
    # category codes carry over (categories keep their order, as text); missing stays -1
    codes = np.concatenate(
        [np.asarray(tiers.cat.codes, dtype=np.int64), np.full(len(pending), cats.index(label))]
    )
    index = list(tiers.index) + list(pending)
    cat = pd.Categorical.from_codes(codes, categories=cats, ordered=True)
    out = pd.Series(cat, index=pd.Index(index, name=ID), name=tiers.name)
    out.attrs = dict(tiers.attrs)
    return out
