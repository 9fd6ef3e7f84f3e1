"""Record generators: each turns the population into one feed's rows, vectorised.

The latent trait drives every probability; nothing here looks at another
record. Dates are numpy ``datetime64[D]``; the result is a dict of columns in
the record schema's order.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from socialcredit.simulate.partners import ContractStream, PaymentStream
from socialcredit.simulate.people import Population

__all__ = ["account_flows", "contracts", "judgments", "payments", "verifications"]

Columns = dict[str, np.ndarray]
_DAY = np.timedelta64(1, "D")
_NAT = np.datetime64("NaT", "D")


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 / (1.0 + np.exp(-x)))


def _as_of(pop: Population) -> np.datetime64:
    return np.datetime64(pop.as_of, "D")


def _window_start(pop: Population) -> np.datetime64:
    """First day of the window's first month (the as-of month is the last)."""
    year, month = divmod(pop.as_of.year * 12 + pop.as_of.month - 1 - (pop.months - 1), 12)
    return np.datetime64(dt.date(year, month + 1, 1), "D")


def _in_shock(pop: Population, who: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Whether month ``month`` falls in the six months after person ``who``'s shock."""
    start = pop.shock_month[who]
    return np.asarray((start >= 0) & (month >= start) & (month < start + 6))


def _lags(rng: np.random.Generator, n: int, most: int) -> np.ndarray:
    return rng.integers(1, most + 1, n).astype("timedelta64[D]")


def payments(rng: np.random.Generator, pop: Population, stream: PaymentStream) -> Columns:
    """Bills of ``stream``: due dates, paid dates (late for some), amounts."""
    who = np.flatnonzero(rng.random(pop.size) < stream.share)
    if stream.term is not None:
        shortest, longest = stream.term
        length = rng.integers(shortest, longest + 1, len(who))
        first = rng.integers(-longest + 1, pop.months, len(who))
        last = np.minimum(first + length, pop.months)
        first = np.maximum(first, 0)
        keep = last > first
        who, first, last = who[keep], first[keep], last[keep]
        counts = last - first
    else:
        first = rng.integers(0, stream.period, len(who))
        counts = (pop.months - first + stream.period - 1) // stream.period
    person = np.repeat(who, counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    step = 1 if stream.term is not None else stream.period
    month = np.repeat(first, counts) + (np.arange(len(person)) - starts) * step
    bill_day = rng.integers(1, 29, pop.size)[person]
    first_month = np.datetime64(pop.as_of, "M") - np.timedelta64(pop.months - 1, "M")
    due = (first_month + month.astype("timedelta64[M]")).astype("datetime64[D]") + (
        bill_day - 1
    ).astype("timedelta64[D]")
    propensity = -3.0 - 1.4 * pop.latent[person] + pop.habit[person] + stream.offset
    propensity = propensity + 1.8 * _in_shock(pop, person, month)
    late = rng.random(len(person)) < _sigmoid(propensity)
    severe = late & (rng.random(len(person)) < _sigmoid(-3.3 - 1.3 * pop.latent[person]))
    days_late = np.where(
        severe,
        30 + rng.geometric(1 / 45, len(person)),
        np.where(late, np.minimum(rng.geometric(1 / 8, len(person)), 29), 0),
    )
    early = rng.integers(0, 6, len(person))
    paid = due + np.where(late, days_late, -early).astype("timedelta64[D]")
    written_off = severe & (rng.random(len(person)) < 0.3)
    unpaid = written_off | (paid > _as_of(pop))
    amount_due = np.round(stream.amount * rng.lognormal(0.0, 0.35, len(person)), 2)
    partial = np.round(amount_due * rng.choice([0.0, 0.3, 0.5], len(person)), 2)
    amount_paid = np.where(unpaid, partial, amount_due)
    paid_date = np.where(unpaid, _NAT, paid)
    # Unpaid: paid_date stays empty; a partial amount was paid on the due date at most.
    paid_date = np.where(unpaid & (partial > 0), np.minimum(due, _as_of(pop)), paid_date)
    reported = np.where(unpaid, _as_of(pop), paid) + _lags(rng, len(person), 15)
    observed = np.minimum(reported, _as_of(pop))
    keep = due <= _as_of(pop)
    return {
        "person": person[keep],
        "observed_date": observed[keep],
        "kind": np.full(int(keep.sum()), stream.kind),
        "due_date": due[keep],
        "paid_date": paid_date[keep],
        "amount_due": amount_due[keep],
        "amount_paid": amount_paid[keep],
    }


def contracts(rng: np.random.Generator, pop: Population, stream: ContractStream) -> Columns:
    """Contracts of ``stream``: fulfilled on time for most, breached or defaulted for some."""
    who = np.flatnonzero(rng.random(pop.size) < stream.share)
    counts = rng.poisson(stream.mean_count, len(who))
    person = np.repeat(who, counts)
    n = len(person)
    window_days = int((_as_of(pop) - _window_start(pop)) / _DAY)
    start = _window_start(pop) + rng.integers(0, window_days, n).astype("timedelta64[D]")
    due = start + np.maximum(1, rng.normal(stream.days, stream.days * 0.2, n)).astype(
        "timedelta64[D]"
    )
    month = ((start - _window_start(pop)) / _DAY // 30).astype(np.int64)
    stress = 1.5 * _in_shock(pop, person, month) - 1.1 * pop.latent[person]
    draw = rng.random(n)
    p_default = _sigmoid(stream.default + 1.2 * stress / 1.1)
    p_breach = _sigmoid(stream.breach + stress)
    defaulted = draw < p_default
    breached = ~defaulted & (draw < p_default + p_breach)
    as_of = _as_of(pop)
    fulfilled_on = np.where(
        breached,
        due + rng.integers(5, 90, n).astype("timedelta64[D]"),
        due - rng.integers(0, 3, n).astype("timedelta64[D]"),
    )
    fulfilled_on = np.maximum(fulfilled_on, start)
    status = np.where(defaulted, "defaulted", np.where(breached, "breached", "fulfilled"))
    done = ~defaulted & (fulfilled_on <= as_of)
    # Not yet fulfilled by the as-of date: open if not yet due, else breached or defaulted.
    # Nothing is in breach or default before it is due.
    status = np.where(~done & (due > as_of), "open", status)
    status = np.where(~done & ~defaulted & (due <= as_of), "breached", status)
    fulfilled_date = np.where(done, fulfilled_on, _NAT)
    settled = np.where(done, fulfilled_on, np.maximum(due, start)) + _lags(rng, n, 20)
    observed = np.minimum(settled, as_of)
    value = np.round(stream.value * rng.lognormal(0.0, 0.4, n), 2)
    return {
        "person": person,
        "observed_date": observed,
        "kind": np.full(n, stream.kind),
        "start_date": start,
        "due_date": due,
        "fulfilled_date": fulfilled_date,
        "status": status,
        "value": value,
    }


_COURTS = np.asarray([f"Metro District People's Court No. {i}" for i in range(1, 7)])
_BUREAUS = np.asarray(["Metro Market Regulation Bureau", "Metro Tax Bureau"])


def judgments(rng: np.random.Generator, pop: Population, first_case: int = 1) -> Columns:
    """Court enforcement cases and administrative penalties, their case numbers counted
    from ``first_case`` (after those of the nation's earlier slices)."""
    shocked = (pop.shock_month >= 0).astype(float)
    p_court = _sigmoid(-4.4 - 1.4 * pop.latent + 1.0 * shocked)
    p_admin = _sigmoid(-4.0 - 0.6 * pop.latent)
    court = np.flatnonzero(rng.random(pop.size) < p_court)
    admin = np.flatnonzero(rng.random(pop.size) < p_admin)
    person = np.concatenate([court, admin])
    n = len(person)
    is_court = np.arange(n) < len(court)
    window_days = int((_as_of(pop) - _window_start(pop)) / _DAY)
    filed = _window_start(pop) + rng.integers(0, window_days, n).astype("timedelta64[D]")
    p_resolve = _sigmoid(np.where(is_court, 0.2, 2.0) + 0.9 * pop.latent[person])
    resolves = rng.random(n) < p_resolve
    resolved_on = filed + rng.integers(20, 400, n).astype("timedelta64[D]")
    resolved = resolves & (resolved_on <= _as_of(pop))
    amount = np.round(np.where(is_court, 30000.0, 800.0) * rng.lognormal(0.0, 0.8, n), 2)
    refused = rng.random(n) < _sigmoid(-0.3 - 0.9 * pop.latent[person])
    conduct = np.where(is_court, np.where(refused, "refused_to_pay", "unable_to_pay"), "")
    observed = np.minimum(np.where(resolved, resolved_on, filed) + _lags(rng, n, 10), _as_of(pop))
    authority = np.where(
        is_court, _COURTS[rng.integers(0, len(_COURTS), n)], _BUREAUS[rng.integers(0, 2, n)]
    )
    case_ref = np.char.add(
        np.where(is_court, "(2025)京0105执", "京市监罚"),
        np.arange(first_case, first_case + n).astype(str),
    )
    return {
        "person": person,
        "observed_date": observed,
        "kind": np.where(is_court, "court_enforcement", "administrative_penalty"),
        "authority": authority,
        "case_ref": np.char.add(case_ref, "号"),
        "filed_date": filed,
        "resolved_date": np.where(resolved, resolved_on, _NAT),
        "amount": amount,
        "conduct": conduct,
    }


def verifications(
    rng: np.random.Generator, pop: Population, kinds: tuple[str, ...], share: float
) -> Columns:
    """One check per kind for a share of people, with how long the fact has held."""
    who = np.flatnonzero(rng.random(pop.size) < share)
    person = np.repeat(who, len(kinds))
    kind = np.tile(np.asarray(kinds), len(who))
    n = len(person)
    z = pop.latent[person]
    as_of = _as_of(pop)
    observed = as_of - rng.integers(0, 700, n).astype("timedelta64[D]")
    age_days = (observed - pop.birth_date[person]) / _DAY
    pass_logit = np.select(
        [kind == "employment", kind == "address"], [0.8 + 0.7 * z, 3.0 + 0.5 * z], 4.5
    )
    result = np.where(rng.random(n) < _sigmoid(pass_logit), "pass", "fail")
    mean_years = np.select(
        [kind == "address", kind == "phone", kind == "employment"],
        [4.0 + 1.2 * z, 4.0 + 1.5 * z, 3.0 + 1.0 * z],
        0.0,
    )
    years = rng.exponential(np.clip(mean_years, 0.5, None))
    held_days = np.minimum(years * 365.25, np.maximum(age_days - 18 * 365.25, 0))
    since = np.where(
        (kind == "identity") | (result == "fail"),
        _NAT,
        observed - held_days.astype(np.int64).astype("timedelta64[D]"),
    )
    return {
        "person": person,
        "observed_date": observed,
        "kind": kind,
        "result": result,
        "since_date": since,
    }


#: months of account flows a consenting person's bank shares: the complete months
#: before the as-of month (the as-of month is not over by the as-of date)
FLOW_MONTHS = 12


def account_flows(rng: np.random.Generator, pop: Population, who: np.ndarray) -> Columns:
    """Monthly totals of the accounts of people ``who`` (those who consented): a current
    account (income, bills, the balance a person keeps) and for some a savings account.

    The latent trait sets income regularity, the balance kept and how often bills are
    late; a shock cuts income and drains the balance for six months, as it raises
    defaults. Vectorised over accounts; the months are a loop of twelve steps because
    each month's balance starts from the last.
    """
    z, habit = pop.latent[who], pop.habit[who]
    saver = rng.random(len(who)) < 0.3
    owner = np.concatenate([np.arange(len(who)), np.flatnonzero(saver)])
    current = np.arange(len(owner)) < len(who)
    accounts = len(owner)
    person, z, habit = who[owner], z[owner], habit[owner]
    income = np.round(5000.0 * rng.lognormal(0.25 * z, 0.45), 2)
    salaried = rng.random(accounts) < _sigmoid(1.0 + 0.8 * z)
    limit = np.where(current, 0.5 * income, 0.0)  # an arranged overdraft on current accounts
    balance = income * np.exp(rng.normal(np.where(current, 0.5, 1.0) + 0.7 * z, 0.7))
    bills = np.where(current, rng.integers(1, 6, accounts), 0)
    first = pop.months - 1 - FLOW_MONTHS
    first_month = np.datetime64(pop.as_of, "M") - np.timedelta64(pop.months - 1, "M")
    columns: dict[str, list[np.ndarray]] = {}
    for month in range(first, first + FLOW_MONTHS):
        shock = _in_shock(pop, person, np.full(accounts, month))
        regular = current & salaried & ~(shock & (rng.random(accounts) < 0.6))
        irregular_credits = rng.poisson(1.3, accounts)
        credits = np.where(current, np.where(regular, 1 + (rng.random(accounts) < 0.1), 0), 0)
        credits = np.where(current & ~regular, irregular_credits, credits)
        earned = np.where(
            regular,
            income * rng.normal(1.0, 0.03, accounts),
            income * rng.gamma(2.0, 0.5, accounts),
        )
        earned = np.where(credits > 0, earned * np.where(shock, 0.4, 1.0), 0.0)
        transfers = income * rng.lognormal(np.where(current, -2.5, -2.0), 0.8)
        inflows = np.round(earned + transfers, 2)
        saving = income * rng.normal(0.05 + 0.04 * z - 0.35 * shock, 0.12)
        # what a month costs whatever comes in (rent, food, bills), then what is left over
        floor = income * rng.uniform(0.25, 0.5, accounts)
        wanted = np.maximum(inflows - saving, floor)
        wanted = np.where(current, wanted, np.minimum(wanted, 0.2 * income))
        short = np.maximum(-(balance + inflows - wanted) - limit, 0.0)  # refused: past the limit
        outflows = np.round(wanted - short, 2)
        start, balance = balance, np.round(balance + inflows - outflows, 2)
        dip = rng.uniform(0.0, 0.4, accounts) * outflows
        low = np.round(np.maximum(np.minimum(start, balance) - dip, -limit), 2)
        low = np.minimum(low, balance)
        overdrafts = np.where(low < 0, 1 + rng.poisson(0.2 + 0.8 * shock), 0)
        refused = rng.poisson(np.exp(-4.0 - 0.8 * z + 1.2 * shock)) + (short > 0) * (
            1 + rng.poisson(1.0, accounts)
        )
        refused = np.where(current, refused, 0)
        late_p = _sigmoid(-3.5 - 1.4 * z + habit + 1.8 * shock)
        late = rng.binomial(bills, late_p)
        start_day = (first_month + np.timedelta64(month, "M")).astype("datetime64[D]")
        end_day = (first_month + np.timedelta64(month + 1, "M")).astype("datetime64[D]") - _DAY
        observed = np.minimum(end_day + _lags(rng, accounts, 10), _as_of(pop))
        for name, values in (
            ("person", person),
            ("observed_date", observed),
            ("account_ref", np.where(current, "current", "savings")),
            ("month", np.full(accounts, start_day)),
            ("inflows", inflows),
            ("income_credits", credits),
            ("regular_payer", np.where(regular & (credits > 0), "yes", "no")),
            ("outflows", outflows),
            ("end_balance", balance),
            ("min_balance", low),
            ("overdraft_events", overdrafts),
            ("insufficient_funds_events", refused),
            ("bills_on_time", bills - late),
            ("bills_late", late),
        ):
            columns.setdefault(name, []).append(values)
    return {name: np.concatenate(parts) for name, parts in columns.items()}
