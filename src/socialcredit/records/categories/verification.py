"""``verification``: checks of identity, address, phone, employment or education."""

from socialcredit.records.schema import Category, Field, Rule

CATEGORY = Category(
    negative="{a}.result = 'fail'",
    name="verification",
    version=1,
    description="One check a partner made of a fact about the subject, and its result.",
    fields=(
        Field(
            "kind",
            "choice",
            "What was checked.",
            choices=("identity", "address", "phone", "employment", "education"),
        ),
        Field("result", "choice", "pass or fail.", choices=("pass", "fail")),
        Field(
            "since_date",
            "date",
            "Since when the checked fact holds (moved in, number "
            "issued, job started); empty if unknown.",
            required=False,
        ),
    ),
    rules=(
        Rule(
            "since_after_observed",
            "since_date",
            ("since_date", "observed_date"),
            "since_date > observed_date",
            "since_date is after observed_date",
        ),
    ),
    order=4,
)
