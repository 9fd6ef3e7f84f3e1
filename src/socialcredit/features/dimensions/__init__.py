"""The scored dimensions, one module each.

A module here declares ``DIMENSION`` (a :class:`socialcredit.features.base.Dimension`:
its features, the per-person state of the record categories it reads, and how each
feature follows from that state). :mod:`socialcredit.features.registry` picks up
every such module; nothing else needs to name it.
"""
