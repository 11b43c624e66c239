"""Radio-show episodes: plan -> typed script -> rendered audio -> mastered mix -> publishing bundle.

Read in data-flow order: ``plans`` and ``templates`` (YAML data) -> ``script`` (pure, with
provenance checks) -> ``render`` (a synthesizer per line) -> ``master`` -> ``encode`` ->
``chapters`` / ``transcript`` / ``notes`` / ``feed`` / ``qa``; ``pipeline`` runs them in order.
"""
