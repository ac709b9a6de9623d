"""SLO documents: a markdown page per service and an index, for people who do not read YAML.

Each page follows the shape SRE teams write SLO documents in (service overview, owner,
SLIs and objectives, the error budget and its policy, alerting, dependencies, caveats),
built from the resolved model and the routing alone. The alert figures come from
:mod:`slogen.explain`, which owns that arithmetic.
"""
