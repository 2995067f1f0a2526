"""results owns steering change: the programme life cycle (phase guidance and checklists),
interventions (function, lever, partners, the facilitator's role over time, support level), results
chains, adopt–adapt–expand–respond stages, the competition/cooperation matrix and rolling-exit criteria."""
