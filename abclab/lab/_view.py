"""HTML panels of the judgement editor: weights bars, consistency, repair hint, tier shift.

Plain functions from results to HTML strings (escaped; tables via ``DataFrame.to_html``), so
the panels render in a live kernel, in a static export (the editor's ``text/html`` fallback)
and in tests, where their text is checked.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from abclab.ahp import AHPResult
from abclab.lab._scale import TEXT, format_value

_BAR = (
    '<div style="display:flex;align-items:center;gap:6px;margin:2px 0">'
    '<span style="width:{label_w}ch;text-align:right;font-family:monospace">{label}</span>'
    '<span style="display:inline-block;height:14px;width:{width:.1f}%;max-width:60%;'
    'background:#4c72b0"></span><span style="font-family:monospace">{value:.3f}</span></div>'
)


def weights_html(result: AHPResult, language: str = "en") -> str:
    """One horizontal bar per criterion, longest = largest weight."""
    w = result.weights
    top = float(w.max()) or 1.0
    label_w = max(len(str(c)) for c in w.index) + 1
    bars = "".join(
        _BAR.format(
            label=escape(str(c)), label_w=label_w, width=60 * float(v) / top, value=float(v)
        )
        for c, v in w.items()
    )
    return f"<b>{escape(TEXT[language]['weights'])}</b>{bars}"


def consistency_html(result: AHPResult, language: str = "en") -> str:
    """λmax, CI, RI, CR against the threshold, and the verdict."""
    t = TEXT[language]
    rows = [
        (t["lambda_max"], f"{result.lambda_max:.4f}"),
        (t["ci"], f"{result.ci:.4f}"),
        (t["ri"].format(table=result.ri_table), f"{result.ri:.4f}"),
        (t["cr"], f"{result.cr:.4f}"),
        (t["threshold"], f"{result.threshold:.2f}"),
    ]
    verdict = t["consistent"] if result.consistent else t["inconsistent"]
    colour = "#2a7a2a" if result.consistent else "#b22222"
    table = "".join(
        f"<tr><td>{escape(k)}</td><td style='text-align:right'>{escape(v)}</td></tr>"
        for k, v in rows
    )
    return (
        f"<b>{escape(t['consistency'])}</b><table>{table}</table>"
        f"<div style='color:{colour};font-weight:bold'>CR {result.cr:.3f} "
        f"{'≤' if result.consistent else '>'} {result.threshold:.2f}: {escape(verdict)}</div>"
    )


def worst_html(repairs: pd.DataFrame, consistent: bool, language: str = "en") -> str:
    """The top row of the repair table: judgement, implied value, suggestion, CR after."""
    t = TEXT[language]
    head = f"<b>{escape(t['worst'])}</b>"
    if repairs.empty:
        return head
    top = repairs.iloc[0]
    line = t["worst_line"].format(
        a=top["row"],
        b=top["column"],
        judged=format_value(float(top["judgement"])),
        implied=f"{float(top['consistent_value']):.3g}",
        suggested=format_value(float(top["suggested_value"])),
        cr_after=f"{float(top['cr_if_revised']):.3f}",
    )
    note = f"<div><i>{escape(t['worst_ok'])}</i></div>" if consistent else ""
    return f"{head}<div>{escape(line)}</div>{note}"


def tiers_html(
    counts: pd.DataFrame,
    shift: pd.DataFrame,
    moved: int,
    shares: tuple[float, ...],
    language: str,
) -> str:
    """Tier counts and shares before/now, the before x now cross-table and how many moved."""
    t = TEXT[language]
    n = int(counts["before"].sum())
    table = counts.rename(
        columns={c: t[c] for c in ("before", "now", "share_before", "share_now")}
    ).rename_axis(t["tier"])
    body = table.to_html(float_format=lambda x: f"{x:.1%}", escape=True, border=0)
    cross = shift.rename_axis(index=t["before"], columns=t["now"]).to_html(escape=True, border=0)
    share_text = "/".join(f"{s:.0%}" for s in shares)
    share = f"{moved / n:.1%}" if n else "0%"
    return (
        f"<b>{escape(t['tiers'].format(shares=share_text))}</b>"
        f"<div style='display:flex;gap:32px'>{body}{cross}</div>"
        f"<div>{escape(t['moved'].format(k=moved, n=n, share=share))}</div>"
    )
