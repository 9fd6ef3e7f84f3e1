"""The record categories partners furnish, one module each.

A module here declares ``CATEGORY`` (a :class:`socialcredit.records.schema.Category`:
its fields, rules and which records count against the person). The registry in
:mod:`socialcredit.records` picks up every such module; the lake makes its table,
ingestion validates it and ``socialcredit schema`` documents it, with no other edit.
"""
