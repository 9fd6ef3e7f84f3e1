"""The guarantee graph: who signed for whose debts, as one step over everyone.

- :mod:`~socialcredit.graph.kernel`: exposure through chains, circles and the reach of
  a change, on arrays (NumPy, SciPy sparse);
- :mod:`~socialcredit.graph.arrays`: edges exported as arrays, the kernel over the
  whole graph or a part of it;
- :mod:`~socialcredit.graph.near`: an incremental run's part of the graph, found by
  walks over the kept edges;
- :mod:`~socialcredit.graph.step`: the step of a score run, between the lake and the
  kernel (node numbers, results, what an incremental run rewrites).
"""
