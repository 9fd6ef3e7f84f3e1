"""Data the platform refuses: special categories that no record, feature,
scorecard or policy may use.

Political opinions or views on government, religion, ethnicity, health, sex life
or orientation, biometric or genetic data, and trade-union membership. China's
2013 credit-reporting regulation (Art. 14) already forbids collecting religion,
genes, fingerprints, blood type, disease and medical history; GDPR Art. 9 and
PIPL Art. 28 treat all of these as special categories.

Also what a person buys and how they live: merchants and merchant category codes,
products and items, games and app usage, locations, and the names of whom they pay
or are paid by. Cash flow shared with consent is read in totals only (the EU
Consumer Credit Directive 2023/2225 limits creditworthiness assessment to the
financial situation).

And whom a person knows: friends, contacts, followers, relatives, classmates,
colleagues or any social graph. What a person signed for someone else (a
guarantee, the ``guarantee`` category) is their own obligation and counts; whom
they know does not.

Names are matched on their words (``politicalView``, ``political_view`` and
``POLITICAL-VIEW`` are the same words) and on Chinese terms as substrings. A
match is refused outright: a false positive costs a partner a renamed column,
a false negative costs a person their rights.

>>> match("political_view").rule
'political_opinion'
>>> match("face_value") is None
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from socialcredit.errors import ForbiddenDataError

__all__ = ["CATEGORIES", "ForbiddenMatch", "ensure_allowed", "match"]

#: rule name -> (plain description, English words or word sequences, Chinese terms)
CATEGORIES: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "political_opinion": (
        "political opinions or views on government",
        (
            "political",
            "politics",
            "politic",
            "ideology",
            "ideological",
            "dissident",
            "dissent",
            "protest",
            "protester",
            "petition",
            "petitioner",
            "vote",
            "voting",
            "voter",
            "party_member",
            "party_membership",
            "party_affiliation",
            "government_view",
            "views_on_government",
            "opinion_of_government",
        ),
        ("政治", "党员", "党派", "上访", "信访", "异见", "政见"),
    ),
    "religion": (
        "religion or belief",
        (
            "religion",
            "religious",
            "faith",
            "belief",
            "beliefs",
            "church",
            "mosque",
            "temple",
            "worship",
            "buddhist",
            "buddhism",
            "christian",
            "christianity",
            "muslim",
            "islam",
            "islamic",
            "taoist",
            "catholic",
            "protestant",
            "jewish",
            "hindu",
            "atheist",
            "falun",
        ),
        ("宗教", "信仰", "教会", "清真", "寺庙", "佛教", "基督"),
    ),
    "ethnicity": (
        "ethnicity or race",
        ("ethnic", "ethnicity", "race", "racial", "minzu", "nationality", "ethnic_group"),
        ("民族", "种族", "族裔"),
    ),
    "health": (
        "health and medical history",
        (
            "health",
            "medical",
            "medicine",
            "diagnosis",
            "disease",
            "illness",
            "sickness",
            "hospital",
            "clinic",
            "prescription",
            "disability",
            "disabled",
            "pregnancy",
            "pregnant",
            "hiv",
            "mental",
            "psychiatric",
            "blood_type",
            "bloodtype",
            "vaccine",
            "vaccination",
            "covid",
            "cancer",
            "diabetes",
            "patient",
        ),
        ("健康", "病", "医疗", "医院", "诊断", "残疾", "怀孕", "血型", "疫苗"),
    ),
    "sex_life_or_orientation": (
        "sex life or sexual orientation",
        (
            "sexual",
            "sexuality",
            "orientation",
            "sex_life",
            "lgbt",
            "lgbtq",
            "gay",
            "lesbian",
            "homosexual",
            "bisexual",
            "transgender",
        ),
        ("性取向", "性生活", "同性恋"),
    ),
    "biometric_or_genetic": (
        "biometric or genetic data",
        (
            "biometric",
            "biometrics",
            "fingerprint",
            "fingerprints",
            "facial",
            "faceprint",
            "face_image",
            "face_scan",
            "face_id",
            "face_template",
            "iris",
            "retina",
            "voiceprint",
            "palmprint",
            "gait",
            "dna",
            "gene",
            "genes",
            "genetic",
            "genome",
            "genotype",
        ),
        ("指纹", "人脸", "面部识别", "虹膜", "声纹", "基因", "遗传"),
    ),
    "trade_union_membership": (
        "trade-union membership",
        (
            "trade_union",
            "labour_union",
            "labor_union",
            "union_member",
            "union_membership",
            "union_dues",
        ),
        ("工会",),
    ),
    "purchases_or_lifestyle": (
        "what a person buys, where they go or how they spend their time (merchants, "
        "products, games, app usage, locations, whom they pay)",
        (
            "merchant",
            "merchants",
            "mcc",
            "merchant_category_code",
            "product",
            "products",
            "item",
            "items",
            "sku",
            "basket",
            "cart",
            "purchase",
            "purchases",
            "purchased",
            "goods",
            "brand",
            "shop",
            "shops",
            "store_name",
            "restaurant",
            "venue",
            "game",
            "games",
            "gaming",
            "gamer",
            "app_usage",
            "app_use",
            "app_name",
            "apps_used",
            "screen_time",
            "location",
            "locations",
            "geolocation",
            "geo",
            "gps",
            "latitude",
            "longitude",
            "coordinates",
            "counterparty",
            "counterparties",
            "payee",
            "payee_name",
            "beneficiary_name",
            "recipient_name",
            "sender_name",
            "leisure",
            "hobby",
            "hobbies",
            "entertainment",
            "lifestyle",
            "browsing",
        ),
        (
            "商户",
            "商家",
            "商品",
            "购买",
            "购物",
            "消费类别",
            "消费明细",
            "游戏",
            "应用使用",
            "定位",
            "位置",
            "地理",
            "交易对手",
            "对手方",
            "收款方",
            "收款人",
            "娱乐",
            "爱好",
        ),
    ),
    "social_relationships": (
        "whom a person knows (friends, contacts, followers, relatives, classmates, "
        "colleagues, a social graph); only obligations a person signed for others count",
        (
            "friend",
            "friends",
            "friendship",
            "contact",
            "contacts",
            "contact_list",
            "address_book",
            "phonebook",
            "follower",
            "followers",
            "followee",
            "followees",
            "relative",
            "relatives",
            "kin",
            "kinship",
            "classmate",
            "classmates",
            "schoolmate",
            "colleague",
            "colleagues",
            "coworker",
            "coworkers",
            "acquaintance",
            "acquaintances",
            "social_graph",
            "social_network",
            "social_circle",
            "social_ties",
        ),
        (
            "好友",
            "朋友",
            "联系人",
            "通讯录",
            "粉丝",
            "关注",
            "亲友",
            "亲属",
            "亲戚",
            "同学",
            "同事",
            "熟人",
            "社交",
            "人脉",
        ),
    ),
}


@dataclass(frozen=True, slots=True)
class ForbiddenMatch:
    """Why a name was refused: the rule (category) and the word that matched."""

    rule: str
    term: str

    @property
    def description(self) -> str:
        return CATEGORIES[self.rule][0]


def _words(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def _build_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for rule, (_, words, _) in CATEGORIES.items():
        for word in words:
            index[word] = rule
    return index


_INDEX = _build_index()
_LONGEST = max(term.count("_") + 1 for term in _INDEX)


def match(name: str) -> ForbiddenMatch | None:
    """The forbidden category a column name or category value falls in, if any."""
    for rule, (_, _, chinese) in CATEGORIES.items():
        for term in chinese:
            if term in name:
                return ForbiddenMatch(rule, term)
    words = _words(name)
    candidates = ["".join(words)]
    for size in range(1, _LONGEST + 1):
        candidates += ["_".join(words[i : i + size]) for i in range(len(words) - size + 1)]
    for candidate in candidates:
        if candidate in _INDEX:
            return ForbiddenMatch(_INDEX[candidate], candidate)
    return None


def ensure_allowed(name: str, *, what: str) -> None:
    """Raise :class:`ForbiddenDataError` when ``name`` falls in a forbidden category.

    ``what`` says where the name was found, e.g. ``"column"`` or ``"kind value"``.
    """
    found = match(name)
    if found is not None:
        raise ForbiddenDataError(
            f"{what} {name!r} is refused: it falls under the rule '{found.rule}' "
            f"({found.description}; matched {found.term!r}). The platform does not "
            "collect or score this category; remove it from the feed and send it again.",
            field=name,
            rule=found.rule,
        )
