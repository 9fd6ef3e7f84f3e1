"""The synthetic nation's partners and what each furnishes, as data.

Every partner is fictional. Each feed is one partner and one record category,
written as ``<partner>.<category>.csv``. Only records of a person's own
obligations and verified facts are furnished, and account flows of the people who
let their bank share them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CASH_FLOW_CONSENT_SHARE",
    "CASH_FLOW_PARTNER",
    "CONTRACT_STREAMS",
    "PARTNERS",
    "PAYMENT_STREAMS",
    "ContractStream",
    "PaymentStream",
]

#: partner id -> kind of institution
PARTNERS: dict[str, str] = {
    "harbour-bank": "bank",
    "river-grid-utility": "utility",
    "skyline-telecom": "telecom",
    "bazaar-ecommerce": "e-commerce",
    "swift-ride": "ride-hailing",
    "lantern-dating": "dating",
    "evergreen-insurance": "insurer",
    "metro-people-court": "court",
    "nest-rentals": "housing rental",
    "lotus-sme-bank": "small-business lender",
}


#: The bank that shares account flows (``account_flow``) of the people who consent to it,
#: and the share of people who do.
CASH_FLOW_PARTNER = "harbour-bank"
CASH_FLOW_CONSENT_SHARE = 0.40


@dataclass(frozen=True, slots=True)
class PaymentStream:
    """Recurring bills of one kind from one partner."""

    partner: str
    kind: str
    share: float  # share of people who have this bill
    period: int  # months between bills
    amount: float  # typical amount due, yuan
    offset: float  # how much likelier than average a bill of this kind is paid late (logit)
    term: tuple[int, int] | None = None  # instalment loans: (shortest, longest) term in months


@dataclass(frozen=True, slots=True)
class ContractStream:
    """One-off contracts of one kind from one partner."""

    partner: str
    kind: str
    share: float  # share of people with such contracts
    mean_count: float  # contracts per such person over the window
    value: float  # typical value, yuan
    days: int  # typical days from start to due
    breach: float  # logit of a breach for an average person
    default: float  # logit of a default for an average person


PAYMENT_STREAMS: tuple[PaymentStream, ...] = (
    PaymentStream("river-grid-utility", "utility", 0.95, 4, 240.0, 0.0),
    PaymentStream("skyline-telecom", "phone", 0.85, 4, 160.0, 0.1),
    PaymentStream("harbour-bank", "loan", 0.25, 1, 1500.0, -0.3, term=(12, 24)),
    PaymentStream("bazaar-ecommerce", "card", 0.35, 3, 900.0, 0.2),
    PaymentStream("evergreen-insurance", "insurance", 0.40, 6, 900.0, -0.2),
    PaymentStream("nest-rentals", "rent", 0.30, 3, 2400.0, 0.0),
    PaymentStream("lantern-dating", "subscription", 0.15, 6, 128.0, 0.5),
)

CONTRACT_STREAMS: tuple[ContractStream, ...] = (
    ContractStream("swift-ride", "ride", 0.50, 6.0, 45.0, 1, -3.6, -5.8),
    ContractStream("bazaar-ecommerce", "delivery", 0.60, 4.0, 260.0, 7, -3.8, -5.9),
    ContractStream("nest-rentals", "rental", 0.30, 1.2, 7200.0, 365, -3.2, -5.2),
    ContractStream("nest-rentals", "deposit", 0.30, 1.0, 2400.0, 365, -3.4, -5.4),
)
