"""Report strings in English and simplified Chinese.

Every heading, label, table column header and chart label of the report is a message id in
:data:`MESSAGES`; :func:`text` looks one up and :func:`column_labels` renames table headers.
Both languages must define exactly the same ids (checked by the tests).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import pandas as pd

from abclab.report._i18n_xl import XL_EN, XL_ZH

Language = Literal["en", "zh"]
LANGUAGES: tuple[Language, ...] = ("en", "zh")

_EN: dict[str, str] = {
    # method and cleaning-rule display names
    "method.weighted_abc": "AHP-weighted ABC",
    "method.pareto": "Pareto ABC",
    "method.shares": "ABC by count shares",
    "method.bands": "Score bands",
    "method.computed_abc": "Computed ABC (Ultsch & Lötsch)",
    "method.value_potential": "Value × potential",
    "method.rfm": "RFM segments",
    "method.ramanathan": "Ramanathan (2006)",
    "method.ng": "Ng (2007)",
    "method.zhou_fan": "Zhou & Fan (2007)",
    "method.topsis": "TOPSIS",
    "method.edas": "EDAS",
    "method.kmeans": "k-means clusters",
    "method.gmm": "Gaussian-mixture clusters",
    "method.ward": "Ward clusters",
    "method.churn_risk": "Churn risk (BG/NBD)",
    "method.credit_grade": "Credit grade",
    "rule.duplicate_fill": "duplicate: gap filled",
    "rule.duplicate_conflict": "duplicate: values differ",
    "rule.merge_duplicate": "duplicate merged",
    "rule.outlier_iqr": "outlier flag (IQR)",
    "rule.outlier_mad": "outlier flag (MAD)",
    "rule.winsorize_iqr": "winsorised (IQR)",
    "rule.winsorize_mad": "winsorised (MAD)",
    "rule.nonpositive_pending": "not positive → pending",
    "rule.nonpositive_missing": "not positive → missing",
    "rule.missing_median": "missing → median",
    "rule.missing_recent_average": "missing → recent average",
    "rule.missing_pending": "missing → pending",
    "rule.missing_zero": "missing → 0",
    "rule.missing_no_transactions": "missing, no transactions → pending",
    "rule.missing_nonpositive_estimate": "estimate not positive → pending",
    # report and section headings
    "report.title": "Customer classification report: {name}",
    "report.subtitle": "{n_customers} customers · {n_methods} methods · generated {date}",
    "section.summary": "Executive summary",
    "section.data_quality": "Data quality",
    "section.weights": "Criteria weights",
    "section.methods": "Classification by method",
    "section.pareto": "Concentration: Pareto curve and Lorenz curve",
    "section.agreement": "Agreement between methods",
    "section.disputed": "Disputed customers",
    "section.value_potential": "Value × potential",
    "section.clusters": "Clusters",
    "section.sensitivity": "Weight sensitivity",
    "section.migration": "Tier migration",
    "section.strategy": "Tier strategies",
    "section.appendix": "Appendix: parameters and provenance",
    "sub.ahp_expert": "AHP judgements of {expert}",
    "sub.cleaning_log": "Cleaning log by rule",
    "sub.pending": "Customers pending evaluation",
    "sub.outliers": "Largest flagged values",
    "sub.inconsistent": "Most inconsistent judgements of {expert}",
    "sub.weights_compare": "Weights by method",
    "sub.method_summary": "{method}",
    "sub.study": "Study",
    "sub.versions": "Package versions",
    "sub.provenance": "Data files",
    # sentences
    "text.recommended": "Recommended method: **{method}**.",
    "text.agreement_headline": (
        "Methods agree on {percent:.0%} of customers on average (mean Cohen's κ = {kappa:.2f})."
    ),
    "text.disputed_count": "{n} customers are classified differently by the methods compared.",
    "text.counts": (
        "Input customers {input} = classified {classified} + pending {pending} + merged {merged}."
    ),
    "text.counts_mismatch": (
        "Warning: input customers {input} ≠ classified {classified} + pending {pending} "
        "+ merged {merged}."
    ),
    "text.no_pending": "No customer is pending evaluation.",
    "text.outliers": (
        "{n} values were flagged as outliers and kept; the largest multiples of the median come "
        "first. A value about 100 or 10,000 times the median is often a keying error (yuan "
        "entered as 万元, an extra 00): check it with the client before sending the report."
    ),
    "text.no_log": "The cleaning step changed nothing.",
    "text.cr": (
        "λmax = {lambda_max:.4f}, CI = {ci:.4f}, CR = {cr:.4f} "
        "(random index table: {ri_table}); {verdict}"
    ),
    "text.consistent": "consistent (CR ≤ 0.10).",
    "text.inconsistent": "inconsistent (CR > 0.10): revise the judgements below.",
    "text.group": "Group weights ({n} experts combined).",
    "text.no_disputed": "All methods agree on every customer.",
    "text.no_sensitivity": "Weight sensitivity was not run for this study.",
    "text.no_migration": "No previous period was given: migration is not shown.",
    "text.no_clusters": "Clustering is not among the methods of this study.",
    "text.no_value_potential": "Value × potential needs 'value' and 'potential' dimensions.",
    "text.stability": "Mean class stability under weight perturbation: {stability:.1%}.",
    "text.more_rows": "Showing {shown} of {total} rows; the Excel workbook has all of them.",
    "text.gini": "Gini coefficient of {value}: {gini:.3f}.",
    # column headers
    "col.customer": "Customer",
    "col.name": "Name",
    "col.tier": "Tier",
    "col.count": "Count",
    "col.share": "Share",
    "col.total_value": "Total value",
    "col.value_share": "Value share",
    "col.avg_margin": "Average margin",
    "col.count_share": "Share of customers",
    "col.average_margin": "Average margin",
    "col.label": "Label",
    "col.used": "Used",
    "col.best_rank": "Best rank",
    "col.worst_rank": "Worst rank",
    "col.rank_range": "Rank range",
    "col.mean": "Mean",
    "col.min": "Minimum",
    "col.base_tier": "Tier",
    "col.status": "Status",
    "col.pending_reason": "Reason pending",
    "col.strategy": "Strategy",
    "col.criterion": "Criterion",
    "col.weight": "Weight",
    "col.ahp": "AHP",
    "col.entropy": "Entropy",
    "col.critic": "CRITIC",
    "col.equal": "Equal",
    "col.rule": "Rule",
    "col.column": "Column",
    "col.changes": "Changes",
    "col.customers": "Customers",
    "col.old_value": "Old value",
    "col.new_value": "New value",
    "col.reason": "Reason",
    "col.times_median": "× median",
    "col.row": "Row",
    "col.judged": "Judged",
    "col.consistent_value": "Consistent value",
    "col.suggested_value": "Suggested (1–9 scale)",
    "col.mean_stability": "Mean stability",
    "col.min_stability": "Lowest stability",
    "col.cr_if_revised": "CR if revised",
    "col.error": "Deviation",
    "col.score": "Score",
    "col.stability": "Stability",
    "col.method": "Method",
    "col.key": "Key",
    "col.value": "Value",
    "col.package": "Package",
    "col.version": "Version",
    "col.file": "File",
    "col.sha256": "SHA-256",
    "col.stage": "Stage",
    "col.seconds": "Seconds",
    "col.measure": "Measure",
    "col.from": "From",
    "col.to": "To",
    "col.action": "Action",
    # chart labels
    "chart.pareto_title": "Pareto (ABC) curve",
    "chart.lorenz_title": "Lorenz curve (Gini = {gini:.3f})",
    "chart.cum_customers": "Cumulative share of customers",
    "chart.cum_value": "Cumulative share of value",
    "chart.equality": "Equality line",
    "chart.kappa_title": "Cohen's κ between methods",
    "chart.value": "Value",
    "chart.potential": "Potential score",
    "chart.vp_title": "Value × potential by tier ({method})",
    "chart.pca_title": "Customers on the first two principal components",
    "chart.pc": "PC{n} ({share:.0%} of variance)",
    "chart.stability_title": "Class stability under weight perturbation",
    "chart.stability": "Share of simulations in the base class",
    "chart.n_customers": "Customers",
    "chart.weights_title": "Criteria weights by method",
    "chart.weight": "Weight",
    "chart.migration_title": "Tier migration (previous → current)",
    "chart.previous": "Previous tier",
    "chart.current": "Current tier",
    "chart.cluster": "Cluster tier",
    "word.pending": "pending",
    "word.all": "all",
}

_ZH: dict[str, str] = {
    "method.weighted_abc": "AHP加权ABC",
    "method.pareto": "帕累托ABC",
    "method.shares": "按客户数比例ABC",
    "method.bands": "得分区间分级",
    "method.computed_abc": "计算ABC(Ultsch & Lötsch)",
    "method.value_potential": "价值×潜力矩阵",
    "method.rfm": "RFM分群",
    "method.ramanathan": "Ramanathan (2006)",
    "method.ng": "Ng (2007)",
    "method.zhou_fan": "Zhou & Fan (2007)",
    "method.topsis": "TOPSIS",
    "method.edas": "EDAS",
    "method.kmeans": "k均值聚类",
    "method.gmm": "高斯混合聚类",
    "method.ward": "Ward层次聚类",
    "method.churn_risk": "流失风险(BG/NBD)",
    "method.credit_grade": "信用等级",
    "rule.duplicate_fill": "重复记录: 补全缺失",
    "rule.duplicate_conflict": "重复记录: 数值不一致",
    "rule.merge_duplicate": "合并重复客户",
    "rule.outlier_iqr": "异常值标记(IQR)",
    "rule.outlier_mad": "异常值标记(MAD)",
    "rule.winsorize_iqr": "缩尾处理(IQR)",
    "rule.winsorize_mad": "缩尾处理(MAD)",
    "rule.nonpositive_pending": "非正值→待评估",
    "rule.nonpositive_missing": "非正值→视为缺失",
    "rule.missing_median": "缺失→中位数填补",
    "rule.missing_recent_average": "缺失→近期平均值填补",
    "rule.missing_pending": "缺失→待评估",
    "rule.missing_zero": "缺失→填0",
    "rule.missing_no_transactions": "缺失且无交易→待评估",
    "rule.missing_nonpositive_estimate": "估计值非正→待评估",
    "report.title": "客户分级分类报告：{name}",
    "report.subtitle": "{n_customers} 个客户 · {n_methods} 种方法 · 生成于 {date}",
    "section.summary": "执行摘要",
    "section.data_quality": "数据质量",
    "section.weights": "指标权重",
    "section.methods": "各方法分级结果",
    "section.pareto": "集中度：帕累托曲线与洛伦兹曲线",
    "section.agreement": "方法间一致性",
    "section.disputed": "分级有争议的客户",
    "section.value_potential": "价值 × 潜力",
    "section.clusters": "聚类",
    "section.sensitivity": "权重敏感性",
    "section.migration": "等级迁移",
    "section.strategy": "各等级服务策略",
    "section.appendix": "附录：参数与数据来源",
    "sub.ahp_expert": "{expert} 的 AHP 判断矩阵",
    "sub.cleaning_log": "按规则汇总的清洗日志",
    "sub.pending": "待评估客户",
    "sub.outliers": "被标记的最大异常值",
    "sub.inconsistent": "{expert} 最不一致的判断",
    "sub.weights_compare": "各方法的权重",
    "sub.method_summary": "{method}",
    "sub.study": "研究设置",
    "sub.versions": "软件包版本",
    "sub.provenance": "数据文件",
    "text.recommended": "推荐方法：**{method}**。",
    "text.agreement_headline": "各方法平均对 {percent:.0%} 的客户分级一致（平均 Cohen κ = {kappa:.2f}）。",
    "text.disputed_count": "有 {n} 个客户在不同方法下的分级不同。",
    "text.counts": "输入客户 {input} = 已分级 {classified} + 待评估 {pending} + 已合并 {merged}。",
    "text.counts_mismatch": (
        "警告：输入客户 {input} ≠ 已分级 {classified} + 待评估 {pending} + 已合并 {merged}。"
    ),
    "text.no_pending": "没有待评估的客户。",
    "text.outliers": (
        "共有 {n} 个数值被标记为异常值并予以保留，按相对中位数的倍数从大到小排列。约为中位数 100 倍或 "
        "10000 倍的数值常是录入错误（元与万元混淆、多输入 00），发送报告前请与客户核实。"
    ),
    "text.no_log": "数据清洗未作任何改动。",
    "text.cr": "λmax = {lambda_max:.4f}，CI = {ci:.4f}，CR = {cr:.4f}（随机一致性指标表：{ri_table}）；{verdict}",
    "text.consistent": "通过一致性检验（CR ≤ 0.10）。",
    "text.inconsistent": "未通过一致性检验（CR > 0.10）：请修正下列判断。",
    "text.group": "群组权重（{n} 位专家合成）。",
    "text.no_disputed": "所有方法对每个客户的分级都一致。",
    "text.no_sensitivity": "本研究未运行权重敏感性分析。",
    "text.no_migration": "未提供上一期数据，不显示等级迁移。",
    "text.no_clusters": "本研究未包含聚类方法。",
    "text.no_value_potential": "价值 × 潜力矩阵需要“价值”和“潜力”两个维度。",
    "text.stability": "权重扰动下客户分级的平均稳定度：{stability:.1%}。",
    "text.more_rows": "显示 {total} 行中的 {shown} 行；完整数据见 Excel 工作簿。",
    "text.gini": "{value} 的基尼系数：{gini:.3f}。",
    "col.customer": "客户",
    "col.name": "名称",
    "col.tier": "等级",
    "col.count": "客户数",
    "col.share": "数量占比",
    "col.total_value": "总价值",
    "col.value_share": "价值占比",
    "col.avg_margin": "平均利润率",
    "col.count_share": "客户数占比",
    "col.average_margin": "平均利润率",
    "col.label": "名称",
    "col.used": "采用",
    "col.best_rank": "最好等级位次",
    "col.worst_rank": "最差等级位次",
    "col.rank_range": "位次差",
    "col.mean": "平均",
    "col.min": "最小",
    "col.base_tier": "等级",
    "col.status": "状态",
    "col.pending_reason": "待评估原因",
    "col.strategy": "策略",
    "col.criterion": "指标",
    "col.weight": "权重",
    "col.ahp": "AHP",
    "col.entropy": "熵权法",
    "col.critic": "CRITIC",
    "col.equal": "等权重",
    "col.rule": "规则",
    "col.column": "字段",
    "col.changes": "改动数",
    "col.customers": "客户数",
    "col.old_value": "原值",
    "col.new_value": "新值",
    "col.reason": "原因",
    "col.times_median": "中位数倍数",
    "col.row": "行",
    "col.judged": "判断值",
    "col.consistent_value": "一致时的值",
    "col.suggested_value": "建议值(1–9标度)",
    "col.mean_stability": "平均稳定度",
    "col.min_stability": "最低稳定度",
    "col.cr_if_revised": "修正后 CR",
    "col.error": "偏差",
    "col.score": "得分",
    "col.stability": "稳定度",
    "col.method": "方法",
    "col.key": "项目",
    "col.value": "值",
    "col.package": "软件包",
    "col.version": "版本",
    "col.file": "文件",
    "col.sha256": "SHA-256",
    "col.stage": "阶段",
    "col.seconds": "秒",
    "col.measure": "指标",
    "col.from": "从",
    "col.to": "到",
    "col.action": "措施",
    "chart.pareto_title": "帕累托（ABC）曲线",
    "chart.lorenz_title": "洛伦兹曲线（基尼系数 = {gini:.3f}）",
    "chart.cum_customers": "客户累计占比",
    "chart.cum_value": "价值累计占比",
    "chart.equality": "绝对平均线",
    "chart.kappa_title": "方法间 Cohen κ 系数",
    "chart.value": "价值",
    "chart.potential": "潜力得分",
    "chart.vp_title": "按等级的价值 × 潜力分布（{method}）",
    "chart.pca_title": "客户在前两个主成分上的分布",
    "chart.pc": "主成分 {n}（解释方差 {share:.0%}）",
    "chart.stability_title": "权重扰动下的分级稳定度",
    "chart.stability": "模拟中保持原等级的比例",
    "chart.n_customers": "客户数",
    "chart.weights_title": "各方法的指标权重",
    "chart.weight": "权重",
    "chart.migration_title": "等级迁移（上期 → 本期）",
    "chart.previous": "上期等级",
    "chart.current": "本期等级",
    "chart.cluster": "聚类等级",
    "word.pending": "待评估",
    "word.all": "合计",
}

# workbook strings (ids "xl.*") live in abclab.report._i18n_xl
_EN.update(XL_EN)
_ZH.update(XL_ZH)


#: Message id → text, per language.
MESSAGES: Mapping[Language, Mapping[str, str]] = {"en": _EN, "zh": _ZH}


def check_language(language: str) -> Language:
    """Return ``language`` if it is supported, else raise ``ValueError`` naming the choices."""
    if language not in LANGUAGES:
        raise ValueError(f"report language must be one of {LANGUAGES}, got {language!r}")
    return language  # type: ignore[return-value]


def text(key: str, language: str = "en", **values: object) -> str:
    """Return message ``key`` in ``language``, formatted with ``values``.

    Raises
    ------
    KeyError
        If ``key`` is not a message id (a typo in a section must fail loudly).

    Examples
    --------
    >>> text("col.tier", "zh")
    '等级'
    >>> text("text.disputed_count", "en", n=3)
    '3 customers are classified differently by the methods compared.'
    """
    messages = MESSAGES[check_language(language)]
    if key not in messages:
        raise KeyError(f"no report message {key!r}")
    template = messages[key]
    return template.format(**values) if values else template


def column_labels(columns: Iterable[object], language: str = "en") -> dict[object, str]:
    """Map column names that are message ids (``col.<name>``) to their label.

    Columns without a message (criteria names, methods, client columns) keep their name.
    """
    messages = MESSAGES[check_language(language)]
    return {c: messages.get(f"col.{c}", str(c)) for c in columns}


def label_frame(frame: pd.DataFrame, language: str = "en") -> pd.DataFrame:
    """Return ``frame`` with translated column headers and index name (values unchanged)."""
    out = frame.rename(columns=column_labels(frame.columns, language))
    names = [MESSAGES[check_language(language)].get(f"col.{n}", n) for n in out.index.names]
    out.index = out.index.set_names(names)
    return out


def display_name(kind: str, key: object, language: str = "en") -> str:
    """Display name of a method (``kind="method"``) or cleaning rule (``"rule"``); unknown
    keys (e.g. a study's own method name) are returned unchanged."""
    return MESSAGES[check_language(language)].get(f"{kind}.{key}", str(key))
