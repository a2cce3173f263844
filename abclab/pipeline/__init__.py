"""Run a study end to end: read, clean, weight, score, classify with every method, compare, stress.

:func:`run_study` is a straight sequence of typed steps — :func:`~abclab.pipeline.read.read_step`,
:func:`~abclab.pipeline.clean.clean_step`, :func:`~abclab.pipeline.weigh.weight_step`,
:func:`~abclab.pipeline.classify.classify_step`,
:func:`~abclab.pipeline.customer_base.customer_base_step`,
:func:`~abclab.pipeline.compare.compare_step` and the stress steps — each returning a frozen dataclass of :mod:`abclab.pipeline.results`;
:class:`StudyResults` bundles them. Each step is timed, reported to an optional
``progress(step_name)`` callable, and its errors name the step (``"cleaning: ..."``,
``"method 'ramanathan': ..."``).
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from abclab.config import Study, load_study
from abclab.exceptions import AbclabError
from abclab.pipeline.classify import PENDING_WORD, classify_step, transaction_log, with_pending
from abclab.pipeline.clean import MERGED_INTO, STATUS, clean_step, count_statuses, pii_columns
from abclab.pipeline.compare import comparable_tiers, compare_step
from abclab.pipeline.customer_base import customer_base_step
from abclab.pipeline.read import ID, NAME, open_log, read_master, read_step
from abclab.pipeline.results import (
    FUZZY_CRISP,
    ClassifyStep,
    CleanStep,
    CompareStep,
    CustomerBaseStep,
    DataStep,
    StressStep,
    StudyResults,
    WeightStep,
)
from abclab.pipeline.stress import (
    migration,
    previous_tiers,
    tier_acceptability,
    tier_bootstrap,
    weight_sensitivity,
)
from abclab.pipeline.tables import customer_table, display_names, value_potential_inputs
from abclab.pipeline.weigh import indicator_scores, weight_step

__all__ = [
    "PROGRESS_ENV",
    "ID",
    "MERGED_INTO",
    "NAME",
    "PENDING_WORD",
    "STATUS",
    "ClassifyStep",
    "CleanStep",
    "CompareStep",
    "CustomerBaseStep",
    "DataStep",
    "StressStep",
    "StudyResults",
    "FUZZY_CRISP",
    "WeightStep",
    "comparable_tiers",
    "count_statuses",
    "customer_table",
    "pii_columns",
    "previous_tiers",
    "run_study",
    "value_potential_inputs",
    "with_pending",
]


#: Environment variable naming a file to which :func:`run_study` appends each step's name when
#: no ``progress`` callback is given: how ``abclab report`` shows the steps of the pipeline
#: that runs inside the report notebook's kernel.
PROGRESS_ENV = "ABCLAB_PROGRESS_FILE"


def _file_progress() -> Callable[[str], None] | None:
    target = os.environ.get(PROGRESS_ENV)
    if not target:
        return None

    def write(step: str) -> None:
        try:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(step.replace("\n", " ") + "\n")
        except OSError:
            pass

    return write


class _Timer:
    """Times named steps, reports them to ``progress`` and prefixes their errors."""

    def __init__(self, progress: Callable[[str], None] | None) -> None:
        self.progress = progress if progress is not None else _file_progress()
        self.timings: dict[str, float] = {}

    @contextmanager
    def step(self, name: str, label: str | None = None) -> Iterator[None]:
        label = label or name
        if self.progress is not None:
            self.progress(label)
        start = time.perf_counter()
        try:
            yield
        except AbclabError as err:
            raise type(err)(f"{label}: {err}") from err
        except (FileNotFoundError, PermissionError) as err:
            raise type(err)(f"{label}: {err}") from err
        except Exception as err:
            raise RuntimeError(f"{label}: {type(err).__name__}: {err}") from err
        finally:
            self.timings[name] = time.perf_counter() - start


def run_study(
    study: Study | str | Path, *, progress: Callable[[str], None] | None = None
) -> StudyResults:
    """Run every step of a study.

    Parameters
    ----------
    study : Study or path
        A validated study (or the path of a study file, loaded with :func:`load_study`).
    progress : callable, optional
        Called with each step's name as it starts (``"data"``, ``"cleaning"``, ``"weights"``,
        ``"scoring"``, ``"method 'pareto'"`` ...).

    Returns
    -------
    StudyResults

    Raises
    ------
    AbclabError
        Bad input, with the step named first in the message.
    ReportError
        If the customer accounting does not balance (input != classified + pending + merged).
    """
    if not isinstance(study, Study):
        study = load_study(study)
    timer = _Timer(progress)
    notes: list[str] = []
    aliases: dict = {}
    with ExitStack() as run:  # the log's temporary copy lives while the steps read it
        with timer.step("data"):
            master = read_master(study)
            log = run.enter_context(open_log(study))
            data = read_step(study, master, log=log)
        with timer.step("cleaning"):
            clean = clean_step(study, data, log=log)
            if study.data.transactions is not None and len(clean.cleaning.merged):
                # A merged duplicate's invoices belong to the record it was merged into:
                # derive the criteria again with those ids booked to it, then clean again.
                merged = clean.cleaning.merged
                aliases = dict(zip(merged["customer"], merged["merged_into"], strict=True))
                data = read_step(study, master, log=log, aliases=aliases)
                clean = clean_step(study, data, log=log)
                notes.append(
                    f"{len(aliases)} duplicate customer id(s) merged; their transactions are "
                    "counted under the record each was merged into"
                )
        criteria = clean.criteria
        with timer.step("weights"):
            weighting = weight_step(study, indicator_scores(study, criteria))
        pending = list(clean.cleaning.pending.index) if len(clean.cleaning.pending) else []
        transactions = transaction_log(study, log=log, aliases=aliases)
        classification = classify_step(study, criteria, weighting.weights,
                                       extra=clean.cleaning.cleaned, pending=pending,
                                       step=timer.step, transactions=transactions)  # fmt: skip
        with timer.step("customer_base", "customer base"):
            base = customer_base_step(study, transactions, data, classification.fits)
    with timer.step("comparison"):
        comparison = compare_step(study, criteria, classification.tiers)
    stress = StressStep()
    if study.sensitivity is not None:
        with timer.step("sensitivity"):
            result = weight_sensitivity(study, classification.scores, weighting.weights, notes)
        with timer.step("smaa"):
            accept = tier_acceptability(study, classification.scores, weighting.weights)
        with timer.step("bootstrap"):
            boot = tier_bootstrap(study, criteria, classification.scores,
                                  classification.method_scores, weighting.weights,
                                  notes)  # fmt: skip
        stress = StressStep(sensitivity=result, smaa=accept, bootstrap=boot)
    if study.data.previous is not None:
        with timer.step("migration"):
            moved = migration(study, classification.tiers[study.recommended])
        stress = dataclasses.replace(stress, migration=moved)
    return StudyResults(
        study=study,
        data=data,
        clean=clean,
        weighting=weighting,
        classification=classification,
        comparison=comparison,
        stress=stress,
        display_names=display_names(study, clean.inputs),
        timings=dict(timer.timings),
        notes=notes,
        customer_base=base,
    )
