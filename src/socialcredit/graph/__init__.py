"""The guarantee graph: who signed for whose debts, as one step over everyone.

- :mod:`~socialcredit.graph.kernel`: exposure through chains, circles and the reach of
  a change, on arrays (NumPy, SciPy sparse);
- :mod:`~socialcredit.graph.step`: the step of a score run, between the lake and the
  kernel.
"""
