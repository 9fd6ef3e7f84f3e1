"""Monitoring published scores: fairness by group at the tier and policy
cut-offs, and the shift between runs.
"""
