"""partners owns organisations (every actor in the system) and, as the partner pillar grows,
partnerships, interactions, follow-ups, support and the engagement score."""
