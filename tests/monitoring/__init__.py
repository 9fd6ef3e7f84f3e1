"""Tests of monitoring: fairness by group, adverse impact, drift."""
