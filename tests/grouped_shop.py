"""The shop's availability SLO grouped by cluster: the shape whose status answers grow
with the number of groups, shared by the status tests and the status benchmark."""

GROUPED_SPEC = """\
service: shop
team: web
runbook: false
slos:
  - name: availability
    objective: 99.9
    group_by: [cluster]
    sli:
      events:
        errors: http_requests_total{job="shop", code=~"5.."}
        total: http_requests_total{job="shop"}
"""
