"""Stage 5: events from different reports that describe one incident -> one event.

Pure functions of events, no storage:

- ``sources``     the outlet registry (name, scale, country, aliases, domains) as data
- ``similarity``  two events -> a verdict (compatible?, score, human-readable reasons)
- ``cluster``     a block of events -> groups, deterministic and order-independent
- ``combine``     the members of a group -> one merged event

The store (``marsad.store.merging``) keeps every document's extracted events and
recomputes the affected groups after each batch.
"""
