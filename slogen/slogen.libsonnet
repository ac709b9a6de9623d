// slogen's Jsonnet helpers: `local slo = import 'slogen.libsonnet';`
//
// Every function returns plain spec data (the same keys as a YAML spec), so
// anything it builds can be extended with `+ { ... }` and is validated exactly
// like YAML.
{
  // SLI kinds
  events(errors, total):: { events: { errors: errors, total: total } },
  goodEvents(good, total):: { events: { good: good, total: total } },
  latency(histogram, threshold):: { latency: { histogram: histogram, threshold: threshold } },
  up(metric):: { up: { metric: metric } },
  freshness(timestamp, maxAge):: { freshness: { timestamp: timestamp, max_age: maxAge } },
  ratio(errors, total):: { ratio: { errors: errors, total: total } },

  // One SLO: name, objective in percent, an SLI from above; `extra` adds any other
  // SLO key (description, window, group_by, labels, runbook, alerting).
  slo(name, objective, sli, extra={}):: { name: name, objective: objective, sli: sli } + extra,

  // One service spec.
  service(name, team, slos, extra={}):: { service: name, team: team, slos: slos } + extra,

  // The same SLOs stamped over many services: `slosFor` is a function of the service
  // name returning its SLOs; `extra` may be an object or a function of the name.
  stamp(names, team, slosFor, extra={}):: [
    self.service(
      name,
      team,
      slosFor(name),
      if std.isFunction(extra) then extra(name) else extra,
    )
    for name in names
  ],

  // A selector with a label matcher, quoted for PromQL: selector('up', {job: 'api'}).
  selector(metric, labels={}):: metric + (
    if std.length(labels) == 0 then ''
    else '{' + std.join(', ', [k + '=' + std.escapeStringJson(labels[k]) for k in std.objectFields(labels)]) + '}'
  ),
}
