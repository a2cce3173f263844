"""Exception and warning classes used across abclab.

Every error raised on bad input is an :class:`AbclabError` (and also a ``ValueError``) whose
message names the file, column, row, matrix cell or study key and what was expected; the
command line prints that message on one line and exits non-zero.
"""

from __future__ import annotations


class AbclabError(ValueError):
    """Base class for errors on bad input (a ``ValueError``)."""


class InputDataError(AbclabError):
    """A data file or frame cannot be read or parsed (names file, column, row and value)."""


class TooFewRepeatBuyers(InputDataError):
    """Too few customers bought more than once for a customer-base model to be fitted.

    Attributes
    ----------
    model : str
        The model ("BG/NBD", "Gamma-Gamma").
    repeat, customers, needed : int
        Repeat buyers, customers, and the fewest repeat buyers the fit accepts.
    """

    def __init__(self, model: str, repeat: int, customers: int, needed: int) -> None:
        super().__init__(
            f"not enough repeat buyers to fit {model}: {repeat} of {customers} customers "
            f"bought more than once; need at least {needed}"
        )
        self.model, self.repeat, self.customers, self.needed = model, repeat, customers, needed

    def __reduce__(self) -> tuple:  # picklable with its fields (papermill, processes)
        return type(self), (self.model, self.repeat, self.customers, self.needed)


class JudgementError(AbclabError):
    """A pairwise comparison matrix or judgement set is invalid (names the cell)."""


class StudyError(AbclabError):
    """A study file is invalid (names the key and what was expected)."""


class ReportError(AbclabError):
    """A report section failed; no finished-looking report is left behind."""


class InconsistentJudgementWarning(UserWarning):
    """A pairwise matrix has a consistency ratio above the threshold (result still returned)."""


class DataQualityWarning(UserWarning):
    """Suspect but computable input data (e.g. off-scale judgements, constant criteria)."""
