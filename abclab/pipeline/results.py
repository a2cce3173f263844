"""What each pipeline step returns, and :class:`StudyResults`, the bundle the report reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from abclab.ahp import AHPResult
from abclab.cleaning import CleaningResult, ReturnsSummary
from abclab.clv import BackTest
from abclab.compare import AgreementResult
from abclab.config import CustomerBaseSpec, Study
from abclab.exceptions import InputDataError
from abclab.scoring import ScoreResult
from abclab.sensitivity import SensitivityResult, SMAAResult

__all__ = [
    "ClassifyStep",
    "CleanStep",
    "CompareStep",
    "CustomerBaseStep",
    "DataStep",
    "StressStep",
    "StudyResults",
    "FUZZY_CRISP",
    "WeightStep",
]


@dataclass(frozen=True)
class DataStep:
    """The read (and derive) step: one row per input record, criteria under study names.

    ``frame`` has a row-number index and the columns ``customer_id``, ``name`` (if the study
    names one), the criteria and every other client column. ``excluded`` holds the customer
    table's total rows (records, but not customers); ``set_aside`` the rows of the files that
    are no records (``file, row, kind, content``: title, blank, total, note); ``unmatched``
    the customers of the log that the customer table does not have (``customer_id, lines,
    amount, first_purchase, last_purchase``).
    """

    frame: pd.DataFrame
    files: tuple[Path, ...]
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    set_aside: pd.DataFrame = field(default_factory=pd.DataFrame)
    unmatched: pd.DataFrame = field(default_factory=pd.DataFrame)
    returns: ReturnsSummary | None = None
    #: cells of each criterion of the customer table read by a business-number rule
    #: (``column, rule, count``; e.g. ``wan`` for 万元): what :func:`abclab.report._format.money_unit` reads
    conversions: pd.DataFrame = field(default_factory=pd.DataFrame)


@dataclass(frozen=True)
class CleanStep:
    """The cleaning step: the cleaning result, every input row with its status, the criteria.

    ``inputs`` is :attr:`StudyResults.input_customers`; ``criteria`` holds the cleaned
    criteria of the classified customers (index = customer id); ``counts`` has ``input``,
    ``classified``, ``pending``, ``merged`` and ``excluded`` (input = the sum of the
    others); ``flagged_lines`` the invoice lines that look like keying errors
    (:func:`abclab.cleaning.flag_lines`: far above the customer's own lines and among the
    file's largest), used as they are.
    """

    cleaning: CleaningResult
    inputs: pd.DataFrame
    criteria: pd.DataFrame
    counts: dict[str, int]
    flagged_lines: pd.DataFrame = field(default_factory=pd.DataFrame)


#: Key of :attr:`WeightStep.experts` holding the AHP result of fuzzy judgements' modal matrix.
FUZZY_CRISP = "fuzzy AHP (modal judgements)"


@dataclass(frozen=True)
class WeightStep:
    """Criterion weights and how they were found.

    ``experts`` maps an expert (or a hierarchy node ``"hierarchy:<name>"``, or
    :data:`FUZZY_CRISP` for the modal matrix of fuzzy AHP judgements) to its
    :class:`~abclab.ahp.AHPResult`; ``group`` is the aggregate of several experts;
    ``comparison`` is criterion x weighting method (:func:`abclab.pipeline.weigh.weight_comparison`);
    ``derived`` is the :class:`~abclab.weighting.BestWorstResult` or
    :class:`~abclab.ahp.FuzzyAHPResult` the weights come from (``weights.best_worst`` /
    ``weights.fuzzy_ahp``), else None.
    """

    experts: dict[str, AHPResult]
    group: AHPResult | None
    weights: pd.Series
    comparison: pd.DataFrame
    derived: Any = None


@dataclass(frozen=True)
class ClassifyStep:
    """Scores and every method's tiers.

    ``tiers``: classified and pending customers x method, ordered Categoricals (pending
    customers get ``D``, or the pending word for methods with word labels);
    ``method_scores``: classified customers x method, the number a method ranks by;
    ``fits``: method name -> what the method fitted that a later step reuses
    (:attr:`abclab.methods.MethodOutput.fit`), for the methods that have one.
    """

    scores: ScoreResult
    tiers: pd.DataFrame
    method_scores: pd.DataFrame
    fits: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class CompareStep:
    """Per-method summaries, the strategies of the recommended tiers, agreement, disputes."""

    strategies: pd.DataFrame
    summaries: dict[str, pd.DataFrame]
    agreement: AgreementResult | None
    disputed: pd.DataFrame
    #: customers the value methods place in different tiers (``disputed`` lists the 20 with
    #: the widest spread)
    disputed_count: int = 0


@dataclass(frozen=True)
class StressStep:
    """Weight sensitivity (if the study asks for it) and the migration from last period.

    With ``sensitivity:``, ``smaa`` is the SMAA-2 tier acceptability of the tested method's
    tiers (:func:`abclab.pipeline.stress.tier_acceptability`) and ``bootstrap`` the bootstrap
    intervals of the recommended tiers' customer and value shares
    (:func:`abclab.pipeline.stress.tier_bootstrap`).
    """

    sensitivity: SensitivityResult | None = None
    migration: pd.DataFrame | None = None
    smaa: SMAAResult | None = None
    bootstrap: pd.DataFrame | None = None


@dataclass(frozen=True)
class CustomerBaseStep:
    """Churn risk, lifetime value, re-grade triggers and the back-test of the transaction log.

    Computed by :func:`abclab.pipeline.customer_base.customer_base_step` when the study has a
    transaction log and a ``churn_risk`` or ``credit_grade`` method or a ``customer_base``
    section.

    Attributes
    ----------
    customers : pandas.DataFrame
        One row per customer of the log (index: customer id as text, as ``tiers``), columns
        ``churn_tier`` (ordered categorical, ``labels``), ``days_since_purchase``,
        ``p_alive``, ``expected_purchases`` (in the next ``settings.horizon_months``),
        ``clv`` (discounted expected margin over that horizon) — the last three NaN when
        BG/NBD (or, for ``clv``, Gamma-Gamma) could not be fitted —, then, when the log has
        invoice due and paid dates, :data:`abclab.clv.PAYMENT_COLUMNS`.
    labels : tuple of str
        Churn tiers, best first (stable, watch, at risk).
    method : str or None
        The ``churn_risk`` run of the study whose parameters and fit the tiers reuse (None:
        the method's defaults, fitted here).
    rule_days : tuple of float
        Days without a purchase from which a customer is watch / at risk without a fit.
    fitted : bool
        Whether BG/NBD was fitted (False: the tiers are the day rules and ``message`` says why).
    message : str
        Why BG/NBD was not fitted (e.g. not enough repeat buyers), else "".
    clv_message : str
        Why Gamma-Gamma was not fitted (CLV then missing), else "".
    params : dict
        Fitted parameters per model (``"BG/NBD"``, ``"Gamma-Gamma"``).
    margin : str
        Where the CLV's margin came from: ``profit``, ``revenue`` or the share as text.
    back_test : abclab.clv.BackTest or None
        The tiers computed on the log before the hold-out months and checked on them; None
        when the log cannot be cut there (``back_test_message`` says why).
    back_test_message : str
        Why there is no back-test, else "".
    triggers : pandas.DataFrame
        :func:`abclab.dynamics.trigger_table` rows (``customer, rule, value, threshold,
        spend_previous, spend_current, months_inactive``).
    payments : pandas.DataFrame or None
        :func:`abclab.clv.payment_behaviour` per customer (None without due and paid dates).
    settings : abclab.config.CustomerBaseSpec
        The study's ``customer_base`` section (its defaults when the study has none).
    evaluation_date : pandas.Timestamp
        The evaluation date (exclusive) the figures refer to.
    fit_error : abclab.exceptions.InputDataError or None
        The error behind ``message`` (a :class:`~abclab.exceptions.TooFewRepeatBuyers`
        carries the counts the report shows), else None.
    """

    customers: pd.DataFrame
    labels: tuple[str, ...]
    method: str | None
    rule_days: tuple[float, ...]
    fitted: bool
    message: str
    clv_message: str
    params: dict[str, dict[str, float]]
    margin: str
    back_test: BackTest | None
    back_test_message: str
    triggers: pd.DataFrame
    payments: pd.DataFrame | None
    settings: CustomerBaseSpec
    evaluation_date: pd.Timestamp
    fit_error: InputDataError | None = None


@dataclass(frozen=True)
class StudyResults:
    """Everything a report shows, computed by :func:`abclab.pipeline.run_study`.

    The step results are attributes (``data``, ``clean``, ``weighting``, ``classification``,
    ``comparison``, ``stress``); the properties below are the names reports read.
    """

    study: Study
    data: DataStep
    clean: CleanStep
    weighting: WeightStep
    classification: ClassifyStep
    comparison: CompareStep
    stress: StressStep
    display_names: pd.Series
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    customer_base: CustomerBaseStep | None = None

    @property
    def input_customers(self) -> pd.DataFrame:
        """Every input row once: ``customer_id``, ``name``, ``status``, ``merged_into``, ..."""
        return self.clean.inputs

    @property
    def cleaning(self) -> CleaningResult:
        """The cleaning result (``cleaned``, ``pending``, ``merged``, ``log``)."""
        return self.clean.cleaning

    @property
    def criteria(self) -> pd.DataFrame:
        """Cleaned criteria of the classified customers (index = customer id)."""
        return self.clean.criteria

    @property
    def counts(self) -> dict[str, int]:
        """``input``, ``classified``, ``pending``, ``merged``."""
        return self.clean.counts

    @property
    def data_files(self) -> list[Path]:
        """Every data file read."""
        return list(self.data.files)

    @property
    def ahp(self) -> dict[str, AHPResult]:
        """Expert (or hierarchy node) -> AHP result."""
        return self.weighting.experts

    @property
    def ahp_group(self) -> AHPResult | None:
        """The aggregate of several experts' judgements."""
        return self.weighting.group

    @property
    def weights(self) -> pd.Series:
        """Weights used for scoring (criterion -> weight, sums to 1)."""
        return self.weighting.weights

    @property
    def weight_comparison(self) -> pd.DataFrame:
        """Criterion x weighting method."""
        return self.weighting.comparison

    @property
    def scores(self) -> ScoreResult:
        """The weighted 0-100 score of the classified customers."""
        return self.classification.scores

    @property
    def tiers(self) -> pd.DataFrame:
        """Customers x method: ordered Categorical tiers."""
        return self.classification.tiers

    @property
    def method_scores(self) -> pd.DataFrame:
        """Classified customers x method: the number the method ranks by."""
        return self.classification.method_scores

    @property
    def recommended(self) -> str:
        """The method whose tiers the report recommends."""
        return self.study.recommended

    @property
    def summaries(self) -> dict[str, pd.DataFrame]:
        """Method -> :func:`abclab.compare.summary_table`."""
        return self.comparison.summaries

    @property
    def strategies(self) -> pd.DataFrame:
        """Tier -> name, strategy and count for the recommended method."""
        return self.comparison.strategies

    @property
    def agreement(self) -> AgreementResult | None:
        """Pairwise agreement of the methods (None for one method)."""
        return self.comparison.agreement

    @property
    def disputed(self) -> pd.DataFrame:
        """Customers the methods disagree on most."""
        return self.comparison.disputed

    @property
    def sensitivity(self) -> SensitivityResult | None:
        """Weight Monte Carlo result."""
        return self.stress.sensitivity

    @property
    def migration(self) -> pd.DataFrame | None:
        """Previous tier x current tier of the recommended method."""
        return self.stress.migration
