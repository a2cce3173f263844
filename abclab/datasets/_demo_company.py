"""Who the demo company's customers are: industries, regions, product lines, names, contacts.

The fixed vocabulary of the demo company (evaluation date, product lines with their margin
offsets, industries with their growth, regions and cities, name and contact pools) and the
seeded customer master drawn from it (:func:`_customer_master`), with its latent spend and
payment behaviour.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import pandas as pd

from abclab._text import normalise_name

AS_OF = _dt.date(2024, 12, 31)  #: last day of the demo log (inclusive)
DEFAULT_SEED = 20240101
#: Dropout probability per purchase ~ Beta(a, b₀ + b₁·spend rank): the BG/NBD assumption of
#: Fader, Hardie & Lee (2005), with b growing with the customer's spend rank (0…1).
DROPOUT_A = 0.7
DROPOUT_B = (6.0, 30.0)

#: Product lines with share of invoices and margin offset against the customer's base margin.
CATEGORIES = {
    "数控机床": (0.26, -0.02),
    "工业机器人": (0.14, 0.00),
    "液压系统": (0.18, 0.01),
    "电气控制柜": (0.17, 0.00),
    "备品备件": (0.15, 0.05),
    "维修服务": (0.10, 0.10),
}
#: Industry → (mean industry growth, national key industry "国家重点行业").
INDUSTRIES = {
    "汽车制造": (0.06, True),
    "新能源": (0.21, True),
    "电力能源": (0.08, True),
    "冶金钢铁": (-0.03, False),
    "化工": (0.03, False),
    "食品加工": (0.05, False),
    "轨道交通": (0.10, True),
    "电子制造": (0.12, True),
    "建材": (-0.02, False),
    "物流仓储": (0.07, False),
}
REGIONS = {
    "华东": ["苏州", "无锡", "宁波", "杭州", "常州", "合肥", "上海"],
    "华南": ["佛山", "东莞", "深圳", "厦门"],
    "华北": ["天津", "北京", "唐山", "石家庄"],
    "华中": ["武汉", "长沙", "郑州"],
    "西南": ["成都", "重庆", "昆明"],
    "西北": ["西安", "兰州"],
    "东北": ["沈阳", "大连", "长春"],
}
_BRANDS = list("恒信华达宏远金桥永盛中联鑫源瑞丰东方远大新宇三和汇通博文明泰天成盛世隆基")
_BUSINESS = [
    "机电设备",
    "精密机械",
    "汽车零部件",
    "电力工程",
    "化工装备",
    "钢铁制品",
    "食品机械",
    "电子科技",
    "建材",
    "物流设备",
    "自动化",
    "重工",
]
_EN_FIRST = [
    "Acme",
    "Apex",
    "Bluewater",
    "Crestline",
    "Evergreen",
    "Harbor",
    "Ironwood",
    "Keystone",
    "Meridian",
    "Northstar",
    "Pinnacle",
    "Summit",
]
_EN_SECOND = ["Industrial", "Engineering", "Automation", "Machinery", "Power", "Motion"]
_EN_SUFFIX = ["Co., Ltd.", "Ltd", "(Shanghai) Co., Ltd.", "Inc."]
_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高")
_GIVEN = list("伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华")
_PINYIN = {
    "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "黄": "huang", "赵": "zhao", "吴": "wu", "周": "zhou", "徐": "xu", "孙": "sun",
    "马": "ma", "朱": "zhu", "胡": "hu", "郭": "guo", "何": "he", "林": "lin",
    "罗": "luo", "高": "gao",
}  # fmt: skip
_MOBILE_PREFIXES = ["135", "136", "137", "138", "139", "150", "151", "158", "186", "188"]


def _customer_master(
    rng: np.random.Generator, n: int, start: _dt.date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    ids = [f"C{i:04d}" for i in range(1, n + 1)]
    region_names = list(REGIONS)
    region = rng.choice(region_names, size=n, p=[0.34, 0.2, 0.15, 0.11, 0.1, 0.05, 0.05])
    city = [REGIONS[r][rng.integers(len(REGIONS[r]))] for r in region]
    industry_names = list(INDUSTRIES)
    industry = rng.choice(industry_names, size=n)
    english = rng.random(n) < 0.08
    names = _company_names(rng, city, english)
    growth = np.array([INDUSTRIES[i][0] for i in industry]) + rng.normal(0, 0.03, n)
    growth = np.round(np.clip(growth, -0.05, 0.25), 3)
    strategic = np.array([INDUSTRIES[i][1] for i in industry])
    surname = rng.choice(_SURNAMES, size=n)
    given = [
        "".join(rng.choice(_GIVEN, size=rng.integers(1, 3))) for _ in range(n)
    ]  # 1–2 character given names
    contact = [s + g for s, g in zip(surname, given, strict=True)]
    phone = [
        _MOBILE_PREFIXES[rng.integers(len(_MOBILE_PREFIXES))] + f"{rng.integers(10**8):08d}"
        for _ in range(n)
    ]
    domains = ["".join(rng.choice(list("abcdefghjkmnpqrstwxyz"), size=4)) for _ in range(n)]
    number = rng.integers(1, 100, size=n)
    email = [
        f"{_PINYIN[s]}{k}@{d}.com.cn" for s, k, d in zip(surname, number, domains, strict=True)
    ]
    since_year = rng.choice(np.arange(2006, AS_OF.year + 1), size=n)
    since = [
        _dt.date(int(y), 1, 1) + _dt.timedelta(days=int(rng.integers(0, 365))) for y in since_year
    ]
    since = [min(s, AS_OF - _dt.timedelta(days=60)) for s in since]
    terms = rng.choice([30, 60, 90], size=n, p=[0.5, 0.35, 0.15])
    master = pd.DataFrame(
        {
            "customer_id": ids,
            "name": names,
            "industry": industry,
            "region": region,
            "city": city,
            "contact_person": contact,
            "phone": phone,
            "email": email,
            "industry_growth": growth,
            "strategic_industry": strategic,
            "customer_since": pd.to_datetime(since).astype("datetime64[us]"),
            "payment_terms_days": terms,
        }
    )
    # latent drivers (not exported): spend level, own growth, margin, lateness, dropout
    spend = rng.lognormal(mean=11.9, sigma=1.4, size=n)  # 2024 level in 元
    rank_pct = pd.Series(spend).rank(pct=True).to_numpy()
    latent = pd.DataFrame(
        {
            "spend": spend,
            "growth": np.clip(growth * 0.8 + rng.normal(0, 0.08, n), -0.3, 0.6),
            "margin": np.clip(rng.normal(0.05 + 0.11 * rank_pct, 0.03), -0.03, 0.35),
            "p_late": rng.beta(1.2, 9.0 - 4.0 * rank_pct),
            "n_categories": np.clip(1 + rng.binomial(5, 0.15 + 0.5 * rank_pct), 1, 6),
            # BG/NBD-style dropout: after each purchase the customer stops buying for good
            # with this probability (Beta-distributed; larger accounts are stickier)
            "dropout": rng.beta(DROPOUT_A, DROPOUT_B[0] + DROPOUT_B[1] * rank_pct),
            "start": [max(s, start) for s in since],
        }
    )
    return master, latent


def _company_names(rng: np.random.Generator, city: list[str], english: np.ndarray) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for c, en in zip(city, english, strict=True):
        while True:
            if en:
                name = (
                    f"{_EN_FIRST[rng.integers(len(_EN_FIRST))]} "
                    f"{_EN_SECOND[rng.integers(len(_EN_SECOND))]} "
                    f"{_EN_SUFFIX[rng.integers(len(_EN_SUFFIX))]}"
                )
            else:
                brand = "".join(rng.choice(_BRANDS, size=2, replace=False))
                business = _BUSINESS[rng.integers(len(_BUSINESS))]
                if rng.random() < 0.25:
                    name = f"{brand}{business}（{c}）有限公司"
                else:
                    name = f"{c}{brand}{business}有限公司"
            key = normalise_name(name)  # distinct firms must not look like duplicates
            if key not in seen:
                seen.add(key)
                names.append(name)
                break
    return names
