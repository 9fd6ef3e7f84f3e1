"""Who a record is about: resident identity numbers and pseudonymous subject keys."""

from socialcredit.identity.pseudonym import SubjectKeyer
from socialcredit.identity.regions import province_name, region_periods, valid_region
from socialcredit.identity.resident_id import ResidentId, check_character, normalise, parse

__all__ = [
    "ResidentId",
    "SubjectKeyer",
    "check_character",
    "normalise",
    "parse",
    "province_name",
    "region_periods",
    "valid_region",
]
