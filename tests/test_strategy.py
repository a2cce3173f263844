"""Tests for abclab.strategy: strategies must be the sources' wording (simplified characters)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import SHARED

from abclab.exceptions import InputDataError
from abclab.strategy import SCHEMES, default_strategies, strategy_table, tier_names

SOURCES = SHARED / "sources"

# Traditional -> simplified characters needed to compare source 003 with our zh text.
_T2S = {
    ord(p[0]): p[1]
    for p in (
        "專专 屬属 戶户 經经 層层 訪访 優优 貨货 標标 準准 務务 營营 銷销 價价 試试 場场 廣广 級级 溝沟 運运 備备 產产 組组 織织 會会 證证 穩稳 復复 購购 過过 線线 獲获 動动 發发 減减 錄录 術术 潛潜 訓训"
    ).split()
}


def test_bands_zh_from_source003_template_one():
    """Source 003, template (一) 客户分级分类标准表, column 适用策略."""
    s = default_strategies("bands", language="zh")
    assert s.to_dict() == {
        "strategic": "专属客户经理+定制化方案+高层拜访",
        "key": "定期回访+产品培训+优先供货",
        "ordinary": "标准化服务+批量营销",
        "potential": "低价试用+市场教育+定向推广",
    }
    names = tier_names("bands", language="zh")
    assert names["strategic"] == "战略级客户" and names["potential"] == "潜在级客户"


@pytest.mark.parametrize("scheme", ["bands", "bands_summary", "value_potential"])
def test_zh_wording_occurs_in_source003(scheme):
    """Every zh strategy of the source-003 schemes appears verbatim (after t->s) in source 003."""
    files = sorted(SOURCES.glob("003_*.txt"))
    if not files:
        pytest.skip("source 003 not available")
    raw = files[0].read_text(encoding="utf-8")
    # the stored page carries pinyin after some characters, e.g. "專(zhuān)屬": drop it
    text = re.sub(r"\([a-z\u00e0-\u01dc]{1,8}\)", "", raw).translate(_T2S)
    for strategy in default_strategies(scheme, language="zh"):
        assert strategy in text, strategy


def test_abc_accounts_takes_source003_summary_strategies_and_source004_d():
    """Existing accounts A/B/C get source 003 template (三)'s strategies of the top three
    grades; D (pending evaluation) keeps source 004's wording."""
    accounts = default_strategies("abc_accounts", language="zh")
    summary = default_strategies("bands_summary", language="zh")
    assert accounts[["A", "B", "C"]].tolist() == summary.iloc[:3].tolist()
    assert accounts["D"] == default_strategies("abc", language="zh")["D"]


def test_abc_scheme_wording_from_source004():
    files = sorted(SOURCES.glob("004_*.txt"))
    if not files:
        pytest.skip("source 004 not available")
    text = files[0].read_text(encoding="utf-8")
    for phrase in ("花最多时间", "以促成交易", "需要再沟通", "有空的时候再进行跟踪", "有待盘活"):
        assert phrase in text
    zh = default_strategies("abc", language="zh")
    assert "花最多时间以促成交易" in zh["A"] and "需要再沟通" in zh["B"]
    assert zh["C"] == "有空的时候再进行跟踪" and "有待盘活" in zh["D"]


def test_every_scheme_has_both_languages():
    for scheme, rows in SCHEMES.items():
        en, zh = (
            default_strategies(scheme, language="en"),
            default_strategies(scheme, language="zh"),
        )
        assert list(en.index) == list(zh.index) == [r[0] for r in rows]
        assert en.str.len().min() > 0 and zh.str.len().min() > 0


def test_strategy_table_matches_keys_names_and_rank():
    tiers = pd.Series(
        pd.Categorical(
            ["key", "strategic", "key", "potential"],
            categories=["strategic", "key", "ordinary", "potential"],
            ordered=True,
        )
    )
    out = strategy_table(tiers, scheme="bands", language="zh")
    assert out["tier"].tolist() == ["strategic", "key", "ordinary", "potential"]
    assert out["count"].tolist() == [1, 2, 0, 1]
    assert out.loc[0, "name"] == "战略级客户"
    assert out.attrs["matched_by"] == "label"
    by_zh_name = strategy_table(pd.Series(["战略级客户", "普通级客户"]), scheme="bands")
    assert by_zh_name["key"].tolist() == ["strategic", "ordinary"]
    abc = pd.Series(pd.Categorical(["A", "B", "C"], categories=list("ABC"), ordered=True))
    ranked = strategy_table(abc, scheme="bands", overrides={"A": "CEO visits"})
    assert ranked.attrs["matched_by"] == "rank"
    assert ranked["key"].tolist() == ["strategic", "key", "ordinary"]
    assert ranked.loc[0, "strategy"] == "CEO visits"


def test_strategy_table_errors():
    with pytest.raises(InputDataError, match=r"labels \['gold'\] are not tiers of scheme 'bands'"):
        strategy_table(pd.Series(["strategic", "gold"]), scheme="bands")
    with pytest.raises(InputDataError, match=r"overrides: \['Z'\]"):
        strategy_table(pd.Series(["A"]), scheme="abc", overrides={"Z": "x"})
    with pytest.raises(ValueError, match="scheme='xyz'"):
        default_strategies("xyz")
    with pytest.raises(ValueError, match="language='fr'"):
        tier_names("bands", language="fr")
