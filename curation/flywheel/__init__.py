"""The data flywheel: production chat logs become candidates (never training data until promoted).

`logs` reads the log shapes into sessions, `pii` scrubs them before anything is stored, `rules` (the value rules,
registered steps) picks the sessions worth a reviewer's time with a reason each, and `candidates` imports,
deduplicates, lists and promotes them (docs/flywheel.md).
"""
