// The Jsonnet twin of ../model-inference.yaml: the same service written with
// slogen.libsonnet. Directories starting with _ are not read as specs, so this file
// is compiled only by the test that checks both give identical output. To try it,
// write to a scratch directory (generated/ holds every service's output):
//   slogen generate specs/_jsonnet/model-inference.jsonnet --defaults specs/defaults.yaml \
//     --ext-str model=ranker -o /tmp/jsonnet-out
local slo = import 'slogen.libsonnet';
local model = std.extVar('model');

slo.service('model-inference', 'ml-platform', [
  slo.slo(
    'predictions-success',
    99.9,
    slo.goodEvents(
      slo.selector('inference_requests_total', { model: model, outcome: 'success' }),
      slo.selector('inference_requests_total', { model: model }),
    ),
    {
      description: 'Prediction requests return a result.',
      alerting: { min_request_rate: 0.5 },
    },
  ),
  slo.slo(
    'predictions-latency',
    99,
    slo.latency(slo.selector('inference_request_duration_seconds', { model: model }), '200ms'),
    {
      description: '99% of predictions are served within 200 ms (P99 < 200 ms).',
      alerting: { page: { 'for': '5m' } },
    },
  ),
], {
  tier: 'important',
  description: 'Ranking model inference behind the recommendations API',
  labels: { domain: 'ml' },
})
