"""indicators owns measurement: indicators with baselines, targets and benchmarks per period,
measurements per period and disaggregation with evidence, progress to target, partner-level benchmarks
with their incentives, and the indicator import/export and API."""
