"""descentlab: the small optimizer package behind *Parameter Updates*.

Data flows one way: ``surfaces``/``losses``/``nn`` give gradients, ``optim`` turns
gradients into updates, ``run`` records trajectories, ``viz`` draws them.
"""

__version__ = "0.1.0"
