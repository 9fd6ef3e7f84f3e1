"""A person's rights over their file: the report and its exported copy,
disputes, erasure, and the jurisdiction profiles those rules follow.
"""
