"""The synthetic nation, so the whole system runs and is measured without real data."""

from socialcredit.simulate.nation import DEFAULT_AS_OF, Feed, feed_names, simulate

__all__ = ["DEFAULT_AS_OF", "Feed", "feed_names", "simulate"]
